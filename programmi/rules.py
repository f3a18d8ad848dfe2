"""Actions on the Piano di Zona and its contents (predicates: ambito/rules.py)."""

import rules

from ambito.rules import can_edit_object, is_ufficio_piano

rules.add_perm("programmi.crea_pianodizona", is_ufficio_piano)
# Also what adds macro-areas, objectives and schede to a plan (obj: the plan).
rules.add_perm("programmi.modifica_pianodizona", can_edit_object)
# Rows inside a plan: created by the Ufficio di Piano, in a plan it may edit.
for modello in ("macroarea", "obiettivo", "valutazione", "scheda"):
    rules.add_perm(f"programmi.crea_{modello}", is_ufficio_piano)
    rules.add_perm(f"programmi.modifica_{modello}", can_edit_object)

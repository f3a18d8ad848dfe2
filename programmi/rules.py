"""Actions on the Piano di Zona and its contents (predicates: ambito/rules.py)."""

import rules

from ambito.rules import can_edit_object, is_ufficio_piano, is_ufficio_piano_di

rules.add_perm("programmi.crea_pianodizona", is_ufficio_piano)
# Also what adds macro-areas, objectives and schede to a plan (obj: the plan).
rules.add_perm("programmi.modifica_pianodizona", can_edit_object)
# Rows inside a plan: created by the Ufficio di Piano, in a plan it may edit.
for modello in ("macroarea", "obiettivo", "valutazione", "scheda"):
    rules.add_perm(f"programmi.crea_{modello}", is_ufficio_piano)
    rules.add_perm(f"programmi.modifica_{modello}", can_edit_object)
# Deleting rows of a plan (the service refuses rows that others still point to).
for modello in ("macroarea", "obiettivo", "scheda"):
    rules.add_perm(f"programmi.elimina_{modello}", can_edit_object)
# obj: the plan. Copying it into a new draft, activating a draft.
rules.add_perm("programmi.copia_pianodizona", is_ufficio_piano_di)
rules.add_perm("programmi.attiva_pianodizona", is_ufficio_piano_di)

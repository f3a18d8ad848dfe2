"""Actions on funds and projects (predicates: ambito/rules.py)."""

import rules

from ambito.rules import can_edit_object, is_ufficio_piano, is_ufficio_piano_di

rules.add_perm("fondi.crea_assegnazione", is_ufficio_piano)
rules.add_perm("fondi.modifica_assegnazione", can_edit_object)
rules.add_perm("fondi.crea_progetto", is_ufficio_piano)
# Also what adds amounts and progress snapshots to a project (obj: the project).
rules.add_perm("fondi.modifica_progetto", can_edit_object)
rules.add_perm("fondi.modifica_finanziamentoprogetto", can_edit_object)
rules.add_perm("fondi.modifica_avanzamentofinanziario", can_edit_object)
# obj: the Ambito. Allocations, projects and progress snapshots from a spreadsheet
# (fondi/importazioni.py): its Ufficio di Piano.
rules.add_perm("fondi.importa_assegnazioni", is_ufficio_piano_di)
rules.add_perm("fondi.importa_progetti", is_ufficio_piano_di)
rules.add_perm("fondi.crea_atto", is_ufficio_piano)

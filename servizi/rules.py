"""Actions on services, measures, calls and unità d'offerta (predicates: ambito/rules.py)."""

import rules

from ambito.rules import can_edit_object, is_ufficio_piano, is_ufficio_piano_di

rules.add_perm("servizi.crea_servizio", is_ufficio_piano)
# Also what adds yearly figures and calls to a service (obj: the service).
rules.add_perm("servizi.modifica_servizio", can_edit_object)
rules.add_perm("servizi.modifica_datoannuale", can_edit_object)
rules.add_perm("servizi.modifica_avviso", can_edit_object)
rules.add_perm("servizi.crea_unitaofferta", is_ufficio_piano)
rules.add_perm("servizi.modifica_unitaofferta", can_edit_object)
# Statistical tables of the context analysis: the Ufficio di Piano adds a table or loads
# its rows (obj: the table).
rules.add_perm("servizi.crea_tabella", is_ufficio_piano)
rules.add_perm("servizi.modifica_tabella", can_edit_object)
# obj: the Ambito. Unità d'offerta from a spreadsheet (servizi/importazioni.py).
rules.add_perm("servizi.importa_unitaofferta", is_ufficio_piano_di)

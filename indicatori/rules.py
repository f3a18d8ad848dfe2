"""Actions of the values workflow and the reports (predicates: ambito/rules.py).

The Operatore enters and submits his Comune's values, the Ufficio di Piano of the
Ambito approves, returns, closes and reopens; the Revisore reads the review pages and
downloads the Relazione.
"""

import rules

from ambito.rules import (
    can_edit_object,
    is_operatore_di,
    is_ufficio_piano_di,
    legge_ambito,
    legge_ambito_di,
    scrive_nell_ambito,
)

# obj: the Comune of the entry grid, or the Periodo for the Ambito-level values.
rules.add_perm("indicatori.inserisce_valori", is_ufficio_piano_di | is_operatore_di)
rules.add_perm("indicatori.modifica_valore", can_edit_object)
# obj: the Ambito; the file may then name only the Comuni the user writes.
rules.add_perm("indicatori.importa_valori", is_ufficio_piano_di | scrive_nell_ambito)
# obj: a Valore or its Periodo.
rules.add_perm("indicatori.approva_valore", is_ufficio_piano_di)
rules.add_perm("indicatori.restituisce_valore", is_ufficio_piano_di)
# obj: a Periodo.
rules.add_perm("indicatori.chiude_periodo", is_ufficio_piano_di)
rules.add_perm("indicatori.riapre_periodo", is_ufficio_piano_di)
rules.add_perm("indicatori.consulta_revisione", legge_ambito_di)
# The Ambito's dashboard (without it: the dashboard of the Operatore's Comune).
rules.add_perm("indicatori.consulta_cruscotto_ambito", legge_ambito)
# obj: the Ambito of the Relazione di monitoraggio.
rules.add_perm("indicatori.genera_relazione", legge_ambito_di)
# The calendar of the periods (obj: the Ambito for creating, else the Periodo).
rules.add_perm("indicatori.crea_periodo", is_ufficio_piano_di)
rules.add_perm("indicatori.modifica_periodo", is_ufficio_piano_di)
rules.add_perm("indicatori.elimina_periodo", is_ufficio_piano_di)
# The catalogue of indicators (obj: the Piano for creating, else the Indicatore).
rules.add_perm("indicatori.crea_indicatore", is_ufficio_piano_di)
rules.add_perm("indicatori.modifica_indicatore", can_edit_object)
rules.add_perm("indicatori.elimina_indicatore", can_edit_object)

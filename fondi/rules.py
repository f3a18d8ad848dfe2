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
rules.add_perm("fondi.modifica_atto", can_edit_object)

# PNRR reporting (ReGiS). The lead Ambito's Ufficio di Piano writes milestone and
# target, spending records and domande di rimborso, and attests the controls; the
# Revisore (and the partner Ambiti) read them (scoping: `visible_to`).
rules.add_perm("fondi.modifica_obiettivoprogetto", can_edit_object)
rules.add_perm("fondi.modifica_avanzamentoobiettivo", can_edit_object)
rules.add_perm("fondi.modifica_giustificativo", can_edit_object)
rules.add_perm("fondi.elimina_giustificativo", can_edit_object)
rules.add_perm("fondi.modifica_rendicontazione", can_edit_object)
# obj: the domanda di rimborso. Sending, recording the outcome, reopening a rejected one.
rules.add_perm("fondi.cambia_stato_rendicontazione", can_edit_object)
rules.add_perm("fondi.attesta_controllo", can_edit_object)

# Candidatures to a notice: the capofila Ambito's Ufficio di Piano writes them, their
# partners and investments (obj: the row; adding a row asks modifica_candidatura).
rules.add_perm("fondi.crea_candidatura", is_ufficio_piano)
rules.add_perm("fondi.modifica_candidatura", can_edit_object)
rules.add_perm("fondi.modifica_partecipazionecandidatura", can_edit_object)
rules.add_perm("fondi.modifica_lineacandidatura", can_edit_object)
# Bodies in a project (adding one asks modifica_progetto on the project).
rules.add_perm("fondi.modifica_partnerprogetto", can_edit_object)
# Own funds: an Ufficio di Piano adds sources and lines of its Ambito; the national
# tree (no Ambito) is outside every editable_by but the superuser's.
rules.add_perm("fondi.crea_fontefinanziamento", is_ufficio_piano)
rules.add_perm("fondi.modifica_fontefinanziamento", can_edit_object)
rules.add_perm("fondi.crea_lineafinanziamento", is_ufficio_piano)
rules.add_perm("fondi.modifica_lineafinanziamento", can_edit_object)

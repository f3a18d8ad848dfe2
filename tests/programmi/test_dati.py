"""The fixture holds both Piani di Zona as the Piano 2025-2027 prints them."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from fondi.models import Progetto
from programmi import selectors
from programmi.choices import Adeguatezza, CoincidenzaRisorse, StatoPiano
from programmi.models import (
    AttivitaPremiale,
    Obiettivo,
    PianoDiZona,
    ProgettoPremiale,
    Scheda,
    Valutazione,
    VoceScheda,
)

# Section 1.2: % reached and resources spent on allocated, per general objective.
GRADI_2022 = {
    "1": (80, CoincidenzaRisorse.PARI),
    "2": (60, CoincidenzaRisorse.PARI),
    "3": (60, CoincidenzaRisorse.PARI),
    "4": (50, CoincidenzaRisorse.PARI),
    "5": (67, CoincidenzaRisorse.INFERIORE),
    "6": (50, CoincidenzaRisorse.INFERIORE),
    "7": (78, CoincidenzaRisorse.SUPERIORE),
    "8": (90, CoincidenzaRisorse.PARI),
    "9": (60, CoincidenzaRisorse.PARI),
    "10": (50, CoincidenzaRisorse.PARI),
}
BUDGET_2025 = {
    1: Decimal("195000.00"),
    2: Decimal("357499.00"),
    3: Decimal("710000.00"),
    4: Decimal("1090000.00"),
    5: Decimal("120000.00"),
}


def test_both_plans_are_loaded(visconteo):
    piani = {p.anno_inizio: p for p in PianoDiZona.objects.filter(ambito=visconteo)}
    assert sorted(piani) == [2022, 2025]
    assert (piani[2022].anno_fine, piani[2022].stato) == (2024, StatoPiano.CONCLUSO)
    assert (piani[2025].anno_fine, piani[2025].stato) == (2027, StatoPiano.IN_VIGORE)
    assert "prorogato fino al 2024" in piani[2022].note
    assert piani[2025].atto_approvazione.startswith("Accordo di Programma")


def test_macro_areas_of_both_plans(piano_2022, piano_2025):
    assert [str(a) for a in piano_2022.macro_aree.order_by("lettera")] == [
        "A. Contrasto alle povertà",
        "B. Inclusione sociale",
        "C. Minori e famiglie",
        "D. Disabilità e non autosufficienza",
        "E. Azioni di sistema",
    ]
    assert piano_2025.macro_aree.count() == 4


def test_objective_tree_of_2022(piano_2022):
    generali = Obiettivo.objects.filter(piano=piano_2022, parent__isnull=True)
    assert list(generali.values_list("numero", flat=True)) == [str(n) for n in range(1, 11)]
    specifici = {
        o.numero: list(o.specifici.order_by("ordinamento").values_list("numero", flat=True))
        for o in generali
    }
    assert specifici["1"] == ["1.1", "1.2", "1.3", "1.4"]
    assert specifici["3"] == ["3.1", "3.2", "3.3", "3.4"]
    assert specifici["7"] == ["7.1", "7.2", "7.3"]
    assert specifici["10"] == ["10.1"]
    # Specific objectives take their general objective's macro-area.
    assert Obiettivo.objects.get(piano=piano_2022, numero="7.2").macro_area.lettera == "D"
    assert Obiettivo.objects.get(piano=piano_2022, numero="2").tema == "Rete antiviolenza"


def test_each_objective_percentage_matches_the_piano(piano_2022):
    valutazioni = Valutazione.objects.filter(
        obiettivo__piano=piano_2022, obiettivo__parent__isnull=True
    ).select_related("obiettivo")
    trovati = {
        v.obiettivo.numero: (v.grado_raggiungimento, v.coincidenza_risorse) for v in valutazioni
    }
    assert trovati == GRADI_2022


def test_evaluation_is_split_per_specific_objective_where_the_piano_splits_it(piano_2022):
    def valutazione(numero):
        return Valutazione.objects.get(obiettivo__piano=piano_2022, obiettivo__numero=numero)

    assert valutazione("1").adeguatezza_risorse == Adeguatezza.SUFFICIENTE
    assert valutazione("2").adeguatezza_risorse == Adeguatezza.INSUFFICIENTE
    assert valutazione("1.3").continuita is True
    assert valutazione("1.1").continuita is False
    assert valutazione("3.3").risposto_bisogno is False
    assert valutazione("3.2").riproposto is None  # the Piano answers with a doubt only
    assert valutazione("5.4").riproposto is False
    assert "turn over dei Coach" in valutazione("5.2").criticita
    assert (
        "Équipe Ufficio di Piano – Area Abitare: 2 operatori" in valutazione("1").risorse_personale
    )


def test_premial_projects_and_their_activity_lines(piano_2022):
    progetti = list(selectors.progetti_premiali(piano=piano_2022))
    assert [p.titolo for p in progetti] == [
        "La Vita Indipendente si A.M.A.",
        "Co-housing sperimentale per la salute mentale e costruzione di una rete per il suo "
        "sostegno",
        "Digital community – verso una cittadinanza digitale diffusa",
    ]
    assert [p.numero_attivita for p in progetti] == [13, 8, 14]
    cohousing = progetti[1]
    assert [a.percentuale for a in cohousing.attivita.all()] == [100] * 6 + [50, 50]
    assert cohousing.media_completamento == pytest.approx(87.5)
    formazione = AttivitaPremiale.objects.get(
        progetto__piano=piano_2022, attivita="Formazione volontari"
    )
    assert formazione.percentuale == 25


def test_the_five_schede_with_their_budgets(piano_2025):
    schede = Scheda.objects.filter(piano=piano_2025).order_by("numero")
    assert {s.numero: s.budget for s in schede} == BUDGET_2025
    assert selectors.totale_budget_schede(piano=piano_2025) == Decimal("2472499.00")
    assert [s.obiettivo.numero for s in schede] == ["3", "2", "2", "2", "1"]
    # A scheda of a PNRR line is linked to the Ambito's project on that line when the
    # fondi data holds it; the other schede have no project.
    linee = {2: "PNRR-M5C2-1.2", 3: "PNRR-M5C2-1.3.1", 4: "PNRR-M5C2-1.3.2"}
    for scheda in schede:
        atteso = None
        if scheda.numero in linee:
            atteso = Progetto.objects.filter(
                ambito=piano_2025.ambito, linea__codice=linee[scheda.numero]
            ).first()
        assert scheda.progetto == atteso


def test_scheda_lists_are_in_the_piano_order(piano_2025):
    scheda_2 = Scheda.objects.get(piano=piano_2025, numero=2)
    elenchi = scheda_2.elenchi
    assert len(elenchi["obiettivi"]) == 7
    assert elenchi["obiettivi"][0] == "Coinvolgimento di due gruppi di tre beneficiari ciascuno;"
    assert elenchi["obiettivi"][-1].startswith("Riprogettazione del servizio da aprile 2026")
    assert elenchi["azioni"][0] == "Individuazione dei 6 beneficiari;"
    assert elenchi["azioni"][-1].startswith("Analisi di sostenibilità del progetto da aprile 2026")
    scheda_1 = Scheda.objects.get(piano=piano_2025, numero=1)
    assert len(scheda_1.elenchi["destinatari"]) == 14
    assert len(scheda_1.elenchi["punti_chiave"]) == 9
    assert scheda_1.elenchi["azioni"][0].startswith("Realizzare una Cabina di regia di Ambito")


def test_scheda_answers_of_the_regional_template(piano_2025):
    schede = {s.numero: s for s in Scheda.objects.filter(piano=piano_2025)}
    assert [schede[n].asst_analisi for n in range(1, 6)] == [False] * 5
    assert [schede[n].asst_realizzazione for n in range(1, 6)] == [True, True, False, False, True]
    assert [schede[n].coprogettato_ets for n in range(1, 6)] == [False, True, True, True, False]
    assert schede[2].coprogrammato_ets is None  # answered with a sentence only
    assert schede[1].tipo_obiettivo == "Promozionale, preventivo"
    assert schede[5].digitalizzazione is True
    assert "GSE" in schede[4].note_risorse


def test_loading_again_changes_nothing(visconteo):
    def conteggi():
        return [
            m.objects.count()
            for m in (PianoDiZona, Obiettivo, Valutazione, Scheda, VoceScheda, ProgettoPremiale)
        ] + [AttivitaPremiale.objects.count()]

    prima = conteggi()
    voci = list(VoceScheda.objects.order_by("pk").values_list("pk", "testo"))
    call_command("carica_dati", stdout=StringIO())
    assert conteggi() == prima
    assert list(VoceScheda.objects.order_by("pk").values_list("pk", "testo")) == voci

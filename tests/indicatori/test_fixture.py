"""The loaded data matches the Piano di Zona 2025-2027 (section 7.2, Tab. 9-12 and 14,
the DATI of section 4) and the demo set is labelled as such."""

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command

from indicatori.choices import StatoPeriodo, StatoValore, UnitaMisura
from indicatori.models import (
    Indicatore,
    IndicatoreContesto,
    Periodo,
    Valore,
    ValoreContesto,
)

pytestmark = pytest.mark.django_db

# Section 7.2 of the Piano: how many indicators of each kind every scheda's table has.
TABELLE = {
    1: {"input": 5, "output": 4, "processo": 4, "outcome": 4},
    2: {"input": 6, "output": 2, "processo": 5, "outcome": 1},
    3: {"input": 2, "output": 2, "processo": 3, "outcome": 1},
    4: {"input": 1, "output": 4, "processo": 3, "outcome": 4},
    5: {"input": 8, "output": 5, "processo": 7, "outcome": 3},
}

# Every quantified target (valore atteso) of the four tables, as printed.
VALORI_ATTESI = [
    # PNRR 1.2 - Percorsi di autonomia per persone con disabilità
    (2, "output", "Appartamenti allestiti", 2),
    (2, "output", "Giovani lavoratori con disabilità", 6),
    (2, "processo", "Progettazioni individualizzate fatte", 6),
    (2, "processo", "Alloggi reperiti", 2),
    (2, "processo", "Rivalutazione delle condizioni abitative", 1),
    (2, "processo", "Alloggi adattati", 2),
    (2, "processo", "Azioni di collegamento", 2),
    (2, "outcome", "N. persone con disabilità che si sono rese autonome", 6),
    # PNRR 1.3.1 - Housing First e Led
    (3, "output", "Alloggi per nuclei o persone in difficoltà abitative", 4),
    (3, "output", "Regolamento distrettuale", 1),
    (3, "processo", "Alloggi pubblici per l'housing led", 4),
    (3, "processo", "Beneficiari coinvolti", 10),
    (3, "processo", "Realtà del Terzo Settore", 3),
    (3, "outcome", "N. di persone o nuclei inseriti nel progetto", 5),
    # PNRR 1.3.2 - Centro servizi per il contrasto alle povertà
    (4, "output", "Presa in carico di almeno 82 beneficiari", 82),
    (4, "processo", "Associazioni del Terzo Settore coinvolte", 3),
    (4, "outcome", "% di persone prese in carico reinserite in percorsi lavorativi", 10),
    (4, "outcome", "% di persone prese in carico reinserite in progetto di formazione", 5),
    (4, "outcome", "% di persone prese in carico reinserite in altri percorsi", 15),
    (4, "outcome", "% di persone prese in carico gestite con la collaborazione", 10),
    # Gestione associata
    (5, "output", "% di partecipazione degli iscritti ai percorsi di formazione", 80),
    (5, "output", "N. Comuni che hanno adottato i regolamenti di Ambito", 8),
    (5, "output", "% di Piani di Programmazione di Ambito approvati", 90),
    (5, "output", "% di raggiungimento dei LEPS", 80),
    (5, "output", "% dei Comuni che utilizzano la CSI", 100),
    (5, "processo", "Percorsi di formazione erogati al personale", 3),
    (5, "processo", "Regolamenti di Ambito nel triennio", 3),
    (5, "processo", "Piani di Programmazione di Ambito", 2),
    (5, "processo", "Piano Generale di utilizzo risorse economiche", 1),
    (5, "processo", "Servizi in gestione associata mantenuti", 15),
    (5, "processo", "Comunicazioni con logo di Ambito", 10),
    (5, "outcome", "Medesimi diritti esigibili per i cittadini degli 11 Comuni", 3),
]


def _del_piano(piano):
    return Indicatore.objects.filter(piano=piano, previsto_dal_piano=True, scheda__isnull=False)


def test_every_table_of_section_7_2_is_loaded(piano):
    for numero, attesi in TABELLE.items():
        tipi = Counter(
            _del_piano(piano).filter(scheda__numero=numero).values_list("tipo", flat=True)
        )
        assert dict(tipi) == attesi, f"scheda {numero}"
    assert _del_piano(piano).count() == 17 + 14 + 8 + 12 + 23


@pytest.mark.parametrize("scheda, tipo, nome, atteso", VALORI_ATTESI)
def test_targets_match_the_piano(piano, scheda, tipo, nome, atteso):
    indicatore = _del_piano(piano).get(scheda__numero=scheda, tipo=tipo, nome__startswith=nome)
    assert indicatore.valore_atteso == Decimal(atteso)


def test_every_quantified_target_is_in_the_list_above(piano):
    quantificati = _del_piano(piano).filter(valore_atteso__isnull=False).count()
    assert quantificati == len(VALORI_ATTESI)


def test_outcome_percentages_of_1_3_2_are_computed_from_counts(indicatore):
    beneficiari = indicatore("4.OUT.4")
    for codice in ("4.IMP.1", "4.IMP.2", "4.IMP.3", "4.IMP.4"):
        percentuale = indicatore(codice)
        assert percentuale.unita == UnitaMisura.PERCENTUALE
        assert percentuale.denominatore == beneficiari
        assert percentuale.numeratore.unita == UnitaMisura.CONTEGGIO
        assert not percentuale.numeratore.previsto_dal_piano


def test_pnrr_targets_are_due_by_31_march_2026(indicatore):
    assert indicatore("2.OUT.1").data_target == datetime.date(2026, 3, 31)
    assert indicatore("4.OUT.4").data_target == datetime.date(2026, 3, 31)
    assert indicatore("4.OUT.3").data_target == datetime.date(2025, 12, 31)
    assert indicatore("5.OUT.2").data_target == datetime.date(2027, 12, 31)


def test_qualitative_targets_keep_the_piano_text(indicatore):
    assert indicatore("4.OUT.1").unita == UnitaMisura.TESTO
    assert indicatore("4.OUT.1").valore_atteso is None
    assert indicatore("4.OUT.4").valore_atteso_testo == "almeno 82"


def test_schede_are_those_of_the_2025_2027_plan(piano):
    numeri = set(_del_piano(piano).values_list("scheda__numero", flat=True))
    assert numeri == {1, 2, 3, 4, 5}
    assert set(_del_piano(piano).values_list("scheda__piano__anno_inizio", flat=True)) == {2025}


def _storico(codice, periodo):
    return Valore.objects.filter(indicatore__codice=codice, periodo__codice=periodo)


def test_misura_b2_beneficiaries_by_category():
    for periodo, attesi in {
        "2022": {"anziani": 36, "disabili": 47, "minori": 48},
        "2023": {"anziani": 33, "disabili": 53, "minori": 73},
    }.items():
        valori = dict(
            _storico("SRV.B2", periodo).values_list("categoria__codice", "valore_numerico")
        )
        assert valori == {k: Decimal(v) for k, v in attesi.items()}
    # The categories make the total: 36 + 47 + 48 = 131; 33 + 53 + 73 = 159.
    assert Indicatore.objects.get(codice="SRV.B2").categorie_esaustive


def test_pronto_intervento_sociale_2023_by_comune():
    valori = dict(_storico("SRV.PIS", "2023").values_list("comune__nome", "valore_numerico"))
    assert valori == {
        "Rozzano": Decimal(11),
        "Opera": Decimal(2),
        "Locate di Triulzi": Decimal(1),
        "Pieve Emanuele": Decimal(1),
    }
    assert sum(valori.values()) == 15  # "N. 15 interventi realizzati"


def test_history_periods_are_closed_and_approved():
    for codice in ("2022", "2023", "2024"):
        periodo = Periodo.objects.get(codice=codice)
        assert periodo.stato == StatoPeriodo.CHIUSO
        assert not periodo.dimostrativo
    assert set(
        Valore.objects.filter(periodo__codice__in=["2022", "2023", "2024"]).values_list(
            "stato", flat=True
        )
    ) == {StatoValore.APPROVATO}


def test_demo_values_are_labelled_and_one_period_is_open():
    demo = Periodo.objects.filter(dimostrativo=True).order_by("data_inizio")
    assert [p.codice for p in demo] == ["2025-s1", "2025-s2"]
    assert [p.stato for p in demo] == [StatoPeriodo.CHIUSO, StatoPeriodo.APERTO]
    assert not Valore.objects.filter(periodo__in=demo, dimostrativo=False).exists()
    assert not Valore.objects.filter(dimostrativo=True).exclude(periodo__in=demo).exists()
    # Left for the demo operators.
    aperto = demo.get(codice="2025-s2")
    assert not Valore.objects.filter(
        periodo=aperto, comune__nome__in=["Rozzano", "Binasco"]
    ).exists()


# Tab. 9-12 and 14: a few cells of each table, as printed.
CONTESTO = [
    ("tasso-natalita", "Binasco", 2021, "4.9"),
    ("tasso-natalita", "Locate di Triulzi", 2024, "8.3"),
    ("indice-vecchiaia", "Binasco", 2024, "236.2"),
    ("indice-vecchiaia", "Zibido San Giacomo", 2021, "118"),
    ("tasso-mortalita", "Binasco", 2020, "12.8"),
    ("indice-dipendenza-anziani", "Opera", 2021, "43.5"),
    ("indice-dipendenza-anziani", "Rozzano", 2024, "33.6"),
]


@pytest.mark.parametrize("codice, comune, anno, valore", CONTESTO)
def test_context_tables(codice, comune, anno, valore):
    riga = ValoreContesto.objects.get(
        indicatore__codice=codice, comune__nome=comune, data_inizio=datetime.date(anno, 1, 1)
    )
    assert riga.valore == Decimal(valore)


def test_context_indicators_have_source_and_reference_date():
    natalita = IndicatoreContesto.objects.get(codice="tasso-natalita")
    assert natalita.fonte == "ats" and natalita.tabella == "Tab. 9"
    assert natalita.data_riferimento == datetime.date(2024, 9, 30)
    rdc = IndicatoreContesto.objects.get(codice="domande-rdc")
    riga = rdc.valori.get(comune__nome="Rozzano")
    assert (riga.data_inizio, riga.data_fine, riga.valore) == (
        datetime.date(2019, 3, 1),
        datetime.date(2023, 12, 31),
        Decimal(1803),
    )
    assert ValoreContesto.objects.filter(indicatore__codice="domande-adi").count() == 12


def test_loading_twice_changes_nothing():
    prima = (Valore.history.count(), Indicatore.history.count(), ValoreContesto.history.count())
    call_command("carica_dati", stdout=open("/dev/null", "w"))
    dopo = (Valore.history.count(), Indicatore.history.count(), ValoreContesto.history.count())
    assert prima == dopo


def test_indicators_take_the_area_of_their_scheda_or_service(piano):
    from indicatori.models import Indicatore
    from indicatori.services import indicatore_save

    aree = dict(Indicatore.objects.filter(piano=piano).values_list("codice", "area__codice"))
    assert aree["3.OUT.1"] == "politiche-abitative"  # scheda 3, Housing First
    assert aree["4.OUT.4"] == "poverta-inclusione"
    misura_b2 = Indicatore.objects.get(piano=piano, codice="SRV.B2")
    assert aree["SRV.B2"] == misura_b2.servizio.area.codice
    # An indicator of a service left without an area takes the service's when saved.
    misura_b2.area = None
    indicatore_save(indicatore=misura_b2)
    misura_b2.refresh_from_db()
    assert misura_b2.area == misura_b2.servizio.area

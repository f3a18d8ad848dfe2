"""Aggregates computed in SQL, checked against numbers computed by hand."""

import datetime
import pickle
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ambito.models import Comune
from indicatori import selectors
from indicatori.choices import (
    AggregazioneComuni,
    Direzione,
    StatoAvanzamento,
    StatoValore,
    UnitaMisura,
)
from indicatori.models import Periodo

from .factories import IndicatoreFactory, ValoreFactory

pytestmark = pytest.mark.django_db

# Residents in 2023 (Tab. 2 of the Piano), the weights of any period after 2023.
RESIDENTI_2023 = {
    "Basiglio": 7980,
    "Binasco": 7095,
    "Casarile": 3942,
    "Lacchiarella": 9073,
    "Locate di Triulzi": 10306,
    "Noviglio": 4538,
    "Opera": 14295,
    "Pieve Emanuele": 15697,
    "Rozzano": 41370,
    "Vernate": 3358,
    "Zibido San Giacomo": 6767,
}


def ambito_di(indicatore, periodo, user):
    aggregati = selectors.aggregati_per_periodo(
        fetched_by=user, indicatori=[indicatore], periodi=[periodo]
    )
    return selectors.valore_ambito(indicatore, periodo.pk, aggregati)


def test_sum_over_the_comuni(ufficio_piano, indicatore):
    pis = indicatore("SRV.PIS")
    anno_2023 = Periodo.objects.get(codice="2023")
    # Piano, Pronto Intervento Sociale 2023: 11 Rozzano + 2 Opera + 1 Locate + 1 Pieve.
    assert ambito_di(pis, anno_2023, ufficio_piano) == 11 + 2 + 1 + 1 == 15


def test_sum_over_the_eleven_comuni(ufficio_piano, indicatore, chiuso):
    # Demo 2025 S1, contacts between services, Basiglio ... Zibido San Giacomo:
    assert (
        ambito_di(indicatore("1.OUT.1"), chiuso, ufficio_piano)
        == (6 + 5 + 3 + 7 + 8 + 3 + 10 + 12 + 30 + 2 + 6)
        == 92
    )


def test_population_weighted_average_over_the_eleven_comuni(ufficio_piano, piano, aperto):
    media = IndicatoreFactory(
        piano=piano,
        unita=UnitaMisura.PERCENTUALE,
        aggregazione_comuni=AggregazioneComuni.MEDIA_PESATA,
    )
    percentuali = dict(
        zip(RESIDENTI_2023, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 0], strict=True)
    )
    for comune in Comune.objects.filter(ambito=aperto.ambito):
        ValoreFactory(
            indicatore=media,
            periodo=aperto,
            comune=comune,
            valore_numerico=Decimal(percentuali[comune.nome]),
            stato=StatoValore.APPROVATO,
        )
    # 2025 has no residents: the weights are those of 2023, the latest year known.
    #   7980*10 + 7095*20 + 3942*30 + 9073*40 + 10306*50 + 4538*60 + 14295*70
    #   + 15697*80 + 41370*90 + 3358*100 + 6767*0
    # = 79800 + 141900 + 118260 + 362920 + 515300 + 272280 + 1000650 + 1255760
    #   + 3723300 + 335800 + 0 = 7805970;  residents 124421;  7805970 / 124421 = 62.738...
    assert sum(RESIDENTI_2023.values()) == 124_421
    valore = ambito_di(media, aperto, ufficio_piano)
    assert valore.quantize(Decimal("0.001")) == Decimal("62.738")
    assert valore == Decimal(7_805_970) / Decimal(124_421)
    # Rozzano weighs a third of the Ambito: the plain mean of the eleven would be 50.


def test_weights_are_the_residents_of_the_period_year(ufficio_piano, piano, rozzano, binasco):
    media = IndicatoreFactory(
        piano=piano,
        unita=UnitaMisura.PERCENTUALE,
        aggregazione_comuni=AggregazioneComuni.MEDIA_PESATA,
        periodicita="annuale",
    )
    anno_2022 = Periodo.objects.get(codice="2022")
    ValoreFactory(
        indicatore=media,
        periodo=anno_2022,
        comune=rozzano,
        valore_numerico=10,
        stato=StatoValore.APPROVATO,
    )
    ValoreFactory(
        indicatore=media,
        periodo=anno_2022,
        comune=binasco,
        valore_numerico=40,
        stato=StatoValore.APPROVATO,
    )
    # Residents 2022: Rozzano 41435, Binasco 7086.
    # (41435*10 + 7086*40) / (41435 + 7086) = (414350 + 283440) / 48521 = 697790 / 48521
    assert ambito_di(media, anno_2022, ufficio_piano) == Decimal(697_790) / Decimal(48_521)


def test_exhaustive_categories_make_the_total(ufficio_piano, indicatore):
    b2 = indicatore("SRV.B2")
    anno_2023 = Periodo.objects.get(codice="2023")
    assert ambito_di(b2, anno_2023, ufficio_piano) == 33 + 53 + 73 == 159


def test_over_periods_sum_or_last_value(ufficio_piano, indicatore):
    periodi = list(
        Periodo.objects.filter(codice__in=["2022", "2023", "2024"]).order_by("data_fine")
    )
    pis, b2 = indicatore("SRV.PIS"), indicatore("SRV.B2")
    aggregati = selectors.aggregati_per_periodo(
        fetched_by=ufficio_piano, indicatori=[pis, b2], periodi=periodi
    )
    # PIS adds up: 15 (2023) + 8 (2024, January-November) = 23, in two periods with data.
    assert selectors.combina_periodi(pis, [p.pk for p in periodi], aggregati) == (Decimal(23), 2)
    # Misura B2 beneficiaries are a yearly stock: the last value, 159 in 2023.
    assert selectors.combina_periodi(b2, [p.pk for p in periodi], aggregati) == (Decimal(159), 2)


def test_a_percentage_computed_from_two_counts(ufficio_piano, indicatore, chiuso):
    lavoro = indicatore("4.IMP.1")
    # 2025 S1: persons back to work 0+0+0+0+1+0+1+1+2+0+0 = 5, taken in charge
    # 2+2+1+3+3+1+5+6+16+1+2 = 42; 5 / 42 * 100 = 11.90%.
    assert ambito_di(lavoro, chiuso, ufficio_piano) == Decimal(5) * 100 / Decimal(42)


def test_only_approved_values_count(ufficio_piano, indicatore, aperto):
    # 2025 S2 beneficiaries approved: Basiglio 3, Casarile 1, Lacchiarella 3, Noviglio 1,
    # Pieve Emanuele 6 (Locate, Opera and Zibido sent, Vernate in draft, not approved).
    assert ambito_di(indicatore("4.OUT.4"), aperto, ufficio_piano) == 3 + 1 + 3 + 1 + 6


# --- progress against target -------------------------------------------------------


@pytest.fixture
def obiettivo(piano):
    """Target 10 within 2 years (1/1/2025 - 1/1/2027)."""
    return IndicatoreFactory(
        piano=piano,
        valore_atteso=Decimal(10),
        rilevazione_dal=datetime.date(2025, 1, 1),
        data_target=datetime.date(2027, 1, 1),
    )


META = datetime.date(2026, 1, 1)  # 365 of 730 days: half the time elapsed


@pytest.mark.parametrize(
    "valore, stato",
    [
        (Decimal(10), StatoAvanzamento.IN_LINEA),  # target reached
        (Decimal(5), StatoAvanzamento.IN_LINEA),  # 50% done at 50% of the time
        (Decimal("4.5"), StatoAvanzamento.IN_LINEA),  # 45% / 50% = 0.9
        (Decimal(4), StatoAvanzamento.A_RISCHIO),  # 40% / 50% = 0.8
        (Decimal(3), StatoAvanzamento.A_RISCHIO),  # 30% / 50% = 0.6
        (Decimal(2), StatoAvanzamento.CRITICO),  # 20% / 50% = 0.4
    ],
)
def test_status_accounts_for_the_time_elapsed(obiettivo, valore, stato):
    risultato = selectors.valuta(obiettivo, valore, 1, META)
    assert risultato.tempo_trascorso == 50
    assert risultato.atteso_ad_oggi == 5
    assert risultato.percentuale == valore * 10
    assert risultato.stato == stato


def test_the_same_value_is_critical_later(obiettivo):
    # 4 of 10 is fine after 3 months (25% of the time) and critical at the deadline.
    assert selectors.valuta(obiettivo, Decimal(4), 1, datetime.date(2025, 7, 2)).stato == (
        StatoAvanzamento.IN_LINEA
    )
    assert selectors.valuta(obiettivo, Decimal(4), 1, datetime.date(2027, 6, 1)).stato == (
        StatoAvanzamento.CRITICO
    )


def test_lower_is_better_from_a_baseline(obiettivo):
    obiettivo.direzione = Direzione.DECRESCENTE
    obiettivo.baseline = Decimal(20)  # from 20 down to 10
    risultato = selectors.valuta(obiettivo, Decimal(16), 1, META)
    # expected today 15; done 20-16 = 4 of the 10 to go: 40% at 50% of the time.
    assert risultato.atteso_ad_oggi == 15
    assert risultato.percentuale == 40
    assert risultato.stato == StatoAvanzamento.A_RISCHIO


def test_without_data_or_target_the_status_is_not_assessed(obiettivo, indicatore):
    assert selectors.valuta(obiettivo, None, 0, META).stato == StatoAvanzamento.NON_VALUTABILE
    assert selectors.valuta(indicatore("1.OUT.1"), Decimal(5), 1, META).stato == (
        StatoAvanzamento.NON_VALUTABILE
    )


def test_progress_of_the_82_beneficiaries(ufficio_piano, indicatore):
    (avanzamento,) = selectors.avanzamento_indicatori(
        fetched_by=ufficio_piano, indicatori=[indicatore("4.OUT.4")], al=datetime.date(2026, 11, 23)
    )
    # 2025 S1 42 + 2025 S2 approved 14 = 56 of 82 = 68.3%; the target date (31/03/2026)
    # has passed, so 100% of the time elapsed: 0.68 of the expected, "a rischio".
    assert avanzamento.valore == 56
    assert avanzamento.percentuale.quantize(Decimal("0.1")) == Decimal("68.3")
    assert avanzamento.tempo_trascorso == 100
    assert avanzamento.stato == StatoAvanzamento.A_RISCHIO


def test_progress_per_scheda(ufficio_piano, piano):
    avanzamenti = selectors.avanzamento_indicatori(
        fetched_by=ufficio_piano, piano=piano, al=datetime.date(2026, 11, 23)
    )
    schede = selectors.riepilogo_schede(avanzamenti)
    assert [s.scheda.numero for s in schede if s.scheda] == [1, 2, 3, 4, 5]
    assert schede[-1].scheda is None  # service indicators last
    # 82 indicators less 22 needs (input) and 4 counts added for the percentages.
    assert sum(s.totale for s in schede) == len(avanzamenti) == 82 - 22 - 4
    quarta = schede[3]
    assert quarta.conteggi[StatoAvanzamento.A_RISCHIO] >= 1


def test_progress_runs_a_fixed_number_of_queries(
    ufficio_piano, piano, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        selectors.avanzamento_indicatori(fetched_by=ufficio_piano, piano=piano)


def test_progress_shares_one_plan_and_scheda_object_per_id(ufficio_piano, piano):
    """select_related made one Piano and one Scheda per indicator: the cached list
    pickled each. Shared, they are pickled once, and read back shared."""
    avanzamenti = selectors.avanzamento_indicatori.__wrapped__(
        fetched_by=ufficio_piano, piano=piano
    )
    letti = pickle.loads(pickle.dumps(avanzamenti))
    for righe in (avanzamenti, letti):
        indicatori = [a.indicatore for a in righe]
        assert len({id(i.piano) for i in indicatori}) == 1
        schede = {i.scheda_id for i in indicatori if i.scheda_id}
        assert len({id(i.scheda) for i in indicatori if i.scheda_id}) == len(schede) > 1
        assert all(i.scheda.pk == i.scheda_id for i in indicatori if i.scheda_id)
    assert [(a.indicatore.codice, a.valore, a.stato) for a in letti] == [
        (a.indicatore.codice, a.valore, a.stato) for a in avanzamenti
    ]


def test_indicators_read_as_visible_are_not_looked_up_again(ufficio_piano, piano):
    """The progress reads its indicators with the user's visibility: the aggregates
    look up only the operands of the computed ones, with the same figures."""
    indicatori = list(
        selectors.indicatori_visibili(fetched_by=ufficio_piano).filter(
            piano=piano,
            previsto_dal_piano=True,  # the operands of the ratios are not
        )
    )
    operandi = {
        pk for i in indicatori if i.calcolato for pk in (i.numeratore_id, i.denominatore_id)
    } - {i.pk for i in indicatori}
    semplici = [i for i in indicatori if not i.calcolato]
    for lista, cercati in ((indicatori, operandi), (semplici, set())):
        with CaptureQueriesContext(connection) as letti:
            noti = selectors.aggregati_per_periodo(
                fetched_by=ufficio_piano, indicatori=lista, visibili=True
            )
        ricerche = [q["sql"] for q in letti if 'FROM "indicatori_indicatore"' in q["sql"]]
        assert len(ricerche) == (1 if cercati else 0)
        assert noti == selectors.aggregati_per_periodo(fetched_by=ufficio_piano, indicatori=lista)
    assert operandi  # the Piano has computed indicators


def test_operators_see_the_ambito_progress(operatore_rozzano, ufficio_piano, piano):
    al = datetime.date(2026, 11, 23)
    suoi = selectors.avanzamento_indicatori(fetched_by=operatore_rozzano, piano=piano, al=al)
    udp = selectors.avanzamento_indicatori(fetched_by=ufficio_piano, piano=piano, al=al)
    assert [(a.indicatore.codice, a.valore) for a in suoi] == [
        (a.indicatore.codice, a.valore) for a in udp
    ]


# --- completeness ---------------------------------------------------------------------


def test_completeness_of_the_open_period(ufficio_piano, aperto):
    righe = {
        r.comune.nome: r
        for r in selectors.completezza_periodo(
            fetched_by=ufficio_piano, periodo=aperto, oggi=datetime.date(2026, 11, 23)
        )
    }
    assert len(righe) == 11
    # 18 per-Comune indicators due in the second half: 16 half-yearly + 2 yearly.
    assert {r.attesi for r in righe.values()} == {18}
    basiglio = righe["Basiglio"]
    assert (basiglio.inviati, basiglio.approvati, basiglio.percentuale) == (18, 18, 100)
    assert basiglio.stato == "Inviato nei termini" and not basiglio.in_ritardo
    assert righe["Zibido San Giacomo"].stato == "Inviato in ritardo"  # sent 12/02/2026
    assert righe["Pieve Emanuele"].respinti == 1
    assert righe["Pieve Emanuele"].stato == "Invio parziale"
    assert (righe["Vernate"].compilati, righe["Vernate"].inviati) == (18, 0)
    assert righe["Rozzano"].stato == "Non inviato" and righe["Rozzano"].in_ritardo
    totale = selectors.completezza_ambito(list(righe.values()))
    # Sent: 18 x 7 (Basiglio, Casarile, Lacchiarella, Noviglio, Locate, Opera, Zibido)
    # + 17 (Pieve) = 143 of 18 x 11 = 198.
    assert totale["percentuale"] == Decimal(143) * 100 / Decimal(198)
    assert totale["comuni_completi"] == 7


def test_an_operator_sees_his_comune_completeness(operatore_rozzano, aperto):
    righe = selectors.completezza_periodo(fetched_by=operatore_rozzano, periodo=aperto)
    assert [r.comune.nome for r in righe] == ["Rozzano"]


# --- beneficiaries per Comune ---------------------------------------------------------


def test_beneficiaries_per_comune_and_period(ufficio_piano, operatore_rozzano, chiuso):
    righe = selectors.beneficiari_per_comune(fetched_by=ufficio_piano, periodi=[chiuso])
    per_comune = {r.comune.nome: r.totale for r in righe}
    # Rozzano 2025 S1: housing beneficiaries 2 + poverty centre 16 = 18.
    assert per_comune["Rozzano"] == 2 + 16
    assert sum(per_comune.values()) == (1 + 1 + 1 + 2) + 42  # 3.PRO.2 + 4.OUT.4
    suoi = selectors.beneficiari_per_comune(fetched_by=operatore_rozzano, periodi=[chiuso])
    assert [(r.comune.nome, r.totale) for r in suoi] == [("Rozzano", 18)]


# --- context tables -----------------------------------------------------------------


def test_context_tables_compute_and_compare_with_print(ufficio_piano, visconteo):
    tabelle = {
        t.indicatore.codice: t
        for t in selectors.tabelle_contesto(fetched_by=ufficio_piano, ambito=visconteo)
    }
    rdc = tabelle["domande-rdc"]
    assert rdc.calcolati == [Decimal(3020)] and rdc.differenze == [False]
    natalita = tabelle["tasso-natalita"]
    # 2023 birth rates weighted by 2023 residents:
    # 5.3*7980 + 6.1*7095 + 5.6*3942 + 7.1*9073 + 6.8*10306 + 9*4538 + 5.8*14295
    # + 6.8*15697 + 5.9*41370 + 8*3358 + 7.7*6767 = 795693.3;  / 124421 = 6.395
    colonna = [p[2] for p in natalita.periodi].index("2023")
    assert natalita.calcolati[colonna] == Decimal("795693.3") / Decimal(124_421)
    assert natalita.stampati[colonna] == Decimal("6.9")  # printed MEDIA: differs
    assert natalita.differenze[colonna]
    mortalita = tabelle["tasso-mortalita"]
    # 2019: printed MEDIA 8,6 although no Comune is above 8,4: flagged.
    assert max(v[0] for _c, v in mortalita.righe) == Decimal("8.4")
    assert mortalita.differenze[0]


# --- the grids' indicators, read compiled: the ORM's rows and instances ----------------


def _campi(indicatore):
    """An indicator instance as a query left it: its loaded columns, what came with it."""
    letti = {
        f.attname: getattr(indicatore, f.attname)
        for f in indicatore._meta.concrete_fields
        if f.attname not in indicatore.get_deferred_fields()
    }
    extra = {
        nome: getattr(indicatore, nome)
        for nome in ("numero_scheda", "titolo_scheda", "codice_numeratore", "codice_denominatore")
        if hasattr(indicatore, nome)
    }
    return letti, extra, indicatore._state.db


def _da_inserire_orm(user, periodo, livello):
    """The entry grid's indicators as the ORM built them before they ran compiled."""
    from django.db.models import F, Prefetch

    from indicatori.models import Categoria, Indicatore
    from programmi.models import PianoDiZona

    return list(
        Indicatore.objects.visible_to(user)
        .dovuti_nel(periodo)
        .filter(livello=livello)
        .select_related("piano")
        .defer(
            *(
                f"piano__{f.name}"
                for f in PianoDiZona._meta.concrete_fields
                if f.name not in ("id", "ambito")
            )
        )
        .annotate(
            numero_scheda=F("scheda__numero"),
            titolo_scheda=F("scheda__titolo"),
            codice_numeratore=F("numeratore__codice"),
            codice_denominatore=F("denominatore__codice"),
        )
        .prefetch_related(
            Prefetch(
                "categorie",
                queryset=Categoria.objects.order_by("ordine"),
                to_attr="categorie_ordinate",
            )
        )
        .order_by(*selectors.ORDINE_INDICATORI)
    )


def test_the_entry_grids_indicators_read_compiled_are_the_orms(
    ufficio_piano, operatore_rozzano, aperto, chiuso
):
    from django.contrib.auth import get_user_model

    from indicatori.choices import Livello

    admin = get_user_model().objects.create_superuser("admin.griglia", password="x")
    con_categorie = 0
    for user in (ufficio_piano, operatore_rozzano, admin):  # the superuser's: the ORM's
        for periodo in (aperto, chiuso):
            for livello in (Livello.COMUNE, Livello.AMBITO):
                attesi = _da_inserire_orm(user, periodo, livello)
                letti = selectors._indicatori_da_inserire(user, periodo, livello)
                assert [_campi(i) for i in letti] == [_campi(i) for i in attesi]
                with CaptureQueriesContext(connection) as queries:
                    for letto, atteso in zip(letti, attesi, strict=True):
                        assert letto.piano.pk == atteso.piano.pk
                        assert letto.piano.ambito_id == atteso.piano.ambito_id
                        assert letto.piano.get_deferred_fields() == (
                            atteso.piano.get_deferred_fields()
                        )
                        assert [
                            (c.pk, c.indicatore_id, c.codice, c.nome, c.ordine, c.indicatore)
                            for c in letto.categorie_ordinate
                        ] == [
                            (c.pk, c.indicatore_id, c.codice, c.nome, c.ordine, c.indicatore)
                            for c in atteso.categorie_ordinate
                        ]
                        con_categorie += bool(letto.categorie_ordinate)
                assert not queries.captured_queries  # the plan and categories came along
    assert con_categorie  # the plan has indicators with categories


def test_the_review_grids_indicators_read_compiled_are_the_orms(
    ufficio_piano, revisore, operatore_rozzano, aperto, chiuso
):
    from django.contrib.auth import get_user_model

    from indicatori.models import Indicatore

    admin = get_user_model().objects.create_superuser("admin.revisione", password="x")
    for user in (ufficio_piano, revisore, operatore_rozzano, admin):
        for periodo in (aperto, chiuso):
            attesi = list(
                Indicatore.objects.visible_to(user)
                .dovuti_nel(periodo)
                .da_compilare()
                .order_by("livello", *selectors.ORDINE_INDICATORI)
                .only("codice", "nome", "unita", "livello", "categorie_esaustive")
            )
            letti = selectors._indicatori_della_revisione(user, periodo)
            assert attesi
            assert [_campi(i) for i in letti] == [_campi(i) for i in attesi]
            assert [i.get_deferred_fields() for i in letti] == [
                i.get_deferred_fields() for i in attesi
            ]

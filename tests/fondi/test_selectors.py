"""Figures of the fondi app: the fixture totals of the Piano to the cent, and the
aggregates the pages, the API and the reports share."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from fondi import selectors
from fondi.choices import LivelloFonte
from fondi.models import Assegnazione, Progetto, TotaleRiportato
from indicatori.models import Valore

from .factories import (
    AssegnazioneFactory,
    AvanzamentoFactory,
    FinanziamentoFactory,
    ProgettoFactory,
    linea,
)


def _per_anno(user):
    return {r["anno"]: r["totale"] for r in selectors.fondi_totali_per_anno(fetched_by=user)}


def test_fixture_totals_equal_the_piano_to_the_cent(ufficio_piano):
    assert _per_anno(ufficio_piano) == {
        2022: Decimal("5111878.00"),
        2023: Decimal("5544651.00"),
    }


def test_the_printed_totals_are_kept_apart_and_agree(ufficio_piano, visconteo):
    [prospetto] = selectors.fondi_prospetto(fetched_by=ufficio_piano)
    assert prospetto.ambito == visconteo
    assert prospetto.anni == [2022, 2023]
    assert len(prospetto.righe) == 15  # the 15 rows of the table in section 2.5
    assert [(r["anno"], r["riportato"], r["differenza"]) for r in prospetto.riportati] == [
        (2022, Decimal("5111878.00"), Decimal("0.00")),
        (2023, Decimal("5544651.00"), Decimal("0.00")),
    ]
    assert prospetto.discordanze == []


def test_a_changed_row_shows_the_discrepancy_with_the_printed_total(ufficio_piano, visconteo):
    fami = Assegnazione.objects.get(ambito=visconteo, linea__codice="FAMI", anno=2022)
    fami.importo += Decimal("100.50")
    fami.save()
    [prospetto] = selectors.fondi_prospetto(fetched_by=ufficio_piano)
    assert prospetto.totali[2022] == Decimal("5111978.50")
    [discordanza] = prospetto.discordanze
    assert discordanza["anno"] == 2022
    assert discordanza["riportato"] == Decimal("5111878.00")
    assert discordanza["differenza"] == Decimal("100.50")


def test_totals_by_source_level(ufficio_piano):
    righe = selectors.fondi_totali_per_livello(fetched_by=ufficio_piano)
    per_livello = {(r["anno"], r["livello"]): r["totale"] for r in righe}
    # FAMI + PON Inclusione + PON PrInS
    assert per_livello[(2022, LivelloFonte.UE)] == Decimal("92856.00")
    assert per_livello[(2023, LivelloFonte.UE)] == Decimal("242149.00")
    assert per_livello[(2022, LivelloFonte.COMUNALE)] == Decimal("1946144.00")
    for anno, totale in _per_anno(ufficio_piano).items():
        assert sum(v for (a, _), v in per_livello.items() if a == anno) == totale


def test_totals_by_source_and_by_line(ufficio_piano):
    totali = selectors.fondi_totali(fetched_by=ufficio_piano)
    fonti = {(r["anno"], r["fonte_codice"]): r["totale"] for r in totali["per_fonte"]}
    assert fonti[(2023, "FNA")] == Decimal("474379.00") + Decimal("74950.00")
    linee = {(r["anno"], r["linea_codice"]): r["totale"] for r in totali["per_linea"]}
    assert linee[(2022, "PON-INCLUSIONE")] == Decimal("33806.00")
    assert (2023, "PON-INCLUSIONE") not in linee  # empty cell in the Piano
    assert linee[(2022, "DOPO-DI-NOI")] == Decimal("134449.00")


def test_filtered_allocations_give_filtered_totals(ufficio_piano, visconteo):
    regionali = Assegnazione.objects.filter(linea__fonte__livello=LivelloFonte.REGIONALE)
    totali = selectors.fondi_totali_per_anno(fetched_by=ufficio_piano, assegnazioni=regionali)
    assert {r["anno"]: r["totale"] for r in totali} == {
        2022: Decimal("1324592.00"),
        2023: Decimal("1470712.00"),
    }


def test_other_ambiti_and_anonymous_see_no_funds(ufficio_piano_altro, django_user_model):
    assert selectors.fondi_totali_per_anno(fetched_by=ufficio_piano_altro) == []
    assert selectors.fondi_prospetto(fetched_by=AnonymousUser()) == []


def test_operators_and_auditors_see_the_ambito_funds(operatore_rozzano, revisore):
    assert _per_anno(operatore_rozzano)[2023] == Decimal("5544651.00")
    assert _per_anno(revisore)[2022] == Decimal("5111878.00")


def test_pnrr_projects_total_before_cofinancing(ufficio_piano, visconteo):
    progetti = Progetto.objects.filter(ambito=visconteo)
    assert progetti.count() == 3
    assert selectors.totale_finanziato_da_fonte(
        fetched_by=ufficio_piano, fonte_codice="PNRR"
    ) == Decimal("2157499.00")
    riepilogo = selectors.progetti_riepilogo(fetched_by=ufficio_piano)
    assert riepilogo["finanziato_totale"] == Decimal("2261893.83")  # with € 104.394,83 GSE
    assert [(r["fonte_codice"], r["totale"]) for r in riepilogo["finanziato_per_fonte"]] == [
        ("PNRR", Decimal("2157499.00")),
        ("GSE", Decimal("104394.83")),
    ]


def test_the_pnrr_projects_as_the_piano_describes_them(ufficio_piano, visconteo):
    progetti = {
        p.linea.codice: p
        for p in selectors.progetti_per_elenco(fetched_by=ufficio_piano).filter(ambito=visconteo)
    }
    assert set(progetti) == {"PNRR-M5C2-1.2", "PNRR-M5C2-1.3.1", "PNRR-M5C2-1.3.2"}
    assert progetti["PNRR-M5C2-1.2"].importo_finanziato == Decimal("357499.00")
    assert progetti["PNRR-M5C2-1.3.1"].importo_finanziato == Decimal("710000.00")
    assert progetti["PNRR-M5C2-1.3.2"].importo_finanziato == Decimal("1194394.83")
    for progetto in progetti.values():
        assert progetto.data_fine == datetime.date(2026, 3, 31)
        assert progetto.data_scadenza == datetime.date(2026, 3, 31)
        assert progetto.soggetto_attuatore == visconteo.ente_capofila
        assert list(progetto.ambiti_partner.all()) == []
        assert progetto.cup is None  # the Piano prints no CUP
        assert progetto.ultimo_data is None  # nor any financial progress
    assert sorted(c.nome for c in progetti["PNRR-M5C2-1.3.2"].comuni.all()) == [
        "Binasco",
        "Rozzano",
    ]
    assert sorted(c.nome for c in progetti["PNRR-M5C2-1.3.1"].comuni.all()) == [
        "Locate di Triulzi",
        "Rozzano",
    ]


def test_latest_snapshot_and_percentage_paid(ufficio_piano, visconteo):
    progetto = ProgettoFactory(ambito=visconteo)
    FinanziamentoFactory(progetto=progetto, importo=Decimal("200000.00"))
    AvanzamentoFactory(
        progetto=progetto,
        data=datetime.date(2024, 12, 31),
        ammesso=Decimal("200000"),
        vincolante=Decimal("10"),
        erogato=Decimal("0"),
    )
    AvanzamentoFactory(
        progetto=progetto,
        data=datetime.date(2025, 6, 30),
        ammesso=Decimal("200000"),
        vincolante=Decimal("150000"),
        erogato=Decimal("43000"),
    )
    annotato = selectors.progetti_con_avanzamento(fetched_by=ufficio_piano).get(pk=progetto.pk)
    assert annotato.ultimo_data == datetime.date(2025, 6, 30)
    assert annotato.ultimo_erogato == Decimal("43000.00")
    assert annotato.importo_finanziato == Decimal("200000.00")
    assert round(annotato.percentuale_erogato, 2) == Decimal("21.50")
    storia = selectors.progetto_avanzamenti(fetched_by=ufficio_piano, progetto=progetto)
    assert [a.data.year for a in storia] == [2025, 2024]


def test_progress_summary_sums_only_the_latest_snapshots(ufficio_piano, visconteo):
    uno, due = ProgettoFactory.create_batch(2, ambito=visconteo)
    AvanzamentoFactory(progetto=uno, data=datetime.date(2024, 1, 31), erogato=Decimal("1"))
    AvanzamentoFactory(progetto=uno, data=datetime.date(2025, 1, 31), erogato=Decimal("30000"))
    AvanzamentoFactory(progetto=due, data=datetime.date(2025, 1, 31), erogato=Decimal("20000"))
    riepilogo = selectors.progetti_riepilogo(
        fetched_by=ufficio_piano, progetti=Progetto.objects.filter(pk__in=[uno.pk, due.pk])
    )
    assert riepilogo["avanzamento"]["erogato"] == Decimal("50000.00")
    assert riepilogo["avanzamento"]["ammesso"] == Decimal("200000.00")
    assert riepilogo["avanzamento"]["percentuale_erogato"] == Decimal("25")
    assert riepilogo["numero_progetti"] == 2


def test_a_project_is_visible_to_its_partner_ambiti_read_only(
    visconteo, altro_ambito, ufficio_piano_altro, ufficio_piano
):
    progetto = ProgettoFactory(ambito=visconteo)
    FinanziamentoFactory(progetto=progetto)
    AvanzamentoFactory(progetto=progetto)
    assert not Progetto.objects.visible_to(ufficio_piano_altro).filter(pk=progetto.pk).exists()
    progetto.ambiti_partner.add(altro_ambito)
    for model in (Progetto, progetto.finanziamenti.model, progetto.avanzamenti.model):
        visibili = model.objects.visible_to(ufficio_piano_altro)
        assert visibili.exists()
        assert not model.objects.editable_by(ufficio_piano_altro).exists()
    assert list(Progetto.objects.visible_to(ufficio_piano_altro)) == [progetto]
    # partners do not multiply rows for the lead
    assert Progetto.objects.visible_to(ufficio_piano).filter(pk=progetto.pk).count() == 1


def test_the_api_reads_the_lists_of_its_page_as_the_orm_would(
    ufficio_piano, visconteo, altro_ambito, molti_progetti
):
    """progetti_per_api reads the partner Ambiti, the Comuni and the amounts per line of
    the rows it returns with its own compiled queries: the same, in the same order, as
    the relations read through the ORM."""
    from ..factories import AmbitoFactory

    progetti = molti_progetti(3)
    progetti[0].ambiti_partner.add(AmbitoFactory(nome="Ambito Alfa", codice="alfa"))
    progetti[1].comuni.clear()
    FinanziamentoFactory(progetto=progetti[1], importo=Decimal("12.50"), integrazione=True)
    ProgettoFactory(ambito=visconteo)  # none of the three
    letti = selectors.progetti_per_api(fetched_by=ufficio_piano).order_by("titolo", "pk")
    for progetto in [*letti, *letti[2:5]]:  # a page (a slice) reads them too
        assert progetto.ambiti_partner_chiavi == [a.pk for a in progetto.ambiti_partner.all()]
        assert progetto.comuni_chiavi == [c.pk for c in progetto.comuni.all()]
        finanziamenti = progetto.finanziamenti.select_related("linea__fonte")
        assert [
            (f.pk, f.importo, f.integrazione, f.linea.codice, f.linea.fonte.codice)
            for f in progetto.finanziamenti_elenco
        ] == [
            (f.pk, f.importo, f.integrazione, f.linea.codice, f.linea.fonte.codice)
            for f in finanziamenti
        ]
    alfa = letti.get(pk=progetti[0].pk)  # one row too
    assert (len(alfa.ambiti_partner_chiavi), len(alfa.comuni_chiavi)) == (2, 2)
    assert len(alfa.finanziamenti_elenco) == 2


@pytest.mark.parametrize("codice, attesi", [("PNRR-M5C2-1.3", 3), ("PNRR-M5C2", 10), ("GSE", 1)])
def test_line_descendants(db, codice, attesi):
    assert len(selectors.linee_discendenti(linea(codice))) == attesi


def test_yearly_totals_carry_the_printed_total_the_difference_and_the_change(
    ufficio_piano, visconteo
):
    """One selector gives what the page, the API and the PDF show of the yearly totals."""
    fami = Assegnazione.objects.get(ambito=visconteo, linea__codice="FAMI", anno=2023)
    fami.importo += Decimal("49.00")
    fami.save()
    righe = selectors.fondi_totali(fetched_by=ufficio_piano)["per_anno"]
    assert [
        (r["anno"], r["totale"], r["totale_riportato"], r["differenza"], r["variazione"])
        for r in righe
    ] == [
        (2022, Decimal("5111878.00"), Decimal("5111878.00"), Decimal("0.00"), None),
        (
            2023,
            Decimal("5544700.00"),
            Decimal("5544651.00"),
            Decimal("49.00"),
            Decimal("5544700.00") - Decimal("5111878.00"),
        ),
    ]
    [prospetto] = selectors.fondi_prospetto(fetched_by=ufficio_piano)
    assert [r["differenza"] for r in prospetto.riportati] == [Decimal("0.00"), Decimal("49.00")]
    assert prospetto.variazione_totale == righe[1]["variazione"]


def test_the_yearly_change_per_source_and_level_sums_to_the_total_change(ufficio_piano):
    [prospetto] = selectors.fondi_prospetto(fetched_by=ufficio_piano)
    assert prospetto.variazione_totale == Decimal("5544651.00") - Decimal("5111878.00")
    for voci in (prospetto.per_fonte, prospetto.per_livello):
        assert sum(v["variazione"] for v in voci) == prospetto.variazione_totale
    fna = next(v for v in prospetto.per_fonte if v["fonte_codice"] == "FNA")
    assert fna["variazione"] == fna["importi"][2023] - fna["importi"][2022]


def test_a_single_year_has_no_change(ufficio_piano, visconteo):
    [prospetto] = selectors.fondi_prospetto(
        fetched_by=ufficio_piano, assegnazioni=Assegnazione.objects.filter(anno=2023)
    )
    assert prospetto.variazione_totale is None
    assert all(v["variazione"] is None for v in prospetto.per_fonte)
    [riga] = selectors.fondi_totali(
        fetched_by=ufficio_piano, assegnazioni=Assegnazione.objects.filter(anno=2023)
    )["per_anno"]
    assert riga["variazione"] is None
    assert riga["differenza"] == Decimal("0.00")


def test_the_prospetto_totals_equal_the_grouped_totals_of_the_api(ufficio_piano, visconteo):
    """The prospetto sums its per-source totals by year and by level: the same figures,
    in the same order, as the API's totals grouped in SQL by year and by level."""
    AssegnazioneFactory(ambito=visconteo, linea=linea("FNA-B2"), anno=2024, importo="10.25")
    [prospetto] = selectors.fondi_prospetto(fetched_by=ufficio_piano)
    totali = selectors.fondi_totali(fetched_by=ufficio_piano)
    assert list(prospetto.totali.items()) == [(r["anno"], r["totale"]) for r in totali["per_anno"]]
    assert prospetto.anni == [2022, 2023, 2024]
    per_livello = {}
    for r in totali["per_livello"]:
        per_livello.setdefault(r["livello"], {})[r["anno"]] = r["totale"]
    assert [(v["livello"], v["importi"]) for v in prospetto.per_livello] == [
        (livello.value, per_livello[livello]) for livello in LivelloFonte if livello in per_livello
    ]
    assert prospetto.totali[2024] == Decimal("10.25")
    assert prospetto.per_livello[-1]["variazione"] is not None


def test_the_unfiltered_totals_run_compiled_with_the_same_rows(
    ufficio_piano, ufficio_piano_altro, visconteo, altro_ambito, django_user_model
):
    """Unfiltered, for a user who reads whole Ambiti, fondi_totali runs its queries
    compiled (Compilata) over the user's Ambiti: the same rows, printed totals and
    differences as through the ORM over the same allocations passed as a queryset."""
    AssegnazioneFactory(ambito=altro_ambito, linea=linea("FNA-B2"), anno=2023, importo="7.10")
    TotaleRiportato.objects.create(ambito=altro_ambito, anno=2023, importo="7.00", documento="b")
    TotaleRiportato.objects.create(ambito=altro_ambito, anno=2023, importo="9.00", documento="a")
    assert Assegnazione.objects.ambiti_letti_per_intero(ufficio_piano) == [visconteo.pk]
    superuser = django_user_model.objects.create_superuser("root.totali", password="x")
    for user in (ufficio_piano, ufficio_piano_altro, superuser, AnonymousUser()):
        compilati = selectors.fondi_totali(fetched_by=user)
        assert compilati == selectors.fondi_totali(
            fetched_by=user, assegnazioni=Assegnazione.objects.all()
        )
    [riga] = selectors.fondi_totali(fetched_by=ufficio_piano_altro)["per_anno"]
    # Of two documents of a year, the later in order is compared.
    assert (riga["documento"], riga["differenza"]) == ("b", Decimal("0.10"))
    assert compilati["per_anno"] == []  # the anonymous


def test_only_a_visibility_that_is_a_list_of_ambiti_is_given_as_one(
    ufficio_piano, operatore_rozzano, visconteo, django_user_model
):
    superuser = django_user_model.objects.create_superuser("root.ambiti", password="x")
    assert Assegnazione.objects.ambiti_letti_per_intero(operatore_rozzano) == [visconteo.pk]
    assert Assegnazione.objects.ambiti_letti_per_intero(superuser) is None
    assert Assegnazione.objects.ambiti_letti_per_intero(AnonymousUser()) is None
    # Partner projects widen visible_to; values have Comune and approved-only rows.
    assert Progetto.objects.ambiti_letti_per_intero(ufficio_piano) is None
    assert Valore.objects.ambiti_letti_per_intero(ufficio_piano) is None
    assert list(Assegnazione.objects.nei_ambiti([visconteo.pk])) == list(
        Assegnazione.objects.visible_to(ufficio_piano)
    )

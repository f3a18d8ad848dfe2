"""The projects' queries compiled once: visible_to's condition with the partner Ambiti
among its ids, the API's annotated rows read by id, the progress summary. Each gives,
for every kind of user, the rows the ORM gives."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, OuterRef, Subquery, Sum

from ambito.choices import Ruolo
from ambito.platform.querysets import CompilataVisibile
from fondi import selectors
from fondi.models import AvanzamentoFinanziario, FinanziamentoProgetto, Progetto
from tests.factories import UserFactory, user_with_role

from .factories import AvanzamentoFactory, FinanziamentoFactory, ProgettoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lettori(
    ufficio_piano, operatore_rozzano, revisore, ufficio_piano_altro, visconteo, altro_ambito
):
    """A user of each kind: the lead's roles, the partner Ambito's Ufficio di Piano, the
    Regione, none, the superuser, the anonymous."""
    return {
        "ufficio di piano": ufficio_piano,
        "ufficio di piano partner": ufficio_piano_altro,
        "operatore": operatore_rozzano,
        "revisore": revisore,
        "regione": user_with_role(Ruolo.REGIONE, visconteo),
        "nessun ruolo": UserFactory(),
        "superuser": UserFactory(is_superuser=True),
        "anonimo": AnonymousUser(),
    }


@pytest.fixture
def progetti(visconteo, altro_ambito):
    """Visconteo's projects of the fixtures, one shared with Lodi as partner, one of
    Lodi's own, with amounts (a top-up too), snapshots and an extension: the kinds of
    user read different projects, with figures that are not all zero or null."""
    condiviso = ProgettoFactory(ambito=visconteo, stato="in_corso", titolo="Condiviso")
    condiviso.ambiti_partner.add(altro_ambito)
    FinanziamentoFactory(progetto=condiviso, importo=Decimal("1000.50"))
    FinanziamentoFactory(progetto=condiviso, importo=Decimal("99.25"), integrazione=True)
    AvanzamentoFactory(progetto=condiviso, data=datetime.date(2024, 6, 30), erogato=Decimal("1"))
    AvanzamentoFactory(progetto=condiviso, ammesso=0, vincolante=0, erogato=0)
    di_lodi = ProgettoFactory(
        ambito=altro_ambito,
        stato="concluso",
        titolo="Di Lodi",
        data_fine=datetime.date(2026, 3, 31),
    )
    FinanziamentoFactory(progetto=di_lodi, importo=Decimal("7.00"))
    AvanzamentoFactory(progetto=di_lodi, erogato=Decimal("12345.67"))
    return condiviso, di_lodi


def test_the_projects_compiled_condition_reads_what_visible_to_reads(lettori, progetti):
    """visible_to for projects and their rows (the lead's rule OR a partner Ambito's)
    is a condition over ids, compiled like any other model's."""
    letti = set()
    for modello in (Progetto, AvanzamentoFinanziario, FinanziamentoProgetto):
        compilata = CompilataVisibile(modello, lambda righe: righe.order_by("pk").values_list("pk"))
        for chi, user in lettori.items():
            attese = list(modello.objects.visible_to(user).order_by("pk").values_list("pk"))
            assert compilata.righe(user) == attese, (modello, chi)
            letti.add((modello, chi, len(attese)))
        assert any(forma is not None for forma in compilata._dell_utente._forme.values())
    # The partner reads the shared project (not Visconteo's others), the lead all.
    condiviso, di_lodi = progetti
    partner = set(Progetto.objects.visible_to(lettori["ufficio di piano partner"]))
    assert partner == {condiviso, di_lodi}
    assert condiviso in Progetto.objects.visible_to(lettori["operatore"])
    assert di_lodi not in Progetto.objects.visible_to(lettori["ufficio di piano"])


def _colonne(progetto):
    """What the API reads of an annotated project: its columns, its annotations, its
    line's columns (from the select_related cache, no query)."""
    valori = {k: v for k, v in vars(progetto).items() if not k.startswith("_")}
    for chiave in ("ambiti_partner_chiavi", "comuni_chiavi", "finanziamenti_elenco"):
        valori.pop(chiave, None)
    linea = Progetto.linea.field.get_cached_value(progetto)
    return valori, {k: v for k, v in vars(linea).items() if k != "_state"}


def test_the_apis_projects_read_by_id_are_the_orms(lettori, progetti):
    """progetti_per_api's rows (ids from the scoped query, then the annotated rows of
    those ids, compiled) equal the ORM's annotated queryset, in its order, sliced."""
    con_valori = False
    for chi, user in lettori.items():
        for ordine in (("titolo", "pk"), ("-stato", "-pk")):
            attesi = list(
                selectors.progetti_con_avanzamento(fetched_by=user)
                .select_related("linea")
                .order_by(*ordine)
            )
            letti = selectors.progetti_per_api(fetched_by=user).order_by(*ordine)
            assert [_colonne(p) for p in letti] == [_colonne(p) for p in attesi], (chi, ordine)
            assert [_colonne(p) for p in letti[1:3]] == [_colonne(p) for p in attesi[1:3]]
            con_valori |= any(p.importo_integrazioni for p in attesi) and any(
                p.ultimo_erogato and p.data_fine_attuale for p in attesi
            )
    assert con_valori  # the figures compared are not only zeros and nulls
    # Filtered like the API's FilterSet, through the same ids.
    user = lettori["ufficio di piano partner"]
    filtrati = Progetto.objects.filter(stato="concluso")
    assert [p.titolo for p in selectors.progetti_per_api(fetched_by=user, progetti=filtrati)] == [
        "Di Lodi"
    ]


def _riepilogo_orm(user):
    """The summary's figures as the ORM computed them before they were compiled: the
    latest snapshot of each visible project, aggregated."""
    visibili = Progetto.objects.visible_to(user)
    ultimi = AvanzamentoFinanziario.objects.filter(
        progetto__in=visibili.values("pk"),
        pk=Subquery(
            AvanzamentoFinanziario.objects.filter(progetto=OuterRef("progetto"))
            .order_by("-data", "-pk")
            .values("pk")[:1]
        ),
    )
    somme = ultimi.aggregate(
        **{campo: Sum(campo) for campo in ("programmato", "ammesso", "vincolante", "erogato")},
        progetti_rilevati=Count("pk"),
    )
    per_fonte = list(
        FinanziamentoProgetto.objects.filter(progetto__in=visibili.values("pk"))
        .values_list("linea__fonte__codice")
        .annotate(totale=Sum("importo"))
        .order_by("linea__fonte__ordine", "linea__fonte__codice")
    )
    per_stato = dict(visibili.order_by().values_list("stato").annotate(n=Count("pk")))
    return somme, per_fonte, per_stato


def test_the_progress_summary_compiled_is_the_orms(lettori, progetti):
    """Unfiltered, the summary runs compiled over the projects the user reads: the same
    figures as through the ORM (the same builders over visible_to) and as the latest
    snapshots aggregated directly."""
    for chi, user in lettori.items():
        compilato = selectors.progetti_riepilogo(fetched_by=user)
        orm = selectors.progetti_riepilogo(fetched_by=user, progetti=Progetto.objects.all())
        assert compilato == orm, chi
        assert selectors._PER_STATO.righe(user) == list(
            selectors._per_stato(Progetto.objects.visible_to(user))
        ), chi
        somme, per_fonte, per_stato = _riepilogo_orm(user)
        avanzamento = compilato["avanzamento"]
        for campo, valore in somme.items():
            assert avanzamento[campo] == (valore or 0), (chi, campo)
        assert [
            (r["fonte_codice"], r["totale"]) for r in compilato["finanziato_per_fonte"]
        ] == per_fonte, chi
        assert {r["stato"]: r["numero"] for r in compilato["per_stato"] if r["numero"]} == (
            per_stato
        ), chi
    partner = selectors.progetti_riepilogo(fetched_by=lettori["ufficio di piano partner"])
    assert partner["numero_progetti"] == 2
    assert partner["avanzamento"]["erogato"] == Decimal("12345.67")  # the latest: 0 and this
    assert partner["finanziato_totale"] == Decimal("1106.75")
    # A compiled shape, not the ORM, ran for the users.
    assert any(forma is not None for forma in selectors._PER_STATO._dell_utente._forme.values())

"""Queries compiled once over the rows a user reads (`CompilataVisibile`): the user's
ids are their parameters, the condition is visible_to's own, the rows the ORM's."""

import pytest
from django.contrib.auth.models import AnonymousUser

from ambito.choices import Ruolo
from ambito.models import Ambito, Comune
from ambito.platform.compilate import campi, istanze
from ambito.platform.querysets import CompilataVisibile
from fondi.models import Candidatura
from indicatori import selectors
from indicatori.api import views
from indicatori.choices import StatoValore, TipoIndicatore
from indicatori.models import Indicatore, Periodo, Valore
from programmi.models import PianoDiZona, Scheda
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def lettori(ufficio_piano, operatore_rozzano, revisore, ufficio_piano_altro, visconteo):
    """A user of each kind: every role, none, the superuser, the anonymous."""
    return {
        "ufficio di piano": ufficio_piano,
        "operatore": operatore_rozzano,
        "revisore": revisore,
        "regione": user_with_role(Ruolo.REGIONE, visconteo),
        "altro ambito": ufficio_piano_altro,
        "nessun ruolo": UserFactory(),
        "superuser": UserFactory(is_superuser=True),
        "anonimo": AnonymousUser(),
    }


def _valori(oggetto):
    """What an instance holds: its loaded columns, and which are deferred."""
    deferiti = oggetto.get_deferred_fields()
    return (
        type(oggetto),
        oggetto._state.db,
        [(f.attname, getattr(oggetto, f.attname)) for f in oggetto._meta.concrete_fields]
        if not deferiti
        else [
            (f.attname, getattr(oggetto, f.attname))
            for f in oggetto._meta.concrete_fields
            if f.attname not in deferiti
        ],
        deferiti,
    )


@pytest.mark.parametrize("modello", [Valore, Comune, Periodo, Ambito, Indicatore])
def test_the_compiled_condition_reads_what_visible_to_reads(modello, lettori):
    compilata = CompilataVisibile(modello, lambda righe: righe.order_by("pk").values_list("pk"))
    for chi, user in lettori.items():
        attese = list(modello.objects.visible_to(user).order_by("pk").values_list("pk"))
        assert compilata.righe(user) == attese, chi
    # The users' shapes ran compiled (a shape that cannot is None), not through the ORM.
    assert any(forma is not None for forma in compilata._dell_utente._forme.values())


def test_the_data_tell_the_roles_apart(lettori):
    """The rows of the test above differ by role: the Regione reads approved values only,
    the operator his Comune's."""
    tutti = Valore.objects.visible_to(lettori["ufficio di piano"])
    assert tutti.exclude(stato=StatoValore.APPROVATO).exists()
    regione = Valore.objects.visible_to(lettori["regione"])
    assert set(regione.values_list("stato", flat=True)) == {StatoValore.APPROVATO}
    assert 0 < Comune.objects.visible_to(lettori["operatore"]).count() < tutti.count()


def test_a_model_that_widens_visible_to_is_not_compiled():
    with pytest.raises(TypeError):
        CompilataVisibile(Candidatura, lambda righe: righe.values_list("pk"))


def test_the_comuni_of_an_ambito_are_the_orms(lettori, visconteo):
    for chi, user in lettori.items():
        attesi = list(Comune.objects.visible_to(user).filter(ambito_id=visconteo.pk))
        letti = selectors.comuni_visibili(user, visconteo.pk)
        assert [_valori(c) for c in letti] == [_valori(c) for c in attesi], chi


def test_a_visible_row_by_id_is_the_orms(lettori, visconteo, altro_ambito, piano, aperto):
    for chi, user in lettori.items():
        for modello, pk in (
            (Periodo, aperto.pk),
            (PianoDiZona, piano.pk),
            (Ambito, visconteo.pk),
            (Ambito, altro_ambito.pk),
            (Periodo, 10**17),
        ):
            attesi = list(modello.objects.visible_to(user).filter(pk=pk))
            letti = istanze(modello, views._per_id(modello).righe(user, pk))
            assert [_valori(o) for o in letti] == [_valori(o) for o in attesi], (chi, modello)


def test_the_ambiti_of_a_list_are_the_orms_by_name(lettori):
    for chi, user in lettori.items():
        attesi = list(Ambito.objects.visible_to(user).order_by("nome").values_list("pk", flat=True))
        assert views._ambiti_letti(user, None, None) == attesi, chi


def _indicatori_orm(user, **filtri):
    """The progress list's indicators as the ORM read them before they were compiled."""
    non_lette = [
        f"scheda__{f.name}"
        for f in Scheda._meta.concrete_fields
        if f.name not in {"id", "numero", "titolo"}
    ]
    return list(
        selectors.indicatori_visibili(fetched_by=user)
        .exclude(tipo=TipoIndicatore.INPUT)
        .filter(previsto_dal_piano=True, **filtri)
        .defer(*non_lette)
    )


def test_the_progress_lists_indicators_are_the_orms(lettori, piano, visconteo, altro_ambito):
    scheda = Scheda.objects.filter(piano=piano).order_by("numero").first()
    area = Indicatore.objects.filter(piano=piano, area__isnull=False).first().area
    casi = [
        ({}, {}),
        ({"piano": piano}, {"piano": piano}),
        ({"scheda": scheda}, {"scheda": scheda}),
        ({"piano": piano, "area": area}, {"piano": piano, "area": area}),
        ({"ambito": visconteo}, {"piano__ambito": visconteo}),
        (
            {"ambiti": [visconteo.pk, altro_ambito.pk]},
            {"piano__ambito_id__in": [visconteo.pk, altro_ambito.pk]},
        ),
        ({"ambiti": []}, {"piano__ambito_id__in": []}),
    ]
    for chi, user in lettori.items():
        for filtri, lookups in casi:
            attesi = _indicatori_orm(user, **lookups)
            letti = selectors._indicatori_di_avanzamento(user, filtri)

            def confronto(indicatori):
                return [
                    (_valori(i), _valori(i.piano), i.scheda and _valori(i.scheda))
                    for i in indicatori
                ]

            assert confronto(letti) == confronto(attesi), (chi, filtri)
    assert letti == [] and attesi == []  # the last case: no Ambito
    # Not a query per indicator for its plan or scheda, one object per id.
    letti = selectors._indicatori_di_avanzamento(lettori["ufficio di piano"], {"piano": piano})
    assert len(letti) > 1 and len({id(i.piano) for i in letti}) == 1


def test_the_beneficiaries_are_the_orms(lettori, visconteo, altro_ambito, chiuso, aperto):
    """Every shape of the compiled beneficiaries (with or without an Ambito, periods,
    an area), for every kind of user, reads the rows of the ORM's query."""
    area = Indicatore.objects.filter(conta_beneficiari=True, area__isnull=False).first().area
    approvati, letti_udp = selectors.APPROVATI, (StatoValore.APPROVATO, StatoValore.INVIATO)
    casi = [
        ({}, approvati),
        ({"ambito": visconteo}, approvati),
        ({"ambito": altro_ambito}, approvati),
        ({"periodi": [chiuso]}, approvati),
        ({"ambito": visconteo, "periodi": [chiuso]}, approvati),
        ({"ambito": visconteo, "periodi": [chiuso, aperto], "area": area}, approvati),
        ({"area": area.pk}, approvati),
        ({"ambito": visconteo, "periodi": []}, approvati),
        ({"periodi": [aperto]}, letti_udp),
    ]
    con_righe = set()
    for chi, user in lettori.items():
        for filtri, stati in casi:
            attese = list(
                selectors._beneficiari_orm(
                    Valore.objects.visible_to(user), stati=[str(s) for s in stati], **filtri
                )
            )
            letti = selectors.beneficiari_per_comune_righe.__wrapped__(
                fetched_by=user, stati=stati, **filtri
            )
            assert [tuple(riga.values()) for riga in letti] == attese, (chi, filtri)
            if "ambito" in filtri and "periodi" in filtri:
                periodi = selectors.beneficiari_nei_periodi(fetched_by=user, stati=stati, **filtri)
                assert periodi == letti, (chi, filtri)
            if letti:
                con_righe.add((chi, tuple(filtri), stati))
    # The data have beneficiaries, the operator's Comune's only, the Regione's approved.
    assert {
        ("ufficio di piano", (), approvati),
        ("ufficio di piano", ("ambito", "periodi", "area"), approvati),
        ("ufficio di piano", ("periodi",), letti_udp),
        ("operatore", (), approvati),
        ("regione", (), approvati),
        ("superuser", ("ambito",), approvati),
    } <= con_righe
    assert not {chi for chi, _f, _s in con_righe} & {"nessun ruolo", "anonimo"}
    # The users' shapes ran compiled, not through the ORM.
    compilata = selectors._beneficiari_compilati(("ambito", "periodi", "area"))
    assert any(forma is not None for forma in compilata._dell_utente._forme.values())


def test_a_periods_values_and_their_number_are_the_lists(lettori, chiuso, aperto, periodo_2026):
    """The values list of one period, compiled (`?periodo=` alone): a page at a time and
    its count, the rows of the list's queryset filtered by the period, for every user."""
    colonne = campi(Valore)
    con_righe = set()
    for chi, user in lettori.items():
        for periodo in (chiuso, aperto, periodo_2026):
            lista = (
                Valore.objects.visible_to(user)
                .filter(periodo=periodo)
                .order_by(*selectors.ORDINE_VALORI)
                .values_list(*colonne)
            )
            conteggio = views._QUANTI_DEL_PERIODO.righe(user, periodo.pk)
            assert (conteggio[0][0] if conteggio else 0) == lista.count(), (chi, periodo)
            for inizio, quante in ((0, 7), (7, 7), (0, 500), (lista.count(), 7)):
                letti = views._VALORI_DEL_PERIODO.righe(user, periodo.pk, pagina=(inizio, quante))
                assert letti == list(lista[inizio : inizio + quante]), (chi, periodo, inizio)
            if lista.count() > 7:
                con_righe.add(chi)
    assert {"ufficio di piano", "operatore", "revisore", "regione", "superuser"} <= con_righe


def test_the_grids_cells_and_their_previous_approved_values_are_the_orms(
    lettori, piano, aperto, chiuso, rozzano
):
    """The entry and review grids' compiled queries, for every kind of user, a Comune's
    cells and the Ambito's own: the period's values, and for each cell the approved
    value of the latest earlier period (here computed in Python, period by period)."""
    indicatori = list(Indicatore.objects.filter(piano=piano).values_list("pk", flat=True))
    trovati = 0
    for chi, user in lettori.items():
        for periodo in (aperto, chiuso):
            for comune in (rozzano, None):
                visibili = Valore.objects.visible_to(user).filter(
                    comune=comune, indicatore__in=indicatori
                )
                attesi = list(visibili.filter(periodo=periodo).order_by("pk"))
                righe = selectors._VALORI_DELLA_GRIGLIA.righe(
                    user, periodo.pk, indicatori, *selectors._comune(comune)
                )
                letti = sorted(istanze(Valore, righe), key=lambda v: v.pk)
                assert [_valori(v) for v in letti] == [_valori(v) for v in attesi], chi

                precedenti = {}
                for v in (
                    visibili.filter(
                        periodo__ambito=periodo.ambito,
                        periodo__data_fine__lt=periodo.data_inizio,
                        stato=StatoValore.APPROVATO,
                    )
                    .select_related("periodo")
                    .order_by("periodo__data_fine")
                ):
                    valore = v.valore_numerico if v.valore_numerico is not None else v.valore_testo
                    precedenti[selectors.chiave_cella(v.indicatore_id, v.categoria_id)] = (
                        selectors.Precedente(valore, v.periodo.nome)
                    )
                letti = selectors._precedenti_approvati(user, periodo, comune, indicatori)
                assert letti == precedenti, (chi, periodo, comune)
                trovati += len(letti)
    assert trovati  # earlier approved values were found: the comparison is not of nothing


def test_the_regiones_approved_values_are_read_compiled(lettori):
    """The approved rows' state is a parameter too (`Visibili.approvato`), as the ids:
    the Regione's values run compiled, and only the approved come back."""
    compilata = CompilataVisibile(
        Valore, lambda righe: righe.order_by("pk").values_list("pk", "stato")
    )
    regione = lettori["regione"]
    righe = compilata.righe(regione)
    attese = Valore.objects.visible_to(regione).order_by("pk").values_list("pk", "stato")
    assert righe == list(attese)
    assert righe and {stato for _pk, stato in righe} == {StatoValore.APPROVATO}
    [forma] = compilata._dell_utente._forme.values()
    assert forma is not None  # compiled, not through the ORM

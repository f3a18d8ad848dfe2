"""Queries compiled once over the rows a user reads (`CompilataVisibile`): the user's
ids are their parameters, the condition is visible_to's own, the rows the ORM's."""

import pytest
from django.contrib.auth.models import AnonymousUser

from ambito.choices import Ruolo
from ambito.models import Ambito, Comune
from ambito.platform.compilate import istanze
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


def test_the_beneficiaries_of_periods_are_the_orms(lettori, visconteo, chiuso, aperto):
    area = Indicatore.objects.filter(conta_beneficiari=True, area__isnull=False).first().area
    con_righe = set()
    for chi, user in lettori.items():
        for periodi, filtri in (
            ([chiuso], {}),
            ([chiuso, aperto], {"area": area}),
            ([aperto], {"stati": (StatoValore.APPROVATO, StatoValore.INVIATO)}),
        ):
            attese = selectors.beneficiari_per_comune_righe.__wrapped__(
                fetched_by=user, ambito=visconteo, periodi=periodi, **filtri
            )
            letti = selectors.beneficiari_nei_periodi(
                fetched_by=user, ambito=visconteo, periodi=periodi, **filtri
            )
            assert letti == list(attese), (chi, periodi, filtri)
            if letti:
                con_righe.add((chi, tuple(filtri)))
    # The data have beneficiaries, the operator's Comune's only.
    assert {
        ("ufficio di piano", ()),
        ("ufficio di piano", ("area",)),
        ("operatore", ()),
    } <= con_righe

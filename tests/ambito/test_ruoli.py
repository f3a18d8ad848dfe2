"""A user's roles, read once per request as plain rows (ambito/roles.py)."""

import pytest

from ambito.choices import Ruolo
from ambito.models import Ambito, Incarico
from ambito.platform.compilate import Compilata
from ambito.roles import Ruoli
from tests.factories import user_with_role


def test_roles_are_the_users_incarichi_with_their_ambito_and_comune(
    operatore_rozzano, rozzano, visconteo, altro_ambito, django_assert_num_queries
):
    Incarico.objects.create(user=operatore_rozzano, ambito=altro_ambito, ruolo=Ruolo.REVISORE)
    ruoli = Ruoli(operatore_rozzano)
    with django_assert_num_queries(1):
        letti = [(i.ruolo, i.ambito_id, i.comune_id) for i in ruoli.incarichi]
        # The Ambiti and the Comune come from the same row: no query each.
        assert ruoli.ambiti == [visconteo, altro_ambito]
        assert [a.nome for a in ruoli.ambiti] == [visconteo.nome, altro_ambito.nome]
        assert ruoli.comune == rozzano and ruoli.comune.nome == rozzano.nome
    assert letti == list(
        operatore_rozzano.incarichi.order_by("pk").values_list("ruolo", "ambito_id", "comune_id")
    )
    assert ruoli.etichetta == "Operatore comunale, Revisore"


def test_a_regional_role_reaches_every_ambito_of_its_region(visconteo, altro_ambito, db):
    lombardi = Ambito.objects.filter(regione=visconteo.regione)
    utente = user_with_role(Ruolo.REGIONE, visconteo)
    ruoli = Ruoli(utente)
    assert {i.ambito_id for i in ruoli.incarichi} == set(lombardi.values_list("pk", flat=True))
    assert {i.ruolo for i in ruoli.incarichi} == {Ruolo.REGIONE}
    assert ruoli.regioni == [visconteo.regione]
    # And exactly the Ambiti the scoping mechanism lets him read.
    assert sorted(a.pk for a in ruoli.ambiti) == sorted(
        Ambito.objects.visible_to(utente).values_list("pk", flat=True)
    )


def test_a_compiled_query_takes_only_its_builders_parameters(visconteo):
    compilata = Compilata(Ambito, lambda pk: Ambito.objects.filter(pk=pk).values_list("nome"))
    assert compilata.righe(visconteo.pk) == [(visconteo.nome,)]
    assert compilata.righe(-5) == []
    # A builder whose query has a parameter of its own cannot be compiled once.
    fissa = Compilata(Ambito, lambda pk: Ambito.objects.filter(pk=pk, nome="x").values_list("pk"))
    with pytest.raises(ValueError):
        fissa.righe(visconteo.pk)

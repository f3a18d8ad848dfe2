"""factory_boy factories shared by every app's tests."""

import factory
from django.contrib.auth import get_user_model

from ambito.choices import Ruolo
from ambito.models import Ambito, Comune, DatiDemografici, Ente, Incarico


class AmbitoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ambito

    nome = factory.Sequence(lambda n: f"Ambito di prova {n}")
    codice = factory.Sequence(lambda n: f"ambito-prova-{n}")
    regione = "Lombardia"


class ComuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comune

    codice_istat = factory.Sequence(lambda n: f"{900000 + n:06d}")
    nome = factory.Sequence(lambda n: f"Comune di prova {n}")
    sigla_provincia = "MI"
    ambito = factory.SubFactory(AmbitoFactory)


class DatiDemograficiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DatiDemografici

    comune = factory.SubFactory(ComuneFactory)
    anno = 2023
    residenti = 10_000


class EnteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ente

    nome = factory.Sequence(lambda n: f"Cooperativa sociale {n}")
    tipo = "ets"
    ambito = factory.SubFactory(AmbitoFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"utente{n}")
    password = factory.django.Password("Password-di-prova-1")


def user_with_role(ruolo, ambito, comune=None, username=None):
    user = UserFactory(**({"username": username} if username else {}))
    Incarico.objects.create(
        user=user,
        ambito=ambito,
        ruolo=ruolo,
        comune=comune if ruolo == Ruolo.OPERATORE else None,
    )
    return user


def api_token(user, nome="Script di prova", giorni=90) -> str:
    """The secret of a new personal API token of the user (as shown on its page)."""
    from ambito.services import token_create

    return token_create(utente=user, nome=nome, giorni_validita=giorni)[1]

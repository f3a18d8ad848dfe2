"""Shared fixtures: the real Visconteo data, loaded once, and one user per role."""

import random
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command

from ambito import sintetico as territorio_sintetico
from ambito.choices import Ruolo
from ambito.models import Ambito, Comune

from .factories import AmbitoFactory, ComuneFactory, user_with_role

ROZZANO = "015189"
BINASCO = "015024"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the tests that flush the database (live server, transactions) last.

    The real data is loaded once per session; a transactional test empties the
    database when it ends, so every other test must have run before.
    """
    flushing = {"transactional_db", "live_server"}
    items.sort(key=lambda item: bool(flushing & set(getattr(item, "fixturenames", ()))))


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Users are created in most tests: MD5 instead of PBKDF2's million rounds (~1 s each).

    PBKDF2 stays second so that hashes made outside the test settings still verify.
    """
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Generated PDFs go to a temporary MEDIA_ROOT, never into the working tree."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def locmem_email(settings):
    """E-mail is collected in `django.core.mail.outbox` (Django's test backend)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: factories and direct saves write without
    the services, which are what renew the cached aggregates (ambito/platform/cache.py)."""
    cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The real data of Ambito Visconteo Sud Milano, loaded once for the session."""
    with django_db_blocker.unblock():
        call_command("carica_dati", stdout=open("/dev/null", "w"))


@pytest.fixture
def visconteo(db):
    return Ambito.objects.get(codice="visconteo-sud-milano")


@pytest.fixture
def rozzano(visconteo):
    return Comune.objects.get(codice_istat=ROZZANO)


@pytest.fixture
def binasco(visconteo):
    return Comune.objects.get(codice_istat=BINASCO)


@pytest.fixture
def altro_ambito(db):
    ambito = AmbitoFactory(nome="Ambito di Lodi", codice="lodi")
    ComuneFactory(ambito=ambito, nome="Lodi", codice_istat="098031")
    return ambito


@pytest.fixture
def ufficio_piano(visconteo):
    return user_with_role(Ruolo.UFFICIO_PIANO, visconteo, username="udp")


@pytest.fixture
def operatore_rozzano(visconteo, rozzano):
    return user_with_role(Ruolo.OPERATORE, visconteo, rozzano, username="op.rozzano")


@pytest.fixture
def operatore_binasco(visconteo, binasco):
    return user_with_role(Ruolo.OPERATORE, visconteo, binasco, username="op.binasco")


@pytest.fixture
def revisore(visconteo):
    return user_with_role(Ruolo.REVISORE, visconteo, username="revisore.test")


@pytest.fixture
def ufficio_piano_altro(altro_ambito):
    return user_with_role(Ruolo.UFFICIO_PIANO, altro_ambito, username="udp.lodi")


@pytest.fixture
def as_user(client):
    """Log the test client in as the given user and return it."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def comuni_csv(tmp_path):
    """A slice of the real ISTAT file (the Comuni of some provinces) keeps the synthetic
    data tests quick; the logic is the same. Returns the file and its rows."""

    def scrivi(*province):
        rows = territorio_sintetico.read_comuni()
        sample = tmp_path / "comuni.csv"
        header = territorio_sintetico.ISTAT_CSV.read_text(encoding="utf-8").splitlines()[0] + "\n"
        keep = [r for r in rows if r["sigla_provincia"] in province]
        sample.write_text(
            header + "".join(",".join(r[k] for k in r) + "\n" for r in keep), encoding="utf-8"
        )
        return sample, keep

    return scrivi


@pytest.fixture
def territorio_ridotto(visconteo, comuni_csv):
    """Four synthetic Ambiti over the Comuni of the province of Lodi."""
    sample, _keep = comuni_csv("LO")
    territorio_sintetico.genera(
        rng=random.Random(1), stdout=StringIO(), totale_ambiti=4, path=sample
    )

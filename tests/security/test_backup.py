"""backup_dati / ripristina_dati: a copy restored into an empty database gives the same
figures and the same audit trail."""

import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from ambito import selectors
from ambito.management.commands.ripristina_dati import tabelle_con_dati
from ambito.models import Ambito, DatiDemografici
from ambito.platform.audit import registry
from tests.factories import DatiDemograficiFactory

ROOT = Path(__file__).resolve().parents[2]


# The figures a restore must give back unchanged. Each app appends its own selector
# calls here (funds totals, indicator progress, ...): name -> function of no arguments
# returning plain data.
def _popolazione_per_anno():
    return {
        a.codice: selectors.popolazione_totale_per_anno(ambito=a)
        for a in Ambito.objects.order_by("codice")
    }


def _popolazione_per_comune():
    admin = get_user_model()(is_superuser=True, is_active=True)
    return {c.codice_istat: c.residenti for c in selectors.popolazione_per_comune(fetched_by=admin)}


AGGREGATI = [
    ("popolazione residente per Ambito e anno", _popolazione_per_anno),
    ("popolazione residente per Comune e anno", _popolazione_per_comune),
]


def aggregati():
    return {nome: funzione() for nome, funzione in AGGREGATI}


def registro_completo():
    """Every historical row of every tracked model, as plain values."""
    return {
        chiave: list(t.storico.objects.order_by("history_id").values())
        for chiave, t in registry.registro().items()
    }


def utenti():
    return list(
        get_user_model().objects.order_by("pk").values("pk", "username", "password", "is_active")
    )


@pytest.fixture
def modifiche_con_utente(as_user, operatore_rozzano, ufficio_piano, rozzano):
    """Some history written by users, so the copy carries history_user references."""
    dati = DatiDemografici.objects.get(comune=rozzano, anno=2023)
    as_user(operatore_rozzano).post(
        reverse("ambito:datidemografici_update", args=[dati.pk]),
        {"anno": 2023, "residenti": 41_400, "fonte": "ISTAT"},
    )
    as_user(ufficio_piano).post(
        reverse("ambito:datidemografici_create", args=[rozzano.pk]),
        {"anno": 2024, "residenti": 41_500, "fonte": "Anagrafe comunale"},
    )
    assert DatiDemografici.objects.filter(comune=rozzano, anno=2024).exists()


def svuota_database():
    """manage.py flush, inside the test's transaction (rolled back after the test)."""
    if connection.vendor == "postgresql":
        # Rows written in this transaction leave deferred FK checks pending, and
        # PostgreSQL refuses to TRUNCATE such tables: run the checks now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # back to Django's deferred checks
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.mark.parametrize("extension", [".xml", ".xml.gz"])
def test_restore_into_an_empty_database_gives_the_same_figures_and_trail(
    tmp_path, modifiche_con_utente, extension
):
    prima = aggregati(), registro_completo(), utenti()
    assert prima[0]["popolazione residente per Ambito e anno"]["visconteo-sud-milano"][2024]
    file = tmp_path / f"copia{extension}"
    call_command("backup_dati", output=str(file), stdout=open(os.devnull, "w"))
    assert file.stat().st_size > 0

    try:
        svuota_database()
        assert tabelle_con_dati() == []
        assert not DatiDemografici.objects.exists()
        call_command("ripristina_dati", input=str(file), stdout=open(os.devnull, "w"))
        dopo = aggregati(), registro_completo(), utenti()
        assert dopo[0] == prima[0]
        assert dopo[1] == prima[1]
        assert dopo[2] == prima[2]
        # The id sequences follow the restored rows: new records do not collide.
        nuovo = DatiDemograficiFactory(
            comune_id=DatiDemografici.objects.first().comune_id, anno=2040
        )
        assert nuovo.pk > max(r["id"] for r in prima[1]["ambito.datidemografici"])
    finally:
        ContentType.objects.clear_cache()  # flush recreated them with other ids


def test_restore_refuses_a_database_with_data(tmp_path, visconteo):
    file = tmp_path / "copia.xml"
    call_command("backup_dati", output=str(file), stdout=open(os.devnull, "w"))
    prima = DatiDemografici.objects.count()
    with pytest.raises(CommandError, match="Il database non è vuoto"):
        call_command("ripristina_dati", input=str(file))
    assert DatiDemografici.objects.count() == prima


@pytest.mark.parametrize(
    "command, option, name, message",
    [
        ("backup_dati", "output", "copia.txt", "estensioni"),
        ("ripristina_dati", "input", "copia.json", "estensioni"),
        ("ripristina_dati", "input", "manca.xml", "non esiste"),
        ("backup_dati", "output", "cartella-inesistente/copia.xml", "non esiste"),
    ],
)
def test_bad_file_names_are_explained(tmp_path, db, command, option, name, message):
    with pytest.raises(CommandError, match=message):
        call_command(command, **{option: str(tmp_path / name)})


def test_a_copy_restores_into_a_new_sqlite_database(tmp_path, modifiche_con_utente):
    """The real use: a brand-new database, migrated, restored by another process.

    When the suite runs on PostgreSQL this also moves the data across engines.
    """
    file = tmp_path / "copia.xml.gz"
    call_command("backup_dati", output=str(file), stdout=open(os.devnull, "w"))
    copia = tmp_path / "copia-della-copia.xml"
    script = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', interactive=False, verbosity=0)\n"
        f"call_command('ripristina_dati', input={str(file)!r})\n"
        f"call_command('backup_dati', output={str(copia)!r})\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ambito.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'nuovo.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Dati ripristinati" in result.stdout
    originale = tmp_path / "originale.xml"
    call_command("backup_dati", output=str(originale), stdout=open(os.devnull, "w"))
    oggetti = _per_modello(originale)
    assert any(o[0] == "ambito.historicaldatidemografici" for o in oggetti)
    assert _per_modello(copia) == oggetti


def _per_modello(path):
    """The objects of a copy, comparable whatever their order in the file.

    Only the top-level <object>s: many-to-many values (a project's partner Ambiti and
    Comuni) are <object>s without a model nested in their parent's field, and are
    compared as part of it.
    """
    root = ElementTree.parse(path).getroot()
    return sorted(
        (obj.get("model"), obj.get("pk") or "", ElementTree.tostring(obj, encoding="unicode"))
        for obj in root.findall("object")
    )

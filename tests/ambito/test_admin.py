"""The Django admin is reachable with the demo superuser and speaks Italian throughout."""

import ast
import gettext
import html
import re
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from ambito.dati import DEMO_PASSWORD, DEMO_SUPERUSER, crea_utenti_demo

CATALOG = settings.BASE_DIR / "locale" / "it" / "LC_MESSAGES"


def _visible_text(response):
    """What a reader sees or hears: text nodes and the title/aria-label attributes."""
    page = re.sub(r"<(script|style)\b.*?</\1>", "", response.content.decode(), flags=re.S)
    parts = re.findall(r">([^<]+)<", page) + re.findall(r'(?:title|aria-label)="([^"]*)"', page)
    return "\n".join(html.unescape(p).strip() for p in parts if p.strip())


def _english_left(text, phrases):
    """The phrases that appear as whole words ("Comment" is not in "Commento")."""
    return [p for p in phrases if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text)]


@pytest.fixture
def admin_client(client, visconteo):
    """Logged in through the admin's own login form with the demo superuser."""
    crea_utenti_demo(stdout=StringIO())
    username = DEMO_SUPERUSER[0]
    response = client.post(
        f"{reverse('admin:login')}?next={reverse('admin:index')}",
        {"username": username, "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302, _visible_text(response)
    assert response.url == reverse("admin:index")
    return client


def test_carica_dati_prints_the_demo_superuser(visconteo, settings):
    settings.DEBUG = True  # demo users are created only in development
    out = StringIO()
    call_command("carica_dati", "--utenti-demo", stdout=out)
    assert f"{DEMO_SUPERUSER[0]:<20} password: {DEMO_PASSWORD}" in out.getvalue()
    assert "/admin/" in out.getvalue()


def test_admin_index_is_italian(admin_client):
    text = _visible_text(admin_client.get(reverse("admin:index")))
    assert not _english_left(
        text,
        [
            "Amministrazione Django",
            "Amministrazione sito Django",
            "Django",
            "Axes",
            "Access attempts",
            "Access failures",
            "Access logs",
            "Auth Token",
            "Tokens",
            "I Token",
            "Model name",
            "Add link",
            "Change or view list link",
        ],
    )
    for italian in [
        "Zonale – amministrazione",
        "Sicurezza degli accessi",
        "Tentativi di accesso",
        "Accessi falliti",
        "Accessi registrati",
        "Token dell'API",
        "Territorio",
        "Utenti",
        "Nome del modello",
    ]:
        assert italian in text, italian


def test_admin_third_party_pages_are_italian(admin_client, visconteo):
    AccessAttempt.objects.create(
        username="ignoto",
        ip_address="192.0.2.1",
        user_agent="prova",
        http_accept="*/*",
        path_info="/accesso/",
        get_data="",
        post_data="",
        failures_since_start=1,
    )
    attempts = _visible_text(admin_client.get(reverse("admin:axes_accessattempt_changelist")))
    english = ["IP Address", "Attempt Time", "Failed Logins", "Clean up", "Remaining", "Path"]
    assert not _english_left(attempts, english)
    for italian in ["Indirizzo IP", "Ora del tentativo", "Elimina i tentativi scaduti"]:
        assert italian in attempts, italian

    # The change history that every Zonale model keeps (django-simple-history).
    history = _visible_text(
        admin_client.get(reverse("admin:ambito_ambito_history", args=[visconteo.pk]))
    )
    assert not _english_left(history, ["Changed by", "Change reason", "Object", "Comment"])
    assert "Modificato da" in history

    tokens = _visible_text(admin_client.get(reverse("admin:ambito_tokenapi_changelist")))
    assert "token dell'api" in tokens.lower()
    assert "Auth Token" not in tokens


def _po_entries(path):
    """msgid -> msgstr of a hand-written .po file (no plurals, no contexts)."""
    entries, key, current = {}, None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith(("msgid ", "msgstr ")):
            key, literal = line.split(" ", 1)
            current = {"msgid": [], "msgstr": []} if key == "msgid" else current
            current[key].append(literal)
        elif line.startswith('"') and current is not None:
            current[key].append(line)
        elif not line.strip() and current and current["msgstr"]:
            msgid, msgstr = (
                "".join(ast.literal_eval(part) for part in current[k]) for k in ("msgid", "msgstr")
            )
            entries[msgid] = msgstr
            current = None
    return entries


def test_committed_catalog_is_compiled_from_the_po_file():
    """A fresh clone needs no gettext tools: django.mo is committed, and must be current."""
    po = _po_entries(CATALOG / "django.po")
    with open(CATALOG / "django.mo", "rb") as handle:
        mo = gettext.GNUTranslations(handle)._catalog
    assert len(po) > 50
    assert {k: v for k, v in mo.items() if k} == {k: v for k, v in po.items() if k}

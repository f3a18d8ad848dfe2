"""End-to-end tests: Playwright driving Debian's Chromium against pytest-django's live server.

Playwright's own browser download does not work here: `make test` installs Debian's
chromium with apt-get when /usr/bin/chromium is missing. Screenshots of every step go to
test-artifacts/ (git-ignored).
"""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from ambito.dati import DEMO_PASSWORD, crea_utenti_demo

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the
# tests themselves are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium non trovato in {CHROMIUM}: eseguire `make test` che lo installa.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def dati(transactional_db):
    """The real data and the demo users (live-server tests flush the database)."""
    with open(os.devnull, "w") as devnull:
        call_command("carica_dati", stdout=devnull)
        crea_utenti_demo(stdout=devnull)


@pytest.fixture
def page(browser, live_server, dati, request):
    context = browser.new_context(
        base_url=live_server.url, locale="it-IT", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.shots = Shots(request.node.name)
    yield page
    context.close()


def safe_name(text):
    return re.sub(r"[^\w.-]+", "_", text)


class Shots:
    def __init__(self, test_name):
        self.folder = ARTIFACTS / safe_name(test_name)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def take(self, page, step):
        self.count += 1
        name = f"{self.count:02d}-{safe_name(step)}.png"
        # A record, not an assertion: a full-page shot of a wide grid at 320 px can take
        # longer than the page's 15 s on a machine running both suites side by side.
        page.screenshot(path=str(self.folder / name), full_page=True, timeout=60_000)


def login(page, username, password=DEMO_PASSWORD):
    page.goto("/accesso/")
    page.get_by_label("Nome utente").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Accedi").click()


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core on the current page; return violations of the given impacts."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + ", ".join(n["target"][0] for n in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in impacts
    ]

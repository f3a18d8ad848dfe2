"""The pages work in Chromium under the real Content-Security-Policy (no inline style, no
inline script): the dashboard with its charts, its filters that reload them, the API
documentation (Swagger UI) used for a request, simple-history's pages in the admin.

The browser reports what the policy blocks as `securitypolicyviolation` events and as
console errors: both are collected from the first page on and must stay empty.
"""

from playwright.sync_api import expect

from indicatori.models import Periodo
from tests.factories import UserFactory

from .conftest import login

WATCH = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.cspViolations.push(
  `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber} ${e.sample}`));
"""


def watch(page):
    """Console errors of every page, and the CSP violations of the current one."""
    errors = []
    page.on(
        "console",
        lambda m: (
            errors.append(f"{page.url}: {m.text} {m.location['url']}")
            if m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    page.add_init_script(WATCH)
    return errors


def violations(page):
    return [f"{page.url}: {v}" for v in page.evaluate("window.cspViolations")]


def test_dashboard_and_api_docs_run_under_the_csp(page):
    errors, blocked = watch(page), []
    login(page, "ufficio.piano")
    assert (
        "'unsafe-inline'"
        not in page.goto("/indicatori/cruscotto/").headers["content-security-policy"]
    )
    charts = page.locator("figure.grafico svg")
    assert charts.count() >= 2
    box = charts.first.bounding_box()
    assert box["width"] > 300 and box["height"] > 100  # drawn, at the size of its column
    assert violations(page) == []
    # The bars keep their colours (a style attribute blocked by the CSP would leave them
    # black): the first series is drawn in Bootstrap Italia's blue.
    fills = page.evaluate(
        "() => [...document.querySelectorAll('figure.grafico svg rect')]"
        ".map(p => getComputedStyle(p).fill)"
    )
    assert "rgb(0, 102, 204)" in fills
    page.shots.take(page, "cruscotto")
    # The filters reload the dashboard's HTML (charts included) by script.
    primo = Periodo.objects.order_by("data_fine").first()
    page.get_by_label("Periodo").select_option(str(primo.pk))
    page.wait_for_function(
        "nome => document.querySelector('#cruscotto h2').textContent.includes(nome)",
        arg=primo.nome,
    )
    blocked += violations(page)

    page.goto("/api/docs/")
    page.locator(".opblock-summary").first.click()
    page.get_by_role("button", name="Try it out").first.click()
    page.get_by_role("button", name="Execute").first.click()
    page.locator(".live-responses-table").first.wait_for()
    page.locator(".models .model-box").first.click()
    page.shots.take(page, "documentazione API")
    blocked += violations(page)

    assert blocked == []
    assert errors == []


def test_admin_history_runs_under_the_csp(page):
    UserFactory(username="admin.csp", is_staff=True, is_superuser=True)
    errors = watch(page)
    page.goto("/admin/login/")
    page.get_by_label("Nome utente").fill("admin.csp")
    page.get_by_label("Password").fill("Password-di-prova-1")
    page.get_by_role("button", name="Accedi").click()
    page.goto("/admin/indicatori/indicatore/")
    page.locator("#result_list tbody th a").first.click()
    page.get_by_role("link", name="Storia").click()
    page.wait_for_load_state("load")  # its stylesheets too
    expect(page.locator("#change-history")).to_be_visible()
    # simple-history's paginator rule, now in a stylesheet instead of a style attribute.
    expect(page.locator("#change-history + .paginator")).to_have_css("border-top-width", "0px")
    page.shots.take(page, "storico admin")
    assert violations(page) == []
    assert [e for e in errors if "favicon.ico" not in e] == []

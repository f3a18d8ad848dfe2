"""The Content-Security-Policy allows no inline script and no inline style, and no page
needs one: not the charts (SVG presentation attributes, ambito/platform/charts.py), not the Django
admin, not simple-history's pages (template copy without its style attribute)."""

from pathlib import Path

import pytest
import simple_history
from django.conf import settings
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from programmi.models import Valutazione

from .inline import inline_code


def policy(response) -> dict[str, list[str]]:
    directives = (part.strip().split() for part in response["Content-Security-Policy"].split(";"))
    return {name: sources for name, *sources in directives}


def test_the_setting_allows_no_inline_code():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["style-src"] == ["'self'"]
    assert not [name for name, sources in directives.items() if "'unsafe-inline'" in sources]


@pytest.mark.parametrize(
    "url_name", ["login", "home", "indicatori:cruscotto", "api_docs", "admin:index"]
)
def test_the_header_sent_allows_no_inline_style(as_user, ufficio_piano, url_name):
    response = as_user(ufficio_piano).get(reverse(url_name), follow=True)
    assert response.status_code == 200
    sent = policy(response)
    assert sent["style-src"] == ["'self'"]
    assert sent["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_the_pages_with_charts_have_no_inline_style(as_user, ufficio_piano):
    piano = Valutazione.objects.select_related("obiettivo").first().obiettivo.piano_id
    client = as_user(ufficio_piano)
    for url in (
        reverse("indicatori:cruscotto"),
        reverse("programmi:valutazione_list", args=[piano]),
    ):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200 and "<svg" in html, url
        assert inline_code(html) == [], url
        assert "style=" not in html and "<style" not in html, url


def admin_urls(model, pk):
    opts = model._meta
    names = [("changelist", ()), ("add", ())]
    if pk is not None:
        names += [("change", (pk,)), ("history", (pk,))]
    for name, args in names:
        try:
            yield reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args)
        except NoReverseMatch:
            pass


def test_every_admin_page_needs_no_inline_code(admin_client):
    """A superuser's changelists, add, change and history pages (simple-history's too)."""
    checked, problems = 0, []
    for model in admin.site._registry:
        first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        for url in admin_urls(model, first):
            response = admin_client.get(url)
            if response.status_code != 200:
                continue  # e.g. add refused on the read-only logs
            checked += 1
            problems += [f"{url}: {p}" for p in inline_code(response.content.decode())]
    assert checked > 3 * len(admin.site._registry)
    assert not problems, "\n".join(problems)


def test_the_simple_history_template_copy_is_in_step_with_the_package():
    """Ours is the package's list of versions less its style attribute: on an upgrade of
    simple-history that changes the template, this fails until the copy is made again."""
    name = "simple_history/object_history_list.html"
    theirs = (Path(simple_history.__file__).parent / "templates" / name).read_text()
    ours = (settings.BASE_DIR / "templates" / name).read_text()
    comment, copy = ours.split("\n", 1)
    assert comment.startswith("{% comment %}") and simple_history.__version__ in comment
    assert copy == theirs.replace(' style="border-top: 0"', "")


def test_the_readme_states_the_policy_really_sent(client, db):
    """README, "Intestazioni, CSRF, Content-Security-Policy": the block is the header."""
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    block = readme.split("```\n  Content-Security-Policy:", 1)[1].split("```", 1)[0]
    stated = {name: sources for name, *sources in (d.split() for d in block.split(";"))}
    assert stated == policy(client.get(reverse("login")))

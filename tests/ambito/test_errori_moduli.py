"""Every ordinary form gets the entry grid's error pattern from one place (base.html and
style_form): "Errore:" in the page title, a summary at the top with a link to each
field in error, aria-invalid and aria-describedby on the fields."""

import re

from django.urls import reverse

from ambito.models import DatiDemografici
from programmi.models import PianoDiZona, Scheda


def _titolo(html):
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def _riepilogo(html):
    inizio = html.index('id="riepilogo-errori"')
    return html[inizio : html.index("</div>", inizio)]


def _controlla(response, campi):
    """The three parts of the pattern, for the fields named (field name -> label)."""
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert _titolo(html).startswith("Errore: ")
    riepilogo = _riepilogo(html)
    assert html.count('id="riepilogo-errori"') == 1
    assert 'tabindex="-1"' in html[html.index('id="riepilogo-errori"') - 200 :][:400]
    for nome, etichetta in campi.items():
        assert f'<a href="#id_{nome}">{etichetta}</a>' in riepilogo
        campo = re.search(rf"<(input|select|textarea)[^>]*\bid=\"id_{nome}\"[^>]*>", html).group(0)
        assert 'aria-invalid="true"' in campo
        assert f'aria-describedby="id_{nome}_errors"' in campo
        assert f'id="id_{nome}_errors"' in html  # the message the field points to
    return riepilogo


def test_demographic_data_form(as_user, operatore_rozzano, rozzano):
    dati = DatiDemografici.objects.get(comune=rozzano, anno=2023)
    response = as_user(operatore_rozzano).post(
        reverse("ambito:datidemografici_update", args=[dati.pk]),
        {"anno": 2023, "residenti": "molti", "stranieri": 5062, "fonte": "ISTAT"},
    )
    riepilogo = _controlla(response, {"residenti": "Popolazione residente"})
    assert "Inserisci un numero intero." in riepilogo


def test_project_sheet_form(as_user, ufficio_piano, visconteo):
    scheda = Scheda.objects.get(piano__ambito=visconteo, piano__anno_inizio=2025, numero=1)
    client = as_user(ufficio_piano)
    url = reverse("programmi:scheda_update", args=[scheda.pk])
    form = client.get(url).context["form"]
    assert "Errore" not in _titolo(client.get(url).content.decode())  # only after a failure
    dati = {n: f.prepare_value(form[n].value()) for n, f in form.fields.items()}
    dati = {k: v for k, v in dati.items() if v is not None and not isinstance(v, list)}
    dati["budget"] = "-10"
    _controlla(client.post(url, dati), {"budget": "Risorse economiche preventivate"})


def test_objective_form_non_field_and_field_errors(as_user, ufficio_piano, visconteo):
    piano = PianoDiZona.objects.get(ambito=visconteo, anno_inizio=2025)
    response = as_user(ufficio_piano).post(
        reverse("programmi:obiettivo_create", args=[piano.pk]), {"numero": "", "titolo": ""}
    )
    _controlla(response, {"numero": "Numero", "titolo": "Titolo"})


def test_filter_form_of_the_audit_list(as_user, ufficio_piano):
    response = as_user(ufficio_piano).get(
        reverse("registro:index"), {"dal": "2025-05-01", "al": "2025-01-01"}
    )
    riepilogo = _controlla(response, {"al": "Al"})
    assert "La data finale non può precedere quella iniziale." in riepilogo


def test_a_valid_page_has_no_summary(as_user, ufficio_piano):
    html = as_user(ufficio_piano).get(reverse("registro:index")).content.decode()
    assert 'id="riepilogo-errori"' not in html and "aria-invalid" not in html
    assert not _titolo(html).startswith("Errore")


def test_a_new_form_gets_the_pattern_without_code_of_its_own(rf, ufficio_piano):
    """A form written later (as other branches do) only has to use StyledFormMixin."""
    from django import forms
    from django.template import engines

    from ambito.platform.forms import StyledFormMixin

    class NuovoForm(StyledFormMixin, forms.Form):
        quota = forms.IntegerField(label="Quota")
        accetto = forms.BooleanField(label="Accetto")

    form = NuovoForm({"quota": "x"})
    request = rf.get("/")
    request.user = ufficio_piano
    pagina = engines["django"].from_string(
        '{% extends "base.html" %}{% block content %}'
        '{% include "includes/form_fields.html" %}{% endblock %}'
    )
    html = pagina.render({"form": form}, request)
    assert _titolo(html).startswith("Errore: ")
    riepilogo = _riepilogo(html)
    assert '<a href="#id_quota">Quota</a>' in riepilogo
    assert '<a href="#id_accetto">Accetto</a>' in riepilogo
    casella = re.search(r"<input[^>]*id=\"id_accetto\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in casella and 'aria-describedby="id_accetto_errors"' in casella

"""Hostile input on the main forms and API write endpoints.

Markup is stored as typed and escaped where it is shown back; SQL-looking text is
stored literally; too long text and impossible amounts get an Italian message next to
the field (or in the API's JSON), never a 500, and nothing is saved; the CSV export
does not hand formulas to spreadsheets.
"""

import csv
import io
from decimal import Decimal
from importlib import import_module

import pytest
from django.urls import get_resolver, reverse

from ambito.filtersets import AnnoFilter, FilterSet
from ambito.models import DatiDemografici
from ambito.platform.api.filters import FiltriBackend
from ambito.platform.api.renderers import neutralise_formula
from ambito.platform.forms import AnnoField
from fondi.models import FinanziamentoProgetto, Progetto
from indicatori.models import Valore
from tests.fondi.factories import ProgettoFactory, dati_progetto, linea
from tests.indicatori.factories import IndicatoreFactory, PeriodoFactory, ValoreFactory
from tests.problemi import errori as errori_di
from tests.programmi.factories import PianoFactory, SchedaFactory

SCRIPT = '<script>alert("xss")</script>'
SCRIPT_ESCAPED = "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;"
SQL = "Robert'); DROP TABLE fondi_progetto; --"

# Amounts no field may take: over the 14 digits, negative, not numbers, overflowing.
CATTIVI_IMPORTI = ["1e309", "-1e309", "NaN", "inf", "-5", "1" * 30, "12,345,67", "1e20"]


def _errore_campo(response, campo):
    """The form is shown again with the message next to the field."""
    assert response.status_code == 200
    form = response.context["form"]
    assert campo in form.errors, form.errors
    assert f'id="id_{campo}_errors"' in response.content.decode()
    return " ".join(form.errors[campo])


def _in_italiano(messaggio):
    parole_inglesi = ("Ensure", "Enter a", "A valid", "This field", "is required", "digits")
    assert messaggio and not any(p in messaggio for p in parole_inglesi), messaggio


# --- fondi: projects (page) ---------------------------------------------------------------


def test_markup_in_a_project_is_escaped_on_its_page(as_user, ufficio_piano, visconteo):
    client = as_user(ufficio_piano)
    response = client.post(
        reverse("fondi:progetto_create"),
        dati_progetto(visconteo, titolo=f"Progetto {SCRIPT}", descrizione=f"<b>x</b>{SCRIPT}"),
    )
    assert response.status_code == 302
    progetto = Progetto.objects.get(titolo=f"Progetto {SCRIPT}")  # stored as typed
    html = client.get(reverse("fondi:progetto_detail", args=[progetto.pk])).content.decode()
    assert SCRIPT_ESCAPED in html
    assert SCRIPT not in html
    assert "<b>x</b>" not in html
    html = client.get(reverse("fondi:progetto_list")).content.decode()
    assert SCRIPT_ESCAPED in html and SCRIPT not in html


def test_sql_looking_text_is_stored_literally(as_user, ufficio_piano, visconteo):
    prima = Progetto.objects.count()
    response = as_user(ufficio_piano).post(
        reverse("fondi:progetto_create"), dati_progetto(visconteo, titolo=SQL, rup=SQL[:100])
    )
    assert response.status_code == 302
    progetto = Progetto.objects.get(titolo=SQL)
    assert progetto.rup == SQL[:100]
    assert Progetto.objects.count() == prima + 1  # the table is still there


def test_an_overlong_title_gets_an_italian_error_and_nothing_is_saved(
    as_user, ufficio_piano, visconteo
):
    prima = Progetto.objects.count()
    response = as_user(ufficio_piano).post(
        reverse("fondi:progetto_create"), dati_progetto(visconteo, titolo="x" * 501)
    )
    messaggio = _errore_campo(response, "titolo")
    _in_italiano(messaggio)
    assert "500" in messaggio and "caratteri" in messaggio
    assert Progetto.objects.count() == prima


@pytest.mark.parametrize("importo", CATTIVI_IMPORTI)
def test_impossible_amounts_in_a_funding_form_get_an_italian_error(
    as_user, ufficio_piano, visconteo, importo
):
    progetto = ProgettoFactory(ambito=visconteo)
    response = as_user(ufficio_piano).post(
        reverse("fondi:finanziamento_create", args=[progetto.pk]),
        {"linea": linea("FSE-PLUS").pk, "importo": importo},
    )
    _in_italiano(_errore_campo(response, "importo"))
    assert not FinanziamentoProgetto.objects.filter(progetto=progetto).exists()


# --- fondi: API -----------------------------------------------------------------------------


@pytest.mark.parametrize("importo", CATTIVI_IMPORTI)
def test_impossible_amounts_in_the_funding_api_get_an_italian_400(
    as_user, ufficio_piano, visconteo, importo
):
    progetto = ProgettoFactory(ambito=visconteo)
    response = as_user(ufficio_piano).post(
        reverse("finanziamentoprogetto-list"),
        {"progetto": progetto.pk, "linea": linea("FSE-PLUS").pk, "importo": importo},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    errori = errori_di(response)
    assert "importo" in errori, errori
    _in_italiano(" ".join(map(str, errori["importo"])))
    assert not FinanziamentoProgetto.objects.filter(progetto=progetto).exists()


def test_markup_and_sql_through_the_project_api_come_back_as_typed(
    as_user, ufficio_piano, visconteo
):
    progetto = ProgettoFactory(ambito=visconteo)
    client = as_user(ufficio_piano)
    response = client.patch(
        reverse("progetto-detail", args=[progetto.pk]),
        {"titolo": SCRIPT, "descrizione": SQL},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    progetto.refresh_from_db()
    assert (progetto.titolo, progetto.descrizione) == (SCRIPT, SQL)
    html = client.get(reverse("fondi:progetto_detail", args=[progetto.pk])).content.decode()
    assert SCRIPT_ESCAPED in html and SCRIPT not in html


# --- indicatori: values (API) -------------------------------------------------------------


@pytest.fixture
def valore_rozzano(visconteo, rozzano):
    indicatore = IndicatoreFactory(piano=PianoFactory(ambito=visconteo, anno_inizio=1900))
    periodo = PeriodoFactory(ambito=visconteo)
    return ValoreFactory(indicatore=indicatore, periodo=periodo, comune=rozzano)


@pytest.mark.parametrize("numero", CATTIVI_IMPORTI)
def test_impossible_numbers_in_an_indicator_value_get_an_italian_400(
    as_user, operatore_rozzano, valore_rozzano, numero
):
    response = as_user(operatore_rozzano).patch(
        reverse("valore-detail", args=[valore_rozzano.pk]),
        {"valore_numerico": numero, "versione": valore_rozzano.versione},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    errori = errori_di(response)
    assert "valore_numerico" in errori, errori
    _in_italiano(" ".join(map(str, errori["valore_numerico"])))
    valore_rozzano.refresh_from_db()
    assert valore_rozzano.valore_numerico is None


def test_markup_in_an_indicator_comment_is_escaped_on_the_value_page(
    as_user, operatore_rozzano, valore_rozzano
):
    client = as_user(operatore_rozzano)
    response = client.patch(
        reverse("valore-detail", args=[valore_rozzano.pk]),
        {"valore_numerico": "12", "commento": SCRIPT, "versione": valore_rozzano.versione},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert Valore.objects.get(pk=valore_rozzano.pk).commento == SCRIPT
    html = client.get(
        reverse("indicatori:valore_detail", args=[valore_rozzano.pk])
    ).content.decode()
    assert SCRIPT_ESCAPED in html and SCRIPT not in html


# --- programmi: schede --------------------------------------------------------------------


def test_markup_in_a_scheda_is_escaped_on_its_page(as_user, revisore, visconteo):
    scheda = SchedaFactory(
        piano=PianoFactory(ambito=visconteo, anno_inizio=1900), titolo=f"Scheda {SCRIPT}"
    )
    html = as_user(revisore).get(reverse("programmi:scheda_detail", args=[scheda.pk]))
    html = html.content.decode()
    assert SCRIPT_ESCAPED in html and SCRIPT not in html


@pytest.mark.parametrize("budget", CATTIVI_IMPORTI)
def test_impossible_budgets_in_the_scheda_api_get_an_italian_400(
    as_user, ufficio_piano, visconteo, budget
):
    scheda = SchedaFactory(piano=PianoFactory(ambito=visconteo, anno_inizio=1900))
    response = as_user(ufficio_piano).patch(
        reverse("scheda-detail", args=[scheda.pk]),
        {"budget": budget},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    errori = errori_di(response)
    assert "budget" in errori, errori
    _in_italiano(" ".join(map(str, errori["budget"])))
    scheda.refresh_from_db()
    assert scheda.budget == Decimal("1000")


# --- CSV export: no formulas for spreadsheets ---------------------------------------------

FORMULE = ['=HYPERLINK("http://evil.example","x")', "+1+2", "-2+3", "@SUM(A1:A9)"]


@pytest.mark.parametrize("titolo", FORMULE)
def test_csv_export_neutralises_formulas(as_user, ufficio_piano, visconteo, titolo):
    ProgettoFactory(ambito=visconteo, titolo=titolo, descrizione="ok")
    response = as_user(ufficio_piano).get(reverse("progetto-list"), {"format": "csv"})
    assert response.status_code == 200
    righe = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    celle = {cella for riga in righe[1:] for cella in riga}
    assert "'" + titolo in celle
    assert titolo not in celle


def test_csv_neutralising_keeps_numbers_as_numbers():
    assert neutralise_formula("-12.50") == "-12.50"
    assert neutralise_formula("+3") == "+3"
    assert neutralise_formula(-12) == -12
    assert neutralise_formula("=1+1") == "'=1+1"
    assert neutralise_formula("\t=1") == "'\t=1"
    assert neutralise_formula("Rozzano") == "Rozzano"


# --- years in filters and query parameters ----------------------------------------------

# Not a year from 1900 to 2100: too large for a date or a database integer, year 0,
# negative, with decimals, in exponent form, digits int() refuses, not a number at all.
CATTIVI_ANNI = [
    "1e20",
    "99999999999",
    "9" * 40,
    "99999",
    "0",
    "-0.3",
    "-2025",
    "2025.5",
    "1899",
    "2101",
    "²",
    "duemila",
]

# Every API list or aggregate that takes a year.
API_CON_ANNO = [
    "/api/v1/avvisi/",
    "/api/v1/progetti/",
    "/api/v1/assegnazioni/",
    "/api/v1/piani/",
    "/api/v1/dati-servizi/",
    "/api/v1/dati-demografici/",
    "/api/v1/fondi/totali/",
    "/api/v1/fondi/avanzamento-progetti/",
    "/api/v1/servizi/posti-per-mille/",
]

# The pages whose filters take a year.
PAGINE_CON_ANNO = ["fondi:progetto_list", "fondi:assegnazione_list", "fondi:index"]


@pytest.mark.parametrize("anno", CATTIVI_ANNI)
@pytest.mark.parametrize("url", API_CON_ANNO)
def test_a_year_out_of_range_in_the_api_gets_an_italian_400(
    as_user, ufficio_piano, visconteo, url, anno
):
    response = as_user(ufficio_piano).get(url, {"anno": anno})
    assert response.status_code == 400, response.content
    errori = errori_di(response)
    assert list(errori) == ["anno"], errori
    _in_italiano(" ".join(errori["anno"]))


@pytest.mark.parametrize("url", API_CON_ANNO)
def test_a_year_in_range_is_still_a_filter(as_user, ufficio_piano, visconteo, url):
    client = as_user(ufficio_piano)
    assert client.get(url, {"anno": "2025"}).status_code == 200
    assert client.get(url, {"anno": "1900"}).status_code == 200
    assert client.get(url, {"anno": " 2100 "}).status_code == 200


def test_the_year_filters_by_year(as_user, ufficio_piano, visconteo):
    client = as_user(ufficio_piano)
    assegnazioni = client.get("/api/v1/assegnazioni/", {"anno": 2023}).json()["results"]
    assert assegnazioni and {a["anno"] for a in assegnazioni} == {2023}
    assert client.get("/api/v1/assegnazioni/", {"anno": 1901}).json()["results"] == []


@pytest.mark.parametrize("anno", ["99999999999", "1e20", "2025.5", "0"])
@pytest.mark.parametrize("pagina", PAGINE_CON_ANNO)
def test_a_year_out_of_range_on_a_page_is_an_error_next_to_the_field(
    as_user, ufficio_piano, visconteo, pagina, anno
):
    response = as_user(ufficio_piano).get(reverse(pagina), {"anno": anno})
    assert response.status_code == 200
    errori = response.context["filterset"].form.errors
    assert list(errori) == ["anno"], errori
    messaggio = " ".join(errori["anno"])
    _in_italiano(messaggio)
    html = response.content.decode()
    assert 'id="id_anno_errors"' in html and 'aria-describedby="id_anno_errors"' in html


@pytest.mark.parametrize("anno", ["99999999999", "2025.5", "²"])
def test_a_year_out_of_range_on_the_summary_of_places_is_an_error_next_to_the_field(
    as_user, ufficio_piano, visconteo, anno
):
    response = as_user(ufficio_piano).get(reverse("servizi:unita_riepilogo"), {"anno": anno})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="anno_errors"' in html and 'aria-describedby="anno_errors"' in html
    _in_italiano(" ".join(response.context["form_posti"].errors["anno"]))


def _viste_api():
    def percorri(risolutore):
        for pattern in risolutore.url_patterns:
            if hasattr(pattern, "url_patterns"):
                yield from percorri(pattern)
            elif hasattr(pattern.callback, "cls"):
                yield pattern.callback.cls

    return set(percorri(get_resolver()))


def _tutti_i_filtersets():
    """Every FilterSet of the project: the declared ones, and those DRF builds from a
    view's `filterset_fields`."""
    for app in ("ambito", "fondi", "servizi", "programmi", "indicatori"):
        import_module(f"{app}.filtersets")
    da_vedere = [FilterSet]
    while da_vedere:
        classe = da_vedere.pop()
        da_vedere.extend(classe.__subclasses__())
        if classe._meta.model is not None:
            yield classe
    for vista in _viste_api():
        if getattr(vista, "filterset_fields", None):
            yield FiltriBackend().get_filterset_class(vista(), vista.queryset)


def test_every_year_filter_is_the_shared_one():
    anni = {
        f"{filterset.__name__}.{nome}": filtro
        for filterset in _tutti_i_filtersets()
        for nome, filtro in filterset.base_filters.items()
        if nome == "anno" or nome.startswith("anno_")
    }
    assert len(anni) >= 6, anni  # the FilterSets above, with their years
    for nome, filtro in anni.items():
        assert isinstance(filtro, AnnoFilter), nome
        assert isinstance(filtro.field, AnnoField), nome


def test_a_year_field_in_meta_fields_gets_the_shared_filter():
    class DatiFilterSet(FilterSet):
        class Meta:
            model = DatiDemografici
            fields = ["anno", "residenti"]

    assert isinstance(DatiFilterSet.base_filters["anno"], AnnoFilter)
    assert not isinstance(DatiFilterSet.base_filters["residenti"], AnnoFilter)


# --- request bodies that are not usable JSON ------------------------------------------------

ANNIDATO = '{"a":' * 5000 + "1" + "}" * 5000


def _scritture_json(valore):
    """The JSON writes of the API, each by a user allowed to make it."""
    return [
        ("ufficio_piano", "post", reverse("progetto-list")),
        ("operatore_rozzano", "patch", reverse("valore-detail", args=[valore.pk])),
        ("operatore_rozzano", "post", reverse("valore-invia")),
        ("ufficio_piano", "post", reverse("valore-approva-comune")),
    ]


@pytest.mark.parametrize(
    "corpo",
    [
        ANNIDATO,
        "[" * 100_000,
        '{"a":' * 40 + "1" + "}" * 40,  # parses, but deeper than any request of the API
        '{"titolo": "x",',
        '{"titolo": NaN}',
        "\xff\xfe",
    ],
    ids=["annidato", "parentesi", "troppo-profondo", "troncato", "nan", "non-utf8"],
)
def test_a_body_that_is_not_usable_json_gets_an_italian_400(request, client, valore_rozzano, corpo):
    for ruolo, metodo, url in _scritture_json(valore_rozzano):
        client.force_login(request.getfixturevalue(ruolo))
        dati = corpo.encode("latin-1") if corpo == "\xff\xfe" else corpo
        response = getattr(client, metodo)(url, dati, content_type="application/json")
        assert response.status_code == 400, (url, response.content[:200])
        messaggio = response.json()["detail"]
        assert "JSON" in messaggio and "parse error" not in messaggio, messaggio
        _in_italiano(messaggio)
    valore_rozzano.refresh_from_db()
    assert valore_rozzano.valore_numerico is None


def test_a_nested_body_within_the_limit_reaches_the_serializer(
    as_user, operatore_rozzano, valore_rozzano
):
    response = as_user(operatore_rozzano).patch(
        reverse("valore-detail", args=[valore_rozzano.pk]),
        {"commento": {"a": [{"b": 1}]}, "versione": valore_rozzano.versione},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "commento" in errori_di(response)


# --- ids in query parameters read by hand ----------------------------------------------------

CATTIVI_ID = ["²", "①", "9" * 30, "9" * 5000, "1e3", "-1"]


@pytest.mark.parametrize("valore", CATTIVI_ID)
def test_an_id_that_is_not_one_never_fails(as_user, ufficio_piano, visconteo, valore):
    client = as_user(ufficio_piano)
    richieste = [
        ("/api/v1/avanzamento/", "piano", {400, 404}),
        ("/api/v1/avanzamento/", "area", {400, 404}),
        ("/api/v1/servizi/posti-per-mille/", "ambito", {404}),
        (reverse("servizi:unita_riepilogo"), "ambito", {404}),
        (reverse("indicatori:avanzamento"), "piano", {200}),
        (reverse("indicatori:cruscotto"), "ambito", {200}),
    ]
    for url, parametro, attesi in richieste:
        response = client.get(url, {parametro: valore})
        assert response.status_code in attesi, (url, parametro, response.status_code)

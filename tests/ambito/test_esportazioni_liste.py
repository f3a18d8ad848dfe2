"""Every list page and table to .xlsx and CSV: the page's own rows (same scope, same
filters), names not ids, numbers as numbers with Italian display formats, a "Filtri"
sheet, an Italian CSV any csv reader reads; bounded queries."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def scarica(client, url, formato, **filtri):
    response = client.get(url, {**filtri, "esporta": formato})
    assert response.status_code == 200, response.content[:300]
    corpo = b"".join(response.streaming_content)
    assert "attachment" in response["Content-Disposition"]
    return response, corpo


def xlsx(client, url, **filtri):
    """(header, rows as cells, {filter: value}) of the page's .xlsx."""
    response, corpo = scarica(client, url, "xlsx", **filtri)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    libro = openpyxl.load_workbook(io.BytesIO(corpo))
    assert libro.sheetnames == ["Dati", "Filtri"]
    intestazione, *righe = list(libro["Dati"].iter_rows())
    filtri_foglio = {r[0].value: r[1].value for r in libro["Filtri"].iter_rows()}
    return [c.value for c in intestazione], righe, filtri_foglio


def csv_it(client, url, **filtri):
    """(header, rows) of the page's Italian CSV, read by the csv module with `;`."""
    response, corpo = scarica(client, url, "csv", **filtri)
    assert response["Content-Type"].startswith("text/csv")
    testo = corpo.decode("utf-8")
    assert testo.startswith("\ufeff")
    intestazione, *righe = list(csv.reader(io.StringIO(testo[1:]), delimiter=";"))
    return intestazione, righe


def numero_it(testo: str) -> Decimal:
    """An Italian number of a CSV cell ("1234,5") as Python reads it."""
    return Decimal(testo.replace(",", "."))


def colonna(intestazione, nome):
    return intestazione.index(nome)


# --- Progetti: euro and percentages as numbers, with numerator and denominator --------


def test_projects_xlsx_has_numbers_with_italian_formats_and_the_filters_sheet(
    as_user, ufficio_piano
):
    from fondi.models import Progetto
    from tests.fondi.factories import AvanzamentoFactory

    progetto = Progetto.objects.visible_to(ufficio_piano).order_by("pk").first()
    AvanzamentoFactory(progetto=progetto, ammesso=Decimal("80000.00"), erogato=Decimal("17200"))
    client = as_user(ufficio_piano)
    url = reverse("fondi:progetto_list")
    pagina = client.get(url).content.decode()
    assert "?esporta=xlsx" in pagina and "?esporta=csv" in pagina
    intestazione, righe, filtri = xlsx(client, url)
    assert len(righe) == Progetto.objects.visible_to(ufficio_piano).count() > 0
    importo = colonna(intestazione, "Importo concesso")
    percentuale = colonna(intestazione, "% erogato sull'ammesso")
    ammesso = colonna(intestazione, "Ammesso (ultima rilevazione)")
    erogato = colonna(intestazione, "Erogato (ultima rilevazione)")
    con_importo = [r for r in righe if r[importo].value is not None]
    assert con_importo
    for riga in con_importo:
        assert isinstance(riga[importo].value, int | float)
        assert riga[importo].number_format == '"€" #,##0.00'
    con_percentuale = [r for r in righe if r[percentuale].value is not None]
    assert con_percentuale, "the fixtures have projects with progress"
    for riga in con_percentuale:
        # A fraction shown as 21,5%, equal to erogato / ammesso of the same row.
        assert riga[percentuale].number_format == "0.0%"
        assert riga[percentuale].value == pytest.approx(riga[erogato].value / riga[ammesso].value)
    assert [r[percentuale].value for r in con_percentuale] == [pytest.approx(0.215)]
    assert "Estratto da" in filtri and "Estratto il" in filtri
    assert filtri["Tabella"] == "Progetti finanziati"


def test_projects_export_keeps_the_page_filters(as_user, ufficio_piano):
    from fondi.models import Progetto

    client = as_user(ufficio_piano)
    url = reverse("fondi:progetto_list")
    tutti = Progetto.objects.visible_to(ufficio_piano)
    attesi = set(tutti.filter(titolo__icontains="housing").values_list("titolo", flat=True))
    assert 0 < len(attesi) < tutti.count()
    intestazione, righe = csv_it(client, url, q="Housing")
    assert {r[colonna(intestazione, "Progetto")] for r in righe} == attesi
    _intestazione, righe_xlsx, filtri = xlsx(client, url, q="Housing")
    assert len(righe_xlsx) == len(attesi)
    assert filtri["Cerca (titolo, CUP, codice)"] == "Housing"


# --- Assegnazioni: euro in the CSV with a decimal comma ------------------------------


def test_allocations_csv_is_italian_and_matches_the_database(as_user, ufficio_piano, visconteo):
    from fondi.models import Assegnazione

    client = as_user(ufficio_piano)
    url = reverse("fondi:assegnazione_list")
    assert "?esporta=csv" in client.get(url).content.decode()
    intestazione, righe = csv_it(client, url, anno=2023)
    attese = Assegnazione.objects.filter(ambito=visconteo, anno=2023)
    assert len(righe) == attese.count() > 0
    importo = colonna(intestazione, "Importo")
    assert sum(numero_it(r[importo]) for r in righe) == sum(a.importo for a in attese)
    assert all("." not in r[importo] for r in righe)  # no thousands dot, a decimal comma
    assert {r[colonna(intestazione, "Ambito")] for r in righe} == {visconteo.nome}


def test_out_of_scope_rows_are_never_exported(as_user, ufficio_piano_altro, visconteo):
    client = as_user(ufficio_piano_altro)
    for nome in ("fondi:assegnazione_list", "fondi:progetto_list", "servizi:unita_list"):
        intestazione, righe = csv_it(client, reverse(nome))
        assert all(visconteo.nome not in ";".join(r) for r in righe), nome
    # Asking for the other Ambito by id is refused by the filter, not answered.
    _intestazione, righe = csv_it(client, reverse("fondi:assegnazione_list"), ambito=visconteo.pk)
    assert righe == []


# --- Servizi and unità d'offerta ----------------------------------------------------


def test_services_and_units_export_names_and_integers(as_user, ufficio_piano, rozzano):
    from servizi.models import Servizio, UnitaOfferta

    client = as_user(ufficio_piano)
    intestazione, righe, _filtri = xlsx(client, reverse("servizi:index"))
    assert len(righe) == Servizio.objects.visible_to(ufficio_piano).count() > 0
    leps = colonna(intestazione, "LEPS")
    assert {r[leps].value for r in righe} <= {"Sì", "No"}

    intestazione, righe, filtri = xlsx(client, reverse("servizi:unita_list"), comune=rozzano.pk)
    attese = UnitaOfferta.objects.visible_to(ufficio_piano).filter(comune=rozzano)
    assert len(righe) == attese.count() > 0
    assert {r[colonna(intestazione, "Comune")].value for r in righe} == {"Rozzano"}
    posti = colonna(intestazione, "Posti")
    for riga in righe:
        if riga[posti].value is not None:
            assert isinstance(riga[posti].value, int) and riga[posti].number_format == "#,##0"
    assert filtri["Comune"] == "Rozzano"


# --- Valori --------------------------------------------------------------------------


def test_values_export_by_unit_and_operatore_sees_only_his_comune(
    as_user, operatore_rozzano, rozzano
):
    from indicatori.models import Valore

    client = as_user(operatore_rozzano)
    url = reverse("indicatori:valore_list")
    assert "?esporta=xlsx" in client.get(url).content.decode()
    intestazione, righe, _filtri = xlsx(client, url)
    attesi = Valore.objects.visible_to(operatore_rozzano)
    assert len(righe) == attesi.count() > 0
    comuni = {r[colonna(intestazione, "Comune")].value for r in righe}
    assert comuni <= {"Rozzano", "Ambito"}
    valore = colonna(intestazione, "Valore")
    unita = colonna(intestazione, "Unità di misura")
    for riga in righe:
        if riga[valore].value is not None and riga[unita].value == "Percentuale":
            assert riga[valore].number_format == "0.0%"
        if riga[valore].value is not None and riga[unita].value == "Euro":
            assert riga[valore].number_format == '"€" #,##0.00'


@pytest.mark.parametrize(
    "nome",
    [
        "indicatori:valore_list",
        "fondi:progetto_list",
        "fondi:assegnazione_list",
        "servizi:index",
        "servizi:unita_list",
    ],
)
def test_export_queries_do_not_grow_with_rows(
    as_user, ufficio_piano, django_assert_max_num_queries, nome
):
    client = as_user(ufficio_piano)
    with django_assert_max_num_queries(12):
        scarica(client, reverse(nome), "xlsx")
    with django_assert_max_num_queries(12):
        scarica(client, reverse(nome), "csv")


# --- The API: machine-readable CSV by default, the Italian variant on request ---------


def test_api_csv_machine_readable_by_default_italian_with_variante_it(as_user, ufficio_piano):
    from fondi.models import Assegnazione

    client = as_user(ufficio_piano)
    url = "/api/v1/assegnazioni/"
    filtri = {"anno": 2023}
    assegnazioni = (
        Assegnazione.objects.visible_to(ufficio_piano).filter(anno=2023).select_related("linea")
    )
    attese = sorted((a.linea.codice, a.importo) for a in assegnazioni)
    assert attese
    macchina = client.get(url, {**filtri, "format": "csv"}).content.decode("utf-8")
    intestazione, *righe = list(csv.reader(io.StringIO(macchina.lstrip("\ufeff"))))
    assert "Linea di finanziamento (id)" in intestazione
    importo = colonna(intestazione, "Importo")
    assert sorted(Decimal(r[importo]) for r in righe) == sorted(a for _c, a in attese)

    response = client.get(url, {**filtri, "format": "csv", "variante": "it"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    testo = response.content.decode("utf-8")
    intestazione, *righe = list(csv.reader(io.StringIO(testo.lstrip("\ufeff")), delimiter=";"))
    # The line by its code, not by its id.
    assert "Linea di finanziamento (id)" not in intestazione
    codice = colonna(intestazione, "Linea di finanziamento (codice)")
    importo = colonna(intestazione, "Importo")
    assert all("," in r[importo] and "." not in r[importo] for r in righe)
    assert sorted((r[codice], numero_it(r[importo])) for r in righe) == attese


def test_api_italian_csv_writes_dates_and_booleans_the_italian_way(as_user, ufficio_piano):
    from servizi.models import Servizio

    client = as_user(ufficio_piano)
    testo = client.get("/api/v1/servizi/", {"format": "csv", "variante": "it"}).content.decode(
        "utf-8"
    )
    intestazione, *righe = list(csv.reader(io.StringIO(testo.lstrip("\ufeff")), delimiter=";"))
    assert len(righe) == Servizio.objects.visible_to(ufficio_piano).count() > 0
    leps = next(i for i, h in enumerate(intestazione) if h.startswith("LEPS"))
    assert {r[leps] for r in righe} <= {"Sì", "No"}
    assert not any(c in ("True", "False", "true", "false") for r in righe for c in r)


def test_schema_documents_the_italian_variant(as_user, ufficio_piano):
    schema = as_user(ufficio_piano).get(reverse("schema"), {"format": "json"}).json()
    parametri = schema["paths"]["/api/v1/assegnazioni/"]["get"]["parameters"]
    variante = next(p for p in parametri if p["name"] == "variante")
    assert variante["schema"]["enum"] == ["it"]
    assert "virgola decimale" in variante["description"]


# --- Comuni and population; the verification page -----------------------------------


def test_comuni_and_population_export_one_row_per_comune_and_the_total(
    as_user, ufficio_piano, visconteo, rozzano
):
    from ambito.models import DatiDemografici

    client = as_user(ufficio_piano)
    url = reverse("ambito:comune_list")
    assert "?esporta=xlsx" in client.get(url).content.decode()
    intestazione, righe, _filtri = xlsx(client, url)
    residenti = colonna(intestazione, "Residenti 2023")
    per_comune = {r[1].value: r for r in righe}
    atteso = DatiDemografici.objects.get(comune=rozzano, anno=2023).residenti
    assert per_comune["Rozzano"][residenti].value == atteso
    assert per_comune["Rozzano"][residenti].number_format == "#,##0"
    assert per_comune["Rozzano"][2].value == "015189"  # the ISTAT code stays text
    totale = per_comune["Totale dell'Ambito"][residenti].value
    assert totale == sum(
        DatiDemografici.objects.filter(comune__ambito=visconteo, anno=2023).values_list(
            "residenti", flat=True
        )
    )
    assert len([r for r in righe if r[0].value == visconteo.nome]) == 11 + 1


def test_verification_page_exports_every_printed_figure(as_user, ufficio_piano, visconteo):
    client = as_user(ufficio_piano)
    url = reverse("servizi:verifica")
    pagina = client.get(url, {"ambito": visconteo.pk}).content.decode()
    assert "esporta=xlsx" in pagina
    intestazione, righe, filtri = xlsx(client, url, ambito=visconteo.pk)
    assert righe and filtri["Ambito"] == visconteo.nome
    stampato = colonna(intestazione, "Stampato")
    numeri = [r[stampato].value for r in righe if r[stampato].value is not None]
    assert numeri and all(isinstance(n, int | float) for n in numeri)
    assert {r[colonna(intestazione, "Esito")].value for r in righe} <= {
        "Concorda",
        "Differisce",
        "Non verificabile",
    }
    intestazione, righe_csv = csv_it(client, url, ambito=visconteo.pk)
    assert len(righe_csv) == len(righe)


# --- The review grid of a period ------------------------------------------------------


def test_review_grid_exports_one_row_per_comune_and_indicator(as_user, ufficio_piano, visconteo):
    from indicatori.models import Periodo
    from indicatori.selectors import griglia_revisione

    periodo = Periodo.objects.filter(ambito=visconteo).order_by("-data_fine").first()
    _ind, righe_griglia, _di_ambito, ambito = griglia_revisione(
        fetched_by=ufficio_piano, periodo=periodo
    )
    attese = sum(len(r.celle) for r in righe_griglia) + (len(ambito.celle) if ambito else 0)
    client = as_user(ufficio_piano)
    url = reverse("indicatori:revisione", args=[periodo.pk])
    assert "esporta=xlsx" in client.get(url).content.decode()
    intestazione, righe, filtri = xlsx(client, url)
    assert len(righe) == attese > 0
    assert filtri["Periodo"] == periodo.nome
    comuni = {r[colonna(intestazione, "Comune")].value for r in righe}
    assert "Rozzano" in comuni
    assert {r[colonna(intestazione, "Stato")].value for r in righe} <= {
        "Bozza",
        "Inviato",
        "Approvato",
        "Respinto",
        "Non inserito",
    }


def test_review_grid_export_is_refused_to_an_operatore(as_user, operatore_rozzano, visconteo):
    from indicatori.models import Periodo

    periodo = Periodo.objects.filter(ambito=visconteo).first()
    response = as_user(operatore_rozzano).get(
        reverse("indicatori:revisione", args=[periodo.pk]), {"esporta": "csv"}
    )
    assert response.status_code == 403


# --- The dashboard's tables ------------------------------------------------------------


def test_dashboard_exports_each_chart_table_and_the_completeness(as_user, ufficio_piano):
    client = as_user(ufficio_piano)
    url = reverse("indicatori:cruscotto")
    pagina = client.get(url).content.decode()
    assert "tabella=completezza" in pagina
    intestazione, righe, filtri = xlsx(client, url, tabella="completezza")
    assert len(righe) == 11 and filtri["Ambito"]
    attesi = colonna(intestazione, "Attesi")
    inviati = colonna(intestazione, "Inviati")
    percentuale = colonna(intestazione, "% inviati sugli attesi")
    for riga in righe:
        assert riga[percentuale].number_format == "0.0%"
        if riga[attesi].value:
            assert riga[percentuale].value == pytest.approx(
                riga[inviati].value / riga[attesi].value
            )
    # Every chart of the page offers its own table.
    grafici = {p.split('"')[0] for p in pagina.split("esporta=xlsx&amp;tabella=")[1:]}
    assert len(grafici - {"completezza"}) >= 2
    for grafico in grafici:
        _intestazione, righe, _filtri = xlsx(client, url, tabella=grafico)
        assert righe, grafico
    response = client.get(url, {"esporta": "csv", "tabella": "non-esiste"})
    assert response.status_code == 404


def test_operatore_dashboard_exports_his_comunes_values_over_time(
    as_user, operatore_rozzano, rozzano
):
    from indicatori.models import Valore

    client = as_user(operatore_rozzano)
    url = reverse("indicatori:cruscotto")
    assert "tabella=serie" in client.get(url).content.decode()
    intestazione, righe, filtri = xlsx(client, url, tabella="serie")
    assert intestazione[:2] == ["Codice", "Indicatore"] and filtri["Comune"] == rozzano.nome
    periodi = intestazione[2:]
    # Each cell is the Comune's own value of that indicator in that period, as a number.
    valori = {
        (v.indicatore.codice, v.periodo.nome): v.valore_numerico
        for v in Valore.objects.filter(
            comune=rozzano, categoria__isnull=True, valore_numerico__isnull=False
        ).select_related("indicatore", "periodo")
    }
    letti = {
        (riga[0].value, periodo): Decimal(str(cella.value))
        for riga in righe
        for periodo, cella in zip(periodi, riga[2:], strict=True)
        if cella.value is not None
    }
    assert letti == valori and letti
    csv_intestazione, csv_righe = csv_it(client, url, tabella="serie")
    assert csv_intestazione == intestazione and len(csv_righe) == len(righe)


# --- The registro (audit): its export stays a job, now also as .xlsx ------------------


def test_audit_trail_exports_to_xlsx_with_the_filters_sheet(
    as_user, ufficio_piano, visconteo, django_capture_on_commit_callbacks
):
    from ambito.models import ReportGenerato

    client = as_user(ufficio_piano)
    pagina = client.get(reverse("registro:index"), {"modello": "ambito.comune"}).content.decode()
    assert "Esporta il registro filtrato (Excel)" in pagina
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("report:esportazione_create"),
            {
                "tipo": "registro",
                "ambito": visconteo.pk,
                "formato": "xlsx",
                "richiesta": "r" * 32,
                "filtro_modello": "ambito.comune",
            },
        )
    assert response.status_code == 303
    report = ReportGenerato.objects.get(tipo="esportazione_registro")
    libro = openpyxl.load_workbook(report.file.open("rb"))
    assert libro.sheetnames == ["Dati", "Filtri"]
    filtri = {r[0].value: r[1].value for r in libro["Filtri"].iter_rows()}
    assert "Tabella" in filtri

"""CSV for spreadsheets: Italian headers as on the pages, choice labels, ids named as
ids, nested data flattened, summaries as real tables, `sep` for Italian Excel."""

import csv
import io

import pytest
from django.urls import reverse

from tests.fondi.factories import ProgettoFactory


def _csv(client, path, sep=",", **params):
    response = client.get(
        path, {"format": "csv", **({"sep": "semicolon"} if sep == ";" else {}), **params}
    )
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=sep))


def _dicts(rows):
    header, *body = rows
    return header, [dict(zip(header, row, strict=True)) for row in body]


def _no_python_text(rows):
    return not any(cell.startswith(("{'", "[{", '{"')) or "': " in cell for r in rows for cell in r)


@pytest.fixture
def udp(as_user, ufficio_piano):
    return as_user(ufficio_piano)


def test_comuni_headers_are_the_pages_labels(udp, visconteo):
    rows = _csv(udp, "/api/v1/comuni/", sep=";", ordering="nome")
    assert rows[0] == ["ID", "Codice ISTAT", "Nome", "Provincia", "Ambito (id)"]
    assert rows[1][2] == "Basiglio"
    assert len(rows) == 12  # the whole list, not one page


def test_fondi_totali_is_a_table_not_dict_text(udp, visconteo):
    json = udp.get("/api/v1/fondi/totali/").json()
    header, righe = _dicts(_csv(udp, "/api/v1/fondi/totali/"))
    assert header[:4] == ["Tabella", "Ambito", "Anno", "Totale"]
    assert {"Livello", "Fonte", "Fonte (codice)", "Linea", "Linea (codice)"} <= set(header)
    assert _no_python_text([header, *[list(r.values()) for r in righe]])
    per_tabella = {}
    for riga in righe:
        per_tabella.setdefault(riga["Tabella"], []).append(riga)
    assert list(per_tabella) == ["Per anno", "Per livello", "Per fonte", "Per linea"]
    assert len(per_tabella["Per fonte"]) == len(json["per_fonte"])
    anno_2022 = next(r for r in per_tabella["Per anno"] if r["Anno"] == "2022")
    assert anno_2022["Totale"] == "5111878.00"  # the Piano's printed total for 2022
    # Choice fields read as their Italian label.
    assert {r["Livello"] for r in per_tabella["Per livello"]} == {
        "Unione Europea",
        "Nazionale",
        "Regionale",
        "Comunale",
    }
    fami = next(r for r in per_tabella["Per fonte"] if r["Fonte (codice)"] == "FAMI")
    assert fami["Fonte"] == "Fondo Asilo, Migrazione e Integrazione (FAMI)"


def test_one_table_of_a_summary_with_tabella(udp, visconteo):
    header, righe = _dicts(_csv(udp, "/api/v1/fondi/totali/", tabella="per_livello"))
    assert "Tabella" not in header
    assert header == ["Ambito", "Anno", "Livello", "Totale"]
    assert len(righe) == 8  # 4 levels x 2 years


def test_progetti_have_no_generated_headers_and_labels_for_choices(udp, visconteo):
    ProgettoFactory(ambito=visconteo, cup="J41H22000120006", titolo="Progetto CSV")
    header, righe = _dicts(_csv(udp, "/api/v1/progetti/"))
    assert "CUP" in header and "Cup" not in header
    assert not any(h.endswith(("display", "label")) for h in header)
    assert "Stato display" not in header and "Linea codice" not in header
    assert "Linea di finanziamento (codice)" in header
    riga = next(r for r in righe if r["Titolo"] == "Progetto CSV")
    assert riga["CUP"] == "J41H22000120006"
    assert riga["Stato"] in {"Candidato", "In corso", "Ammesso e finanziato", "Concluso"}


def test_related_names_are_flattened_beside_their_ids(udp, visconteo):
    header, righe = _dicts(_csv(udp, reverse("datoannuale-list")))
    assert {"Servizio (id)", "Servizio", "Comune (id)", "Comune"} <= set(header)
    assert righe[0]["Servizio"] == "Accoglienza ed integrazione sociale dei cittadini stranieri"
    assert righe[0]["Servizio (id)"].isdigit()


def test_nested_object_of_a_summary_becomes_its_own_row(udp, visconteo):
    header, righe = _dicts(_csv(udp, reverse("ambito-totali", args=[visconteo.pk])))
    assert header == ["Ambito", "Tabella", "Anno", "Residenti"]
    riferimento = [r for r in righe if r["Tabella"] == "Popolazione di riferimento"]
    assert len(riferimento) == 1
    assert riferimento[0]["Anno"] == "2023" and riferimento[0]["Residenti"] == "124421"


def test_aggregate_lists_have_italian_headers(udp, visconteo):
    header = _csv(udp, "/api/v1/beneficiari/")[0]
    assert header == ["Periodo (id)", "Periodo", "Comune (id)", "Comune", "Totale"]
    header = _csv(udp, "/api/v1/avanzamento/")[0]
    assert "Stato" in header and "Stato label" not in header and "stato" not in header


def test_empty_list_still_has_its_headers(udp, visconteo):
    rows = _csv(udp, "/api/v1/avanzamenti/")  # no snapshot in the Piano's data
    assert rows[0][:2] == ["ID", "Progetto (id)"]
    assert len(rows) == 1


def test_readme_documents_sep_and_tabella():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for text in ("sep=semicolon", "sep=comma", "tabella=", "Authorization: Bearer"):
        assert text in readme, text


def test_schema_documents_sep(client, visconteo):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    parametri = schema["paths"]["/api/v1/fondi/totali/"]["get"]["parameters"]
    sep = next(p for p in parametri if p["name"] == "sep")
    assert sep["schema"]["enum"] == ["comma", "semicolon"]
    assert "punto e virgola" in sep["description"]

"""The import mechanism (ambito/platform/importazioni.py): every bad file gets an
Italian message, never a 500, and leaves the data as it was."""

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from ambito.platform.importazioni import Colonna, converti, leggi_file
from indicatori.models import Periodo, Valore

COLONNE = [
    Colonna("codice", "Codice", obbligatoria=True),
    Colonna("valore", "Valore", "decimale"),
    Colonna("data", "Data", "data"),
    Colonna("attivo", "Attivo", "booleano"),
    Colonna("numero", "Numero", "intero"),
]


@pytest.fixture
def aperto(visconteo):
    return Periodo.objects.get(ambito=visconteo, codice="2025-s2")


def xlsx(righe, *, merge=None, titolo=None) -> bytes:
    libro = Workbook()
    foglio = libro.active
    if titolo:
        foglio.title = titolo
    for riga in righe:
        foglio.append(riga)
    if merge:
        foglio.merge_cells(merge)
    out = io.BytesIO()
    libro.save(out)
    return out.getvalue()


def con_parte(contenuto: bytes, nome: str, dati: bytes, sostituisci=None) -> bytes:
    """The same .xlsx with a part added, or a part's bytes rewritten."""
    sorgente = zipfile.ZipFile(io.BytesIO(contenuto))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as destinazione:
        for info in sorgente.infolist():
            parte = sorgente.read(info.filename)
            if sostituisci and info.filename == sostituisci[0]:
                parte = sostituisci[1](parte)
            destinazione.writestr(info, parte)
        if nome:
            destinazione.writestr(nome, dati)
    return out.getvalue()


def leggi(contenuto: bytes, nome="dati.xlsx", **kwargs):
    file = io.BytesIO(contenuto)
    file.name = nome
    return leggi_file(file, colonne=COLONNE, **kwargs)


INTESTAZIONE = ["Codice", "Valore", "Data", "Attivo", "Numero"]


# --- What a good file gives -------------------------------------------------------------


def test_cells_are_typed_also_when_written_as_italian_text():
    lettura = leggi(
        xlsx(
            [
                INTESTAZIONE,
                ["A", "1.234,5", "31/12/2025", "Sì", "1.000"],
                ["B", 21.5, date(2025, 6, 30), False, 7],
                [None, None, None, None, None],  # empty rows are skipped
                ["C", "€ 1.234,56", "2025-01-02", "no", "12"],
            ]
        )
    )
    assert lettura.errori == []
    assert [r.numero for r in lettura.righe] == [2, 3, 5]
    assert lettura.righe[0].celle == {
        "codice": "A",
        "valore": Decimal("1234.5"),
        "data": date(2025, 12, 31),
        "attivo": True,
        "numero": 1000,
    }
    assert lettura.righe[1].celle["valore"] == Decimal("21.5")
    assert lettura.righe[2].celle["valore"] == Decimal("1234.56")


def test_a_csv_with_bom_and_semicolons_is_read():
    testo = "\ufeffCodice;Valore;Data\nA;1.234,5;31/12/2025\n"
    lettura = leggi(testo.encode("utf-8"), "dati.csv")
    assert lettura.formato == "csv" and lettura.errori == []
    assert lettura.righe[0].celle["valore"] == Decimal("1234.5")


def test_columns_match_by_label_in_any_order_and_case():
    lettura = leggi(xlsx([["  valore ", "CODICE"], [3, "X"]]))
    assert lettura.errori == []
    assert lettura.righe[0].celle == {"valore": Decimal(3), "codice": "X"}


@pytest.mark.parametrize(
    ("cella", "tipo", "messaggio"),
    [
        ("abc", "decimale", "«abc» non è un numero (scrivere ad esempio 1.234,5)."),
        ("1,5", "intero", "«1,5» non è un numero intero."),
        ("31/02/2025", "data", "«31/02/2025» non è una data (scrivere ad esempio 31/12/2025)."),
        ("forse", "booleano", "«forse» non è un valore valido: scrivere Sì o No."),
    ],
)
def test_a_bad_cell_says_what_is_expected(cella, tipo, messaggio):
    with pytest.raises(ValueError) as errore:
        converti(cella, tipo)
    assert str(errore.value) == messaggio


def test_a_bad_cell_refuses_its_row_only():
    lettura = leggi(xlsx([INTESTAZIONE, ["A", "abc"], ["B", 2], [None, 3]]))
    assert lettura.righe[0].errori == [
        "Valore: «abc» non è un numero (scrivere ad esempio 1.234,5)."
    ]
    assert lettura.righe[1].errori == []
    assert lettura.righe[2].errori == ["Manca «Codice»."]


def test_a_date_where_a_number_is_expected_is_explained():
    lettura = leggi(xlsx([["Codice", "Valore"], ["A", date(2025, 5, 1)]]))
    assert "la cella contiene la data 01/05/2025, non un numero" in lettura.righe[0].errori[0]


def test_a_formula_gives_its_cached_value():
    contenuto = xlsx([["Codice", "Valore"], ["A", "=1+2"]])

    def con_valore(xml: bytes) -> bytes:
        return re.sub(rb"<f>1\+2</f>(<v\s*/>|<v></v>)?", b"<f>1+2</f><v>3</v>", xml)

    salvato = con_parte(contenuto, "", b"", sostituisci=("xl/worksheets/sheet1.xml", con_valore))
    lettura = leggi(salvato)
    assert lettura.righe[0].errori == []
    assert lettura.righe[0].celle["valore"] == Decimal(3)


def test_a_formula_without_cached_value_refuses_the_row_and_says_so():
    lettura = leggi(xlsx([["Codice", "Valore"], ["A", "=B5*2"], ["B", 1]]))
    assert lettura.righe[0].errori == [
        "Valore: la formula «=B5*2» non ha un valore calcolato (il file non è stato salvato "
        "da Excel): aprirlo e salvarlo in Excel, oppure scrivere il valore al posto della "
        "formula."
    ]
    assert lettura.righe[1].errori == []


def test_text_defused_by_the_export_reads_back_as_written():
    lettura = leggi(xlsx([["Codice", "Valore"], ["'-nota", 1]]))
    assert lettura.righe[0].celle["codice"] == "-nota"


# --- Bad files: a message, no rows --------------------------------------------------------

NON_FOGLIO = (
    "Il file non è un foglio Excel (.xlsx) né un CSV: caricare il modello .xlsx "
    "scaricato da questa pagina."
)


def _macro():
    contenuto = xlsx([INTESTAZIONE, ["A", 1]])
    return con_parte(contenuto, "xl/vbaProject.bin", b"\x00" * 64)


def _docx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


CATTIVI = {
    "pdf": (b"%PDF-1.7\n\x00\x01\x02binary", "dati.xlsx", NON_FOGLIO),
    "docx": (_docx(), "dati.xlsx", NON_FOGLIO),
    "csv rinominato": (
        b"Codice;Valore\nA;1\n",
        "dati.xlsx",
        "Il file «dati.xlsx» non è un vero .xlsx: è un file di testo (forse un CSV con "
        "l'estensione cambiata). Caricare il modello .xlsx scaricato da questa pagina, "
        "oppure lo stesso file con estensione .csv.",
    ),
    "xls": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
        "dati.xls",
        "Il file è nel vecchio formato di Excel (.xls) o non è un foglio di calcolo: aprirlo "
        "in Excel e salvarlo come «Cartella di lavoro di Excel (.xlsx)».",
    ),
    "macro": (
        _macro(),
        "dati.xlsm",
        "Il file contiene macro (.xlsm): per sicurezza non si importa. Salvarlo in Excel "
        "come «Cartella di lavoro di Excel (.xlsx)», senza macro.",
    ),
    "zip danneggiato": (
        b"PK\x03\x04" + b"\x00" * 100,
        "dati.xlsx",
        NON_FOGLIO,
    ),
    "vuoto": (b"", "dati.xlsx", "Il file è vuoto."),
    "foglio vuoto": (
        xlsx([], titolo="Valori"),
        "dati.xlsx",
        "Il foglio «Valori» è vuoto: manca anche la riga d'intestazione.",
    ),
    "solo intestazione": (
        xlsx([INTESTAZIONE]),
        "dati.xlsx",
        "Il foglio non ha righe di dati sotto l'intestazione: non c'è nulla da importare.",
    ),
    "colonna in più": (
        xlsx([INTESTAZIONE + ["Note"], ["A", 1, None, None, None, "x"]]),
        "dati.xlsx",
        "La colonna «Note» non è prevista. Colonne previste, nella prima riga: «Codice», "
        "«Valore», «Data», «Attivo», «Numero».",
    ),
    "colonna mancante": (
        xlsx([["Valore"], [1]]),
        "dati.xlsx",
        "Manca la colonna «Codice». Colonne previste, nella prima riga: «Codice», "
        "«Valore», «Data», «Attivo», «Numero».",
    ),
    "celle unite": (
        xlsx([INTESTAZIONE, ["A", 1], ["", 2]], merge="A2:A3", titolo="Valori"),
        "dati.xlsx",
        "Il foglio «Valori» contiene celle unite: separarle (Home › Unisci e allinea al "
        "centro › Separa celle) e ripetere il valore in ogni riga.",
    ),
}


@pytest.mark.parametrize("caso", list(CATTIVI))
def test_a_bad_file_gives_one_italian_message_and_no_rows(caso):
    contenuto, nome, messaggio = CATTIVI[caso]
    lettura = leggi(contenuto, nome)
    assert lettura.errori == [messaggio]
    assert lettura.righe == []


def test_a_file_over_the_size_limit_is_refused_before_reading():
    lettura = leggi(xlsx([INTESTAZIONE, ["A", 1]]), max_bytes=1024)
    assert lettura.errori == [
        "Il file supera il limite di 1,0\xa0KB: dividerlo in più file o togliere i fogli e le "
        "righe che non servono."
    ]


def test_a_file_over_the_row_limit_is_refused():
    righe = [INTESTAZIONE] + [[f"R{i}", i] for i in range(11)]
    lettura = leggi(xlsx(righe), max_righe=10)
    assert lettura.errori == [
        "Il file ha più di 10 righe di dati: dividerlo in più file di 10 righe al massimo."
    ]
    assert leggi(xlsx(righe[:11]), max_righe=10).errori == []


# --- Through the upload page: a message, never a 500, the data unchanged ------------------


# The cases that do not depend on the importer's columns (those are tested below).
DI_OGNI_IMPORTATORE = [c for c in CATTIVI if "colonna" not in c and c != "solo intestazione"]


@pytest.mark.parametrize("caso", DI_OGNI_IMPORTATORE)
def test_the_upload_page_shows_the_message_and_changes_nothing(
    client, as_user, operatore_rozzano, visconteo, aperto, caso
):
    contenuto, nome, messaggio = CATTIVI[caso]
    as_user(operatore_rozzano)
    prima = list(Valore.objects.order_by("pk").values_list("pk", "valore_numerico", "versione"))
    risposta = client.post(
        "/importazioni/valori/",
        {"ambito": visconteo.pk, "periodo": aperto.pk, "file": SimpleUploadedFile(nome, contenuto)},
        follow=True,
    )
    if caso == "vuoto":  # Django's form refuses an empty upload itself
        assert risposta.status_code == 200
        assert "Il file inviato è vuoto." in risposta.content.decode()
    else:
        assert risposta.status_code == 200
        assert risposta.context["prova"].errori == [messaggio]
        conferma = client.post(risposta.context["importazione"].get_absolute_url())
        assert conferma.status_code == 200
        assert "Nessuna modifica è stata fatta" in conferma.content.decode()
    dopo = list(Valore.objects.order_by("pk").values_list("pk", "valore_numerico", "versione"))
    assert dopo == prima


@pytest.mark.parametrize(
    ("righe", "messaggio"),
    [
        (
            [["Codice ISTAT", "Codice indicatore", "Valore", "Note"], ["015189", "SRV.PIS", 1, ""]],
            "La colonna «Note» non è prevista.",
        ),
        ([["Codice ISTAT", "Valore"], ["015189", 1]], "Manca la colonna «Codice indicatore»."),
        (
            [["Codice ISTAT", "Codice indicatore", "Valore"]],
            "Il foglio non ha righe di dati sotto l'intestazione: non c'è nulla da importare.",
        ),
    ],
)
def test_the_upload_page_explains_the_columns(
    client, as_user, operatore_rozzano, visconteo, aperto, righe, messaggio
):
    as_user(operatore_rozzano)
    prima = list(Valore.objects.order_by("pk").values_list("pk", "valore_numerico", "versione"))
    risposta = client.post(
        "/importazioni/valori/",
        {
            "ambito": visconteo.pk,
            "periodo": aperto.pk,
            "file": SimpleUploadedFile("v.xlsx", xlsx(righe)),
        },
        follow=True,
    )
    (errore,) = risposta.context["prova"].errori
    assert errore.startswith(messaggio)
    assert "Colonne previste" in errore or "nulla da importare" in errore
    dopo = list(Valore.objects.order_by("pk").values_list("pk", "valore_numerico", "versione"))
    assert dopo == prima


def test_an_upload_over_the_size_limit_changes_nothing(
    client, as_user, operatore_rozzano, visconteo, aperto, monkeypatch
):
    from ambito.platform.importazioni import importatore_of

    monkeypatch.setattr(importatore_of("valori"), "max_bytes", 2048)
    as_user(operatore_rozzano)
    grande = xlsx(
        [["Codice ISTAT", "Codice indicatore", "Valore"]] + [["x", "y", i] for i in range(400)]
    )
    risposta = client.post(
        "/importazioni/valori/",
        {
            "ambito": visconteo.pk,
            "periodo": aperto.pk,
            "file": SimpleUploadedFile("g.xlsx", grande),
        },
        follow=True,
    )
    assert risposta.context["prova"].errori[0].startswith("Il file supera il limite di 2,0\xa0KB")
    importazione = risposta.context["importazione"]
    assert importazione.dimensione == 0  # the oversized file is not stored


def test_an_unknown_kind_is_404(client, as_user, ufficio_piano):
    as_user(ufficio_piano)
    assert client.get("/importazioni/nessuno/").status_code == 404

"""Large exports as jobs (eager tasks, locmem mail): the values of a period as an
Italian CSV, registered with its SHA-256, downloadable again; one job per request;
a failure says why and can be retried; the audit trail of one Ambito."""

import csv
import hashlib
import html
import io

import pytest
from django.core import mail
from django.urls import reverse

from ambito.choices import StatoLavoro
from ambito.models import Esportazione, Notifica, PreferenzeNotifiche, ReportGenerato
from ambito.platform import esportazioni
from indicatori.models import Valore

pytestmark = pytest.mark.django_db


def _righe(report):
    testo = report.file.open("rb").read().decode("utf-8")
    assert testo.startswith("\ufeff")  # Excel reads the encoding from the BOM
    return list(csv.reader(io.StringIO(testo[1:]), delimiter=";"))


def _esporta(client, capture, **dati):
    with capture(execute=True):
        return client.post(reverse("report:esportazione_create"), dati)


def test_values_export_is_a_job_with_an_italian_csv_in_the_register(
    as_user, ufficio_piano, revisore, visconteo, aperto, django_capture_on_commit_callbacks
):
    ufficio_piano.email = "udp@ambito.example"
    ufficio_piano.save()
    PreferenzeNotifiche.objects.create(utente=ufficio_piano, report_pronti=True)
    client = as_user(ufficio_piano)
    # The review page offers the button.
    pagina = client.get(reverse("indicatori:revisione", args=[aperto.pk])).content.decode()
    assert "Esporta i valori del periodo (CSV)" in pagina
    dati = {"tipo": "valori", "ambito": visconteo.pk, "periodo": aperto.pk, "richiesta": "e" * 32}
    primo = _esporta(client, django_capture_on_commit_callbacks, **dati)
    secondo = _esporta(client, django_capture_on_commit_callbacks, **dati)  # a double click
    assert primo.status_code == secondo.status_code == 303
    assert primo["Location"] == secondo["Location"]
    job = Esportazione.objects.get()
    assert (job.stato, job.tentativi) == (StatoLavoro.PRONTO, 1)
    report = ReportGenerato.objects.get()
    assert job.report == report and report.tipo == "esportazione_valori"
    assert report.nome_file == f"esportazione_valori-{report.numero}.csv"
    assert report.parametri == {"Periodo": aperto.nome}

    intestazione, *righe = _righe(report)
    assert intestazione[:7] == [
        "Periodo",
        "Comune",
        "Codice ISTAT",
        "Codice indicatore",
        "Indicatore",
        "Categoria",
        "Valore",
    ]
    assert len(righe) == Valore.objects.filter(periodo=aperto).count() > 0
    # One value read from the database, written the Italian way.
    valore = (
        Valore.objects.filter(periodo=aperto, comune__isnull=False, valore_numerico__isnull=False)
        .exclude(valore_numerico=0)
        .select_related("comune", "indicatore")
        .first()
    )
    atteso = format(valore.valore_numerico, "f").replace(".", ",")
    riga = next(
        r
        for r in righe
        if r[1] == valore.comune.nome
        and r[3] == valore.indicatore.codice
        and r[5] == (valore.categoria.nome if valore.categoria_id else "")
    )
    assert riga[6] == atteso and "," in atteso or atteso.isdigit()
    assert riga[10] in ("Sì", "No") and riga[11] in ("Sì", "No")
    assert {r[0] for r in righe} == {aperto.nome}

    # Told in the app and by e-mail (his choice), with the job's page.
    notifica = Notifica.objects.get(utente=ufficio_piano, tipo="report")
    assert notifica.link == job.get_absolute_url()
    (messaggio,) = mail.outbox
    assert messaggio.to == ["udp@ambito.example"]
    assert messaggio.subject == f"[Zonale] L'esportazione {report.numero} è pronta"
    # The job page shows the SHA-256 and the download, and no longer refreshes.
    pagina = client.get(primo["Location"]).content.decode()
    assert report.sha256 in pagina and 'http-equiv="refresh"' not in pagina
    # A Revisore of the Ambito downloads it again from the register: the same bytes.
    lettore = as_user(revisore)
    elenco = lettore.get(reverse("report:index")).content.decode()
    assert report.numero in elenco and report.sha256 in elenco
    scaricato = b"".join(lettore.get(reverse("report:download", args=[report.pk])))
    assert hashlib.sha256(scaricato).hexdigest() == report.sha256


def test_export_of_a_period_of_another_ambito_is_404_and_no_job(
    as_user, ufficio_piano_altro, visconteo, aperto, django_capture_on_commit_callbacks
):
    client = as_user(ufficio_piano_altro)
    response = _esporta(
        client, django_capture_on_commit_callbacks, tipo="valori", ambito=visconteo.pk
    )
    assert response.status_code == 404
    assert not Esportazione.objects.exists()


def test_operatore_may_not_export(
    as_user, operatore_rozzano, visconteo, django_capture_on_commit_callbacks
):
    response = _esporta(
        as_user(operatore_rozzano),
        django_capture_on_commit_callbacks,
        tipo="valori",
        ambito=visconteo.pk,
    )
    assert response.status_code == 403
    assert not Esportazione.objects.exists()


def test_failed_export_says_why_registers_nothing_and_can_be_retried(
    as_user, ufficio_piano, visconteo, aperto, monkeypatch, django_capture_on_commit_callbacks
):
    def disco_pieno(tabella):
        raise OSError("disco pieno")

    monkeypatch.setitem(esportazioni.FORMATI, "csv", disco_pieno)
    client = as_user(ufficio_piano)
    response = _esporta(
        client,
        django_capture_on_commit_callbacks,
        tipo="valori",
        ambito=visconteo.pk,
        periodo=aperto.pk,
    )
    job = Esportazione.objects.get()
    assert job.stato == StatoLavoro.FALLITO
    assert not ReportGenerato.objects.exists()
    pagina = html.unescape(client.get(response["Location"]).content.decode())
    assert "L'esportazione non è stata generata per un errore imprevisto (OSError)" in pagina
    assert "Riprova" in pagina

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"])
    job.refresh_from_db()
    assert (job.stato, job.tentativi, job.errore) == (StatoLavoro.PRONTO, 2, "")
    assert ReportGenerato.objects.get() == job.report


def test_audit_trail_export_of_the_ambito_as_filtered(
    as_user, ufficio_piano, visconteo, rozzano, django_capture_on_commit_callbacks
):
    rozzano.nome = "Rozzano (modificato)"
    rozzano._change_reason = "Prova"
    rozzano.save()
    client = as_user(ufficio_piano)
    pagina = client.get(reverse("registro:index"), {"modello": "ambito.comune"}).content.decode()
    assert "Esporta il registro filtrato (CSV)" in pagina
    assert 'name="filtro_modello" value="ambito.comune"' in pagina
    _esporta(
        client,
        django_capture_on_commit_callbacks,
        tipo="registro",
        ambito=visconteo.pk,
        filtro_modello="ambito.comune",
    )
    job = Esportazione.objects.get()
    assert job.stato == StatoLavoro.PRONTO, job.errore
    intestazione, *righe = _righe(job.report)
    assert intestazione == [
        "Data",
        "Operazione",
        "Tipo di dato",
        "Oggetto",
        "Modifiche",
        "Utente",
        "Motivo",
    ]
    assert job.report.parametri == {"Tipo di dato": "Comune"}
    assert {r[2] for r in righe} == {"Comune"}
    modifica = next(r for r in righe if r[3] == "Rozzano (modificato)")
    assert modifica[1] == "Modifica" and modifica[6] == "Prova"
    assert "Rozzano → Rozzano (modificato)" in modifica[4]


def test_italian_cells():
    from datetime import date
    from decimal import Decimal

    assert esportazioni.cella_italiana(Decimal("1234.50")) == "1234,50"
    assert esportazioni.cella_italiana(True) == "Sì"
    assert esportazioni.cella_italiana(False) == "No"
    assert esportazioni.cella_italiana(None) == ""
    assert esportazioni.cella_italiana(date(2026, 3, 1)) == "01/03/2026"
    assert esportazioni.cella_italiana("=HYPERLINK(1)") == "'=HYPERLINK(1)"


def test_values_export_as_xlsx_has_numbers_as_numbers(
    as_user, ufficio_piano, visconteo, aperto, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    client = as_user(ufficio_piano)
    dati = {"tipo": "valori", "ambito": visconteo.pk, "periodo": aperto.pk, "formato": "xlsx"}
    _esporta(client, django_capture_on_commit_callbacks, richiesta="x" * 32, **dati)
    report = ReportGenerato.objects.get()
    assert report.nome_file.endswith(".xlsx")
    risposta = client.get(reverse("report:download", args=[report.pk]))
    assert risposta["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    foglio = load_workbook(io.BytesIO(b"".join(risposta.streaming_content))).active
    intestazione, *righe = foglio.iter_rows(values_only=True)
    assert intestazione[6] == "Valore"
    numerici = [r[6] for r in righe if r[6] is not None]
    assert len(righe) == Valore.objects.filter(periodo=aperto).count()
    assert numerici and all(isinstance(v, int | float) for v in numerici)

"""PNRR reporting (ReGiS): milestone and target with values per four-monthly period
and their status; spending records within the amount admitted; domande di rimborso
with their state machine and the checklist of attested controls; the export per CUP.
Each through the API and through the pages, totals to the cent."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from ambito.models import ReportGenerato
from fondi import rendicontazione as services
from fondi.choices import StatoObiettivo
from fondi.models import (
    AvanzamentoObiettivo,
    ControlloRendicontazione,
    Giustificativo,
    ObiettivoProgetto,
    Rendicontazione,
)
from fondi.selectors_regis import (
    chiusura_regis,
    periodi_regis,
    stato_obiettivo,
    ultima_chiusura,
)
from tests.problemi import errori

from .factories import FinanziamentoFactory, ProgettoFactory, linea

pytestmark = pytest.mark.django_db

CUP = "J11H22000010006"
CONTROLLI = ["doppio_finanziamento", "conflitto_interessi", "titolare_effettivo", "dnsh"]
MSG_PERIODO = "Indicare una chiusura ReGiS: 30/04, 31/08 o 31/12."


@pytest.fixture
def progetto(visconteo):
    """A PNRR 1.3.1 project with two funding lines: € 500.000,00 PNRR, € 20.000,50 own."""
    progetto = ProgettoFactory(
        ambito=visconteo,
        cup=CUP,
        titolo="Housing First Visconteo",
        linea=linea("PNRR-M5C2-1.3.1"),
        stato="in_corso",
        data_inizio=datetime.date(2023, 1, 1),
        data_scadenza=datetime.date(2027, 12, 31),
    )
    FinanziamentoFactory(progetto=progetto, importo=Decimal("500000.00"))
    FinanziamentoFactory(progetto=progetto, linea=linea("FNPS"), importo=Decimal("20000.50"))
    return progetto


@pytest.fixture
def pnrr(progetto):
    return progetto.finanziamenti.get(linea__codice="PNRR-M5C2-1.3.1")


@pytest.fixture
def fnps(progetto):
    return progetto.finanziamenti.get(linea__codice="FNPS")


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def _giustificativo(progetto, finanziamento, numero="1/2025", **campi):
    dati = {
        "progetto": progetto.pk,
        "finanziamento": finanziamento.pk,
        "tipo_documento": "fattura",
        "numero_documento": numero,
        "data_documento": "2025-03-15",
        "fornitore": "Cooperativa Sociale Il Melo",
        "imponibile": "1000.10",
        "iva": "220.02",
    }
    return dati | campi


# --- Periods and status ------------------------------------------------------------------


def test_regis_periods_close_every_four_months():
    assert chiusura_regis(datetime.date(2025, 1, 1)) == datetime.date(2025, 4, 30)
    assert chiusura_regis(datetime.date(2025, 4, 30)) == datetime.date(2025, 4, 30)
    assert chiusura_regis(datetime.date(2025, 5, 1)) == datetime.date(2025, 8, 31)
    assert chiusura_regis(datetime.date(2025, 12, 1)) == datetime.date(2025, 12, 31)
    assert ultima_chiusura(datetime.date(2026, 2, 10)) == datetime.date(2025, 12, 31)
    assert periodi_regis(datetime.date(2025, 3, 1), datetime.date(2026, 3, 31)) == [
        datetime.date(2025, 4, 30),
        datetime.date(2025, 8, 31),
        datetime.date(2025, 12, 31),
        datetime.date(2026, 4, 30),
    ]


@pytest.mark.parametrize(
    "tipo, ultimo, oggi, atteso",
    [
        ("target", "40", "2025-06-01", StatoObiettivo.RAGGIUNTO),
        ("target", "39", "2026-04-01", StatoObiettivo.SCADUTO),
        ("target", None, "2025-06-01", StatoObiettivo.NON_RILEVATO),
        # At the last closing (30/04/2025) half the time has passed: 20 expected.
        ("target", "10", "2025-06-01", StatoObiettivo.IN_RITARDO),
        ("target", "25", "2025-06-01", StatoObiettivo.IN_LINEA),
        ("milestone", "0", "2025-06-01", StatoObiettivo.IN_LINEA),
    ],
)
def test_status_of_a_milestone_or_target_against_its_deadline(tipo, ultimo, oggi, atteso):
    stato = stato_obiettivo(
        tipo=tipo,
        valore_obiettivo=Decimal("40"),
        ultimo_valore=None if ultimo is None else Decimal(ultimo),
        scadenza=datetime.date(2025, 12, 31),
        inizio=datetime.date(2024, 9, 1),
        oggi=datetime.date.fromisoformat(oggi),
    )
    assert stato == atteso


# --- Milestone and target: API ------------------------------------------------------------


def test_milestone_and_target_through_the_api_with_values_per_period(
    as_user, ufficio_piano, revisore, progetto
):
    client = as_user(ufficio_piano)
    risposta = _post(
        client,
        "/api/v1/milestone-target/",
        {
            "progetto": progetto.pk,
            "tipo": "target",
            "codice": "T1",
            "descrizione": "Persone in alloggio",
            "unita_misura": "persone",
            "valore_obiettivo": "25.00",
            "scadenza": "2027-12-31",
        },
    )
    assert risposta.status_code == 201, risposta.content
    obiettivo = risposta.json()
    assert obiettivo["stato"] == "non_rilevato"

    url = "/api/v1/valori-milestone-target/"
    sbagliata = _post(
        client, url, {"obiettivo": obiettivo["id"], "periodo": "2025-06-30", "valore_raggiunto": 5}
    )
    assert sbagliata.status_code == 400
    assert errori(sbagliata) == {"periodo": [MSG_PERIODO]}
    for periodo, valore in [("2025-04-30", "10"), ("2025-08-31", "25")]:
        ok = _post(
            client,
            url,
            {"obiettivo": obiettivo["id"], "periodo": periodo, "valore_raggiunto": valore},
        )
        assert ok.status_code == 201, ok.content
    doppio = _post(
        client, url, {"obiettivo": obiettivo["id"], "periodo": "2025-08-31", "valore_raggiunto": 1}
    )
    assert errori(doppio) == {
        "periodo": ["Il valore di questo periodo è già registrato: modificare quello."]
    }

    letto = as_user(revisore).get("/api/v1/milestone-target/", {"cup": CUP}).json()
    [riga] = letto["results"]
    assert (riga["ultimo_valore"], riga["ultimo_periodo"]) == ("25.00", "2025-08-31")
    assert (riga["stato"], riga["stato_display"]) == ("raggiunto", "Raggiunto")
    assert [(v["periodo"], v["valore_raggiunto"]) for v in riga["valori"]] == [
        ("2025-04-30", "10.00"),
        ("2025-08-31", "25.00"),
    ]
    # The Revisore reads and writes nothing.
    vietato = _post(
        as_user(revisore),
        url,
        {"obiettivo": obiettivo["id"], "periodo": "2025-12-31", "valore_raggiunto": 1},
    )
    assert vietato.status_code == 403
    assert AvanzamentoObiettivo.objects.count() == 2


def test_other_ambiti_do_not_see_the_reporting(as_user, ufficio_piano_altro, progetto, pnrr):
    obiettivo = ObiettivoProgetto.objects.create(
        progetto=progetto,
        descrizione="Alloggi",
        unita_misura="alloggi",
        valore_obiettivo=4,
        scadenza=datetime.date(2027, 12, 31),
    )
    r = services.rendicontazione_create(
        rendicontazione=Rendicontazione(progetto=progetto, periodo=datetime.date(2025, 4, 30))
    )
    client = as_user(ufficio_piano_altro)
    assert client.get(f"/api/v1/milestone-target/{obiettivo.pk}/").status_code == 404
    assert client.get(f"/api/v1/rendicontazioni/{r.pk}/").status_code == 404
    assert client.get("/api/v1/rendicontazioni/").json()["count"] == 0
    assert (
        _post(
            client, f"/api/v1/rendicontazioni/{r.pk}/cambia-stato/", {"stato": "inviata"}
        ).status_code
        == 404
    )
    assert client.get(reverse("fondi:regis", args=[progetto.pk])).status_code == 404
    assert client.get(reverse("fondi:rendicontazione_detail", args=[r.pk])).status_code == 404
    # Nor may they charge spending to a project they cannot see.
    creato = _post(client, "/api/v1/giustificativi-spesa/", _giustificativo(progetto, pnrr))
    assert creato.status_code == 400
    assert Giustificativo.objects.count() == 0


# --- Spending records -----------------------------------------------------------------------


def test_spending_record_total_is_computed_to_the_cent_and_kept_within_the_amount_admitted(
    as_user, ufficio_piano, progetto, fnps
):
    client = as_user(ufficio_piano)
    url = "/api/v1/giustificativi-spesa/"
    primo = _post(
        client, url, _giustificativo(progetto, fnps, imponibile="16393.85", iva="3606.65")
    )
    assert primo.status_code == 201, primo.content
    assert (primo.json()["totale"], primo.json()["cup"]) == ("20000.50", CUP)
    # One cent more than the amount admitted on the line: refused, nothing saved.
    oltre = _post(
        client, url, _giustificativo(progetto, fnps, numero="2/2025", imponibile="0.01", iva="0")
    )
    assert oltre.status_code == 400
    assert errori(oltre) == {
        "imponibile": [
            "La spesa supera l'importo ammesso sulla linea FNPS: ammesso € 20.000,50, "
            "già rendicontato € 20.000,50, disponibile € 0,00."
        ]
    }
    assert Giustificativo.objects.filter(progetto=progetto).count() == 1
    altro_cup = _post(
        client, url, _giustificativo(progetto, fnps, numero="3", cup="B49J17000130006")
    )
    assert "cup" in errori(altro_cup)
    # Lowering the first record frees room on the line.
    giustificativo = Giustificativo.objects.get()
    ridotto = client.patch(
        f"{url}{giustificativo.pk}/", {"imponibile": "10000.00"}, content_type="application/json"
    )
    assert ridotto.status_code == 200, ridotto.content
    assert ridotto.json()["totale"] == "13606.65"


def test_spending_record_page_shows_the_message_next_to_the_field(
    as_user, ufficio_piano, progetto, pnrr
):
    client = as_user(ufficio_piano)
    url = reverse("fondi:giustificativo_create", args=[progetto.pk])
    dati = _giustificativo(progetto, pnrr) | {"imponibile": "409.836,07", "iva": "90.163,93"}
    dati.pop("progetto")
    risposta = client.post(url, dati)
    assert risposta.status_code == 302
    assert Giustificativo.objects.get().totale == Decimal("500000.00")
    dati["numero_documento"] = "2/2025"
    dati["imponibile"], dati["iva"] = "0,01", "0"
    errata = client.post(url, dati)
    assert errata.status_code == 200
    assert errata.context["form"].errors["imponibile"] == [
        "La spesa supera l'importo ammesso sulla linea PNRR-M5C2-1.3.1: ammesso € 500.000,00, "
        "già rendicontato € 500.000,00, disponibile € 0,00."
    ]
    assert Giustificativo.objects.count() == 1
    pagina = client.get(reverse("fondi:regis", args=[progetto.pk])).content.decode()
    assert "€ 500.000,00" in pagina and "Cooperativa Sociale Il Melo" in pagina


# --- Domande di rimborso: state machine and checklist -------------------------------------


def test_domanda_di_rimborso_through_the_api(
    as_user, ufficio_piano, revisore, progetto, pnrr, fnps
):
    client = as_user(ufficio_piano)
    creata = _post(
        client, "/api/v1/rendicontazioni/", {"progetto": progetto.pk, "periodo": "2025-04-30"}
    )
    assert creata.status_code == 201, creata.content
    domanda = creata.json()
    assert (domanda["numero"], domanda["stato"], domanda["totale"]) == (1, "bozza", "0.00")
    assert domanda["controlli_mancanti"] == CONTROLLI
    base = f"/api/v1/rendicontazioni/{domanda['id']}/"
    for n, (finanziamento, imponibile, iva) in enumerate(
        [(pnrr, "1000.10", "220.02"), (pnrr, "0.33", "0.07"), (fnps, "99.99", "0.01")]
    ):
        dati = _giustificativo(
            progetto, finanziamento, numero=str(n), imponibile=imponibile, iva=iva
        )
        assert (
            _post(
                client, "/api/v1/giustificativi-spesa/", dati | {"rendicontazione": domanda["id"]}
            ).status_code
            == 201
        )

    # Not sent while a control is missing: the message names them.
    inviata = _post(client, base + "cambia-stato/", {"stato": "inviata"})
    assert inviata.status_code == 400
    assert errori(inviata)["non_field_errors"] == [
        "Prima dell'invio vanno attestati tutti i controlli. Mancano: Assenza di doppio "
        "finanziamento; Assenza di conflitto di interessi; Titolare effettivo verificato; "
        "Rispetto del principio DNSH (non arrecare danno significativo)."
    ]
    # The Revisore may not attest.
    assert (
        _post(as_user(revisore), base + "attesta-controllo/", {"controllo": "dnsh"}).status_code
        == 403
    )
    client = as_user(ufficio_piano)
    for controllo in CONTROLLI[:3]:
        assert (
            _post(client, base + "attesta-controllo/", {"controllo": controllo}).status_code == 200
        )
    assert errori(_post(client, base + "cambia-stato/", {"stato": "inviata"}))[
        "non_field_errors"
    ] == [
        "Prima dell'invio vanno attestati tutti i controlli. Mancano: Rispetto del principio "
        "DNSH (non arrecare danno significativo)."
    ]
    ultimo = _post(client, base + "attesta-controllo/", {"controllo": "dnsh"}).json()
    assert ultimo["controlli_mancanti"] == []
    assert {c["attestato_da"] for c in ultimo["controlli"]} == {"udp"}
    assert ultimo["totale"] == "1320.52"  # 1220,12 + 0,40 + 100,00

    assert _post(client, base + "cambia-stato/", {"stato": "validata"}).status_code == 400
    inviata = _post(client, base + "cambia-stato/", {"stato": "inviata"})
    assert inviata.status_code == 200 and inviata.json()["stato"] == "inviata"
    # Once sent, its records and controls stay as they were sent.
    giustificativo = Giustificativo.objects.filter(rendicontazione_id=domanda["id"]).first()
    modifica = client.patch(
        f"/api/v1/giustificativi-spesa/{giustificativo.pk}/",
        {"iva": "0"},
        content_type="application/json",
    )
    assert modifica.status_code == 400
    assert client.delete(f"/api/v1/giustificativi-spesa/{giustificativo.pk}/").status_code == 400
    assert _post(client, base + "revoca-controllo/", {"controllo": "dnsh"}).status_code == 400

    senza_nota = _post(client, base + "cambia-stato/", {"stato": "respinta"})
    assert errori(senza_nota) == {
        "nota": ["Indicare il motivo per cui la domanda è stata respinta."]
    }
    respinta = _post(client, base + "cambia-stato/", {"stato": "respinta", "nota": "Manca il DURC"})
    assert respinta.json()["nota_esito"] == "Manca il DURC"
    assert _post(client, base + "cambia-stato/", {"stato": "bozza"}).json()["stato"] == "bozza"
    assert _post(client, base + "cambia-stato/", {"stato": "inviata"}).status_code == 200
    assert (
        _post(client, base + "cambia-stato/", {"stato": "validata"}).json()["stato"] == "validata"
    )
    finale = _post(client, base + "cambia-stato/", {"stato": "bozza"})
    assert errori(finale) == {"stato": ["Passaggio non consentito: da «Validata» a «Bozza»."]}
    # The second domanda of the project is number 2; the trail keeps who attested.
    seconda = _post(
        client, "/api/v1/rendicontazioni/", {"progetto": progetto.pk, "periodo": "2025-08-31"}
    )
    assert seconda.json()["numero"] == 2
    storia = ControlloRendicontazione.history.filter(controllo="dnsh")
    assert {h.history_user.username for h in storia} == {"udp"}
    stato_storia = Rendicontazione.history.filter(id=domanda["id"]).values_list("stato", flat=True)
    assert {"bozza", "inviata", "respinta", "validata"} <= set(stato_storia)
    # Per line: validated spending to the cent.
    righe = {
        r["linea_codice"]: r
        for r in client.get("/api/v1/giustificativi-spesa/", {"progetto": progetto.pk}).json()[
            "results"
        ]
    }
    assert set(righe) == {"PNRR-M5C2-1.3.1", "FNPS"}


def test_domanda_di_rimborso_through_the_pages(as_user, ufficio_piano, revisore, progetto, pnrr):
    client = as_user(ufficio_piano)
    nuova = client.post(
        reverse("fondi:rendicontazione_create", args=[progetto.pk]), {"periodo": "2025-06-30"}
    )
    assert nuova.status_code == 200
    assert "periodo" in nuova.context["form"].errors  # not one of the project's closings
    nuova = client.post(
        reverse("fondi:rendicontazione_create", args=[progetto.pk]),
        {"periodo": "2025-04-30", "titolo": "Primo quadrimestre"},
    )
    domanda = Rendicontazione.objects.get()
    assert nuova["Location"] == domanda.get_absolute_url()
    dati = _giustificativo(progetto, pnrr) | {"rendicontazione": domanda.pk}
    dati.pop("progetto")
    dati["imponibile"], dati["iva"] = "1.000,10", "220,02"
    assert (
        client.post(reverse("fondi:giustificativo_create", args=[progetto.pk]), dati).status_code
        == 302
    )
    url = domanda.get_absolute_url()
    # Sending without the checklist: the message on the page, state unchanged.
    pagina = client.post(url, {"stato": "inviata"})
    assert pagina.status_code == 200
    assert "Prima dell&#x27;invio vanno attestati tutti i controlli" in pagina.content.decode()
    domanda.refresh_from_db()
    assert domanda.stato == "bozza"
    # The Revisore reads the page and may not tick.
    lettura = as_user(revisore).get(url)
    assert lettura.status_code == 200 and "Attesta" not in lettura.content.decode()
    assert (
        as_user(revisore).post(url, {"controllo": "dnsh", "azione": "attesta"}).status_code == 403
    )
    client = as_user(ufficio_piano)
    for controllo in CONTROLLI:
        assert client.post(url, {"controllo": controllo, "azione": "attesta"}).status_code == 302
    pagina = client.get(url).content.decode()
    assert pagina.count("Attestato da udp il") == 4
    assert "€ 1.220,12" in pagina
    assert client.post(url, {"stato": "inviata"}).status_code == 302
    domanda.refresh_from_db()
    assert domanda.stato == "inviata" and domanda.inviata_il is not None
    regis = client.get(reverse("fondi:regis", args=[progetto.pk]))
    linea_pnrr = next(r for r in regis.context["spese_linee"] if r.finanziamento == pnrr)
    assert (linea_pnrr.speso, linea_pnrr.in_domande_inviate, linea_pnrr.validato) == (
        Decimal("1220.12"),
        Decimal("1220.12"),
        Decimal("0.00"),
    )
    assert regis.context["spese_totali"]["disponibile"] == Decimal("518780.38")


def test_milestone_and_target_through_the_pages(as_user, ufficio_piano, revisore, progetto):
    client = as_user(ufficio_piano)
    creato = client.post(
        reverse("fondi:obiettivo_create", args=[progetto.pk]),
        {
            "tipo": "target",
            "codice": "T2",
            "descrizione": "Nuclei accolti",
            "unita_misura": "nuclei",
            "valore_obiettivo": "12",
            "scadenza": "2027-12-31",
        },
    )
    assert creato.status_code == 302
    obiettivo = ObiettivoProgetto.objects.get()
    url = reverse("fondi:avanzamento_obiettivo_create", args=[obiettivo.pk])
    modulo = client.get(url)
    assert ("2025-08-31", "31/08/2025") in modulo.context["form"].fields["periodo"].choices
    assert client.post(url, {"periodo": "2025-08-31", "valore_raggiunto": "12"}).status_code == 302
    pagina = as_user(revisore).get(reverse("fondi:regis", args=[progetto.pk]))
    [letto] = pagina.context["obiettivi"]
    assert letto.stato == StatoObiettivo.RAGGIUNTO
    assert "Raggiunto" in pagina.content.decode()
    assert as_user(revisore).get(url).status_code == 403


# --- Export per CUP ------------------------------------------------------------------------


def _dati_completi(progetto, pnrr, ufficio_piano):
    obiettivo = services.obiettivo_save(
        obiettivo=ObiettivoProgetto(
            progetto=progetto,
            codice="T1",
            descrizione="Persone in alloggio",
            unita_misura="persone",
            valore_obiettivo=Decimal("25"),
            scadenza=datetime.date(2027, 12, 31),
        )
    )
    services.avanzamento_obiettivo_save(
        avanzamento=AvanzamentoObiettivo(
            obiettivo=obiettivo, periodo=datetime.date(2025, 8, 31), valore_raggiunto=Decimal("12")
        )
    )
    domanda = services.rendicontazione_create(
        rendicontazione=Rendicontazione(progetto=progetto, periodo=datetime.date(2025, 4, 30))
    )
    services.giustificativo_save(
        giustificativo=Giustificativo(
            progetto=progetto,
            finanziamento=pnrr,
            rendicontazione=domanda,
            tipo_documento="fattura",
            numero_documento="FT-7",
            data_documento=datetime.date(2025, 3, 15),
            fornitore="Cooperativa Sociale Il Melo",
            imponibile=Decimal("1000.10"),
            iva=Decimal("220.02"),
        )
    )


COLONNE = [
    "Sezione",
    "CUP",
    "Voce",
    "Riferimento",
    "Linea di finanziamento",
    "Data",
    "Testo",
    "Unità di misura",
    "Valore atteso",
    "Valore",
    "Imponibile",
    "IVA",
    "Totale",
    "Stato",
]


def _esporta(client, capture, progetto, formato):
    with capture(execute=True):
        return client.post(
            reverse("report:esportazione_create"),
            {
                "tipo": "regis",
                "ambito": progetto.ambito_id,
                "progetto": progetto.pk,
                "formato": formato,
                "richiesta": formato * 8,
            },
        )


def test_export_per_cup_as_csv(
    as_user, ufficio_piano, progetto, pnrr, django_capture_on_commit_callbacks
):
    _dati_completi(progetto, pnrr, ufficio_piano)
    client = as_user(ufficio_piano)
    assert (
        "Esporta i dati ReGiS del CUP (CSV)"
        in client.get(reverse("fondi:regis", args=[progetto.pk])).content.decode()
    )
    assert _esporta(client, django_capture_on_commit_callbacks, progetto, "csv").status_code == 303
    report = ReportGenerato.objects.get(tipo="esportazione_regis")
    assert report.parametri == {"CUP": CUP, "Progetto": progetto.titolo}
    testo = report.file.open("rb").read().decode("utf-8")
    intestazione, *righe = list(csv.reader(io.StringIO(testo.lstrip("\ufeff")), delimiter=";"))
    assert intestazione == COLONNE
    sezioni = {r[0] for r in righe}
    assert sezioni == {
        "Anagrafica",
        "Avanzamento finanziario",
        "Fisico (milestone e target)",
        "Procedurale",
        "Spese",
    }
    assert all(r[1] == CUP for r in righe)
    [spesa] = [r for r in righe if r[0] == "Spese"]
    assert spesa[2:7] == [
        "Fattura",
        "FT-7",
        "PNRR-M5C2-1.3.1",
        "15/03/2025",
        "Cooperativa Sociale Il Melo",
    ]
    assert spesa[10:14] == ["1000,10", "220,02", "1220,12", "Domanda di rimborso n. 1"]
    [target] = [r for r in righe if r[0].startswith("Fisico") and r[2] == "Target"]
    assert target[3] == "T1" and target[8:10] == ["25,00", "12,00"] and target[13] == "In ritardo"
    ammesso = next(r for r in righe if r[2] == "Importo ammesso" and r[4] == "PNRR-M5C2-1.3.1")
    assert ammesso[9] == "500000,00"


def test_export_per_cup_as_xlsx_and_only_for_visible_projects(
    as_user, ufficio_piano, ufficio_piano_altro, progetto, pnrr, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    _dati_completi(progetto, pnrr, ufficio_piano)
    client = as_user(ufficio_piano)
    _esporta(client, django_capture_on_commit_callbacks, progetto, "xlsx")
    report = ReportGenerato.objects.get(tipo="esportazione_regis")
    risposta = client.get(reverse("report:download", args=[report.pk]))
    foglio = load_workbook(io.BytesIO(b"".join(risposta.streaming_content))).active
    intestazione, *righe = foglio.iter_rows(values_only=True)
    assert list(intestazione) == COLONNE
    [spesa] = [r for r in righe if r[0] == "Spese"]
    assert spesa[5] == datetime.datetime(2025, 3, 15)
    assert [Decimal(str(v)) for v in spesa[10:13]] == [
        Decimal("1000.1"),
        Decimal("220.02"),
        Decimal("1220.12"),
    ]
    altro = as_user(ufficio_piano_altro)
    assert _esporta(altro, django_capture_on_commit_callbacks, progetto, "csv").status_code == 404


# --- Query counts -------------------------------------------------------------------------


@pytest.mark.parametrize("numero", [3, 30])
def test_lists_and_pages_query_counts_are_bounded(
    as_user, ufficio_piano, progetto, pnrr, django_assert_max_num_queries, numero
):
    for n in range(numero):
        obiettivo = ObiettivoProgetto.objects.create(
            progetto=progetto,
            descrizione=f"Target {n}",
            unita_misura="persone",
            valore_obiettivo=10,
            scadenza=datetime.date(2027, 12, 31),
        )
        AvanzamentoObiettivo.objects.create(
            obiettivo=obiettivo, periodo=datetime.date(2025, 4, 30), valore_raggiunto=n
        )
        domanda = services.rendicontazione_create(
            rendicontazione=Rendicontazione(progetto=progetto, periodo=datetime.date(2025, 4, 30))
        )
        services.controllo_attesta(rendicontazione=domanda, controllo="dnsh", user=ufficio_piano)
        services.giustificativo_save(
            giustificativo=Giustificativo(
                progetto=progetto,
                finanziamento=pnrr,
                rendicontazione=domanda,
                tipo_documento="fattura",
                numero_documento=str(n),
                data_documento=datetime.date(2025, 3, 15),
                fornitore="Fornitore",
                imponibile=Decimal("10.00"),
                iva=Decimal("2.20"),
            )
        )
    client = as_user(ufficio_piano)
    for url in [
        "/api/v1/milestone-target/",
        "/api/v1/valori-milestone-target/",
        "/api/v1/giustificativi-spesa/",
        "/api/v1/rendicontazioni/",
        reverse("fondi:regis", args=[progetto.pk]),
        reverse("fondi:rendicontazione_detail", args=[domanda.pk]),
    ]:
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200
    totale = client.get("/api/v1/rendicontazioni/", {"progetto": progetto.pk}).json()
    assert totale["count"] == numero
    assert {r["totale"] for r in totale["results"]} == {"12.20"}


def test_a_project_with_spending_records_is_not_deleted(as_user, ufficio_piano, progetto, pnrr):
    client = as_user(ufficio_piano)
    dati = _giustificativo(progetto, pnrr)
    assert _post(client, "/api/v1/giustificativi-spesa/", dati).status_code == 201
    risposta = client.delete(f"/api/v1/progetti/{progetto.pk}/")
    assert risposta.status_code == 400
    assert errori(risposta) == {
        "non_field_errors": [
            "Il progetto ha già spese o domande di rimborso registrate: non si può eliminare "
            "(cambiarne lo stato, ad esempio in «revocato»)."
        ]
    }
    assert Giustificativo.objects.filter(progetto=progetto).count() == 1

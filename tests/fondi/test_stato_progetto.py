"""The state machine holds on every path: a project is born «candidato» (form, API,
admin), every change is a checked transition, and the only other way in is the
audited import with its history."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fondi import services
from fondi.models import Progetto
from tests.problemi import errori

from .factories import ProgettoFactory, dati_progetto, linea

MSG_INIZIALE = (
    "Un nuovo progetto si registra come «Candidato»: gli stati successivi si raggiungono "
    "con i passaggi di stato (o con l'importazione con lo storico)."
)


def _json(client, metodo, url, data):
    return getattr(client, metodo)(url, data, content_type="application/json")


def test_form_creates_a_candidato_whatever_is_posted(as_user, ufficio_piano, visconteo):
    client = as_user(ufficio_piano)
    pagina = client.get(reverse("fondi:progetto_create"))
    assert "stato" not in pagina.context["form"].fields
    response = client.post(
        reverse("fondi:progetto_create"), dati_progetto(visconteo, stato="in_corso")
    )
    assert response.status_code == 302
    assert Progetto.objects.get(titolo="Dimissioni protette").stato == "candidato"


def test_api_create_refuses_a_state_other_than_candidato(client, ufficio_piano, visconteo):
    client.force_login(ufficio_piano)
    dati = {
        "titolo": "Salta ammesso",
        "ambito": visconteo.pk,
        "linea": linea("PNRR-M5C2-1.1.3").pk,
        "stato": "in_corso",
    }
    response = _json(client, "post", "/api/v1/progetti/", dati)
    assert response.status_code == 400
    assert errori(response) == {"stato": [MSG_INIZIALE]}
    assert not Progetto.objects.filter(titolo="Salta ammesso").exists()
    response = _json(client, "post", "/api/v1/progetti/", dati | {"stato": "candidato"})
    assert response.status_code == 201 and response.json()["stato"] == "candidato"


def test_api_update_goes_through_the_transition(client, ufficio_piano, visconteo):
    progetto = ProgettoFactory(ambito=visconteo, stato="candidato")
    client.force_login(ufficio_piano)
    url = f"/api/v1/progetti/{progetto.pk}/"
    response = _json(client, "patch", url, {"stato": "in_corso"})
    assert response.status_code == 400
    assert errori(response)["stato"][0].startswith("Passaggio di stato non consentito")
    progetto.refresh_from_db()
    assert progetto.stato == "candidato"
    response = _json(client, "patch", url, {"stato": "ammesso", "rup": "Anna Neri"})
    assert response.status_code == 200
    progetto.refresh_from_db()
    assert (progetto.stato, progetto.rup) == ("ammesso", "Anna Neri")
    # The change of state is a row of its own in the audit trail.
    assert [h.stato for h in progetto.history.order_by("history_date")][-2:] == [
        "candidato",
        "ammesso",
    ]


def test_form_update_refuses_skipping_a_state(as_user, ufficio_piano, visconteo):
    progetto = ProgettoFactory(ambito=visconteo, stato="candidato", titolo="Da aggiornare")
    client = as_user(ufficio_piano)
    url = reverse("fondi:progetto_update", args=[progetto.pk])
    dati = dati_progetto(visconteo, titolo="Da aggiornare", stato="concluso")
    response = client.post(url, dati)
    assert response.status_code == 200
    assert response.context["form"].errors["stato"][0].startswith("Passaggio di stato")
    progetto.refresh_from_db()
    assert progetto.stato == "candidato"
    assert client.post(url, dati | {"stato": "ammesso"}).status_code == 302
    progetto.refresh_from_db()
    assert progetto.stato == "ammesso"


def test_admin_add_refuses_a_state_other_than_candidato(client, django_user_model, visconteo):
    admin = django_user_model.objects.create_superuser("admin.stato", "a@example.org", "x-Pass-1")
    client.force_login(admin)
    dati = {
        "titolo": "Dall'admin",
        "linea": linea("PNRR-M5C2-1.1.3").pk,
        "ambito": visconteo.pk,
        "stato": "in_corso",
        "codice_locale": "",
        "finanziamenti-TOTAL_FORMS": "0",
        "finanziamenti-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:fondi_progetto_add"), dati)
    assert response.status_code == 200
    assert "si registra come «Candidato»" in response.content.decode()
    assert not Progetto.objects.filter(titolo="Dall'admin").exists()
    response = client.post(reverse("admin:fondi_progetto_add"), dati | {"stato": "candidato"})
    assert response.status_code == 302
    assert Progetto.objects.get(titolo="Dall'admin").stato == "candidato"


def test_service_create_refuses_a_later_state(visconteo):
    progetto = Progetto(
        titolo="X", ambito=visconteo, linea=linea("PNRR-M5C2-1.2"), stato="concluso"
    )
    with pytest.raises(ValidationError) as error:
        services.progetto_create(progetto=progetto)
    assert error.value.message_dict == {"stato": [MSG_INIZIALE]}


def test_import_with_history_walks_the_machine_and_records_the_reason(visconteo):
    progetto = Progetto(titolo="Importato", ambito=visconteo, linea=linea("PNRR-M5C2-1.2"))
    services.progetto_import_with_history(
        progetto=progetto, stato="concluso", motivo="Importazione dal file ReGiS"
    )
    progetto.refresh_from_db()
    assert progetto.stato == "concluso"
    storia = list(progetto.history.order_by("history_date", "history_id"))
    assert [h.stato for h in storia] == ["candidato", "ammesso", "in_corso", "concluso"]
    assert {h.history_change_reason for h in storia} == {"Importazione dal file ReGiS"}


def test_import_needs_a_reason_and_a_legal_history(visconteo):
    progetto = Progetto(titolo="Senza motivo", ambito=visconteo, linea=linea("PNRR-M5C2-1.2"))
    with pytest.raises(ValidationError) as error:
        services.progetto_import_with_history(progetto=progetto, stato="in_corso", motivo=" ")
    assert "motivo" in error.value.message_dict
    progetto = Progetto(titolo="Storia falsa", ambito=visconteo, linea=linea("PNRR-M5C2-1.2"))
    with pytest.raises(ValidationError):
        services.progetto_import_with_history(
            progetto=progetto, motivo="Importazione", storia=["in_corso"]
        )
    assert not Progetto.objects.filter(titolo__in=["Senza motivo", "Storia falsa"]).exists()


def test_visconteo_projects_were_loaded_through_the_import_path(visconteo):
    progetto = visconteo.progetti.get(linea__codice="PNRR-M5C2-1.3.2")
    assert progetto.stato == "in_corso"
    assert progetto.history.filter(history_change_reason__startswith="Caricamento").exists()

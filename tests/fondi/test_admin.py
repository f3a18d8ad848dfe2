"""The admin saves through the services: same rules, same messages."""

import pytest
from django.urls import reverse

from fondi.models import AvanzamentoFinanziario


@pytest.fixture
def admin(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin.fondi", "a@example.org", "x-Pass-123")
    client.force_login(user)
    return client


def test_admin_refuses_an_illegal_transition(admin, visconteo):
    progetto = visconteo.progetti.get(linea__codice="PNRR-M5C2-1.2")
    url = reverse("admin:fondi_progetto_change", args=[progetto.pk])
    response = admin.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    dati = {
        name: (
            [v.pk for v in value]
            if hasattr(value, "__iter__") and not isinstance(value, str)
            else getattr(value, "pk", value)
        )
        for name, value in form.initial.items()
    }
    dati = {k: ("" if v is None else v) for k, v in dati.items()}
    dati |= {
        "stato": "candidato",
        "finanziamenti-TOTAL_FORMS": "0",
        "finanziamenti-INITIAL_FORMS": "0",
    }
    response = admin.post(url, dati)
    assert response.status_code == 200
    assert "Passaggio di stato non consentito" in response.content.decode()
    progetto.refresh_from_db()
    assert progetto.stato == "in_corso"


def test_admin_refuses_paid_above_committed(admin, visconteo):
    progetto = visconteo.progetti.get(linea__codice="PNRR-M5C2-1.2")
    response = admin.post(
        reverse("admin:fondi_avanzamentofinanziario_add"),
        {
            "progetto": progetto.pk,
            "data": "2025-01-31",
            "programmato": "357499",
            "ammesso": "357499",
            "vincolante": "100",
            "erogato": "200",
            "nota": "",
        },
    )
    assert response.status_code == 200
    assert "non può superare l&#x27;importo giuridicamente vincolante" in response.content.decode()
    assert not AvanzamentoFinanziario.objects.filter(progetto=progetto).exists()

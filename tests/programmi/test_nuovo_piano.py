"""A new Piano: from the previous one, from the template, from a shared plan; activation;
deleting rows of a plan. Through the services and the pages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from indicatori.models import Indicatore, Valore
from programmi import services
from programmi.choices import StatoPiano
from programmi.models import MacroArea, Obiettivo, PianoDiZona, Scheda, VoceScheda
from tests.factories import AmbitoFactory, ComuneFactory, user_with_role
from tests.indicatori.factories import IndicatoreFactory, PeriodoFactory, ValoreFactory
from tests.programmi.factories import MacroAreaFactory, ObiettivoFactory, PianoFactory

pytestmark = pytest.mark.django_db


def _conteggi(piano):
    return {
        "macro_aree": MacroArea.objects.filter(piano=piano).count(),
        "obiettivi": Obiettivo.objects.filter(piano=piano).count(),
        "specifici": Obiettivo.objects.filter(piano=piano, parent__isnull=False).count(),
        "schede": Scheda.objects.filter(piano=piano).count(),
        "voci": VoceScheda.objects.filter(scheda__piano=piano).count(),
        "indicatori": Indicatore.objects.filter(piano=piano).count(),
    }


def test_copy_copies_the_structure_not_the_values(piano_2025):
    prima = _conteggi(piano_2025)
    valori_prima = Valore.objects.filter(indicatore__piano=piano_2025).count()
    assert prima["indicatori"] and valori_prima  # the real plan has both

    nuovo = services.piano_copy(piano=piano_2025, anno_inizio=2028, anno_fine=2030)

    assert nuovo.stato == StatoPiano.BOZZA
    assert (nuovo.anno_inizio, nuovo.anno_fine, nuovo.ambito) == (2028, 2030, piano_2025.ambito)
    assert _conteggi(nuovo) == prima
    assert not Valore.objects.filter(indicatore__piano=nuovo).exists()
    # The previous plan keeps everything.
    assert _conteggi(piano_2025) == prima
    assert Valore.objects.filter(indicatore__piano=piano_2025).count() == valori_prima
    # Specific objectives point to the copies of their general ones, in the new plan.
    for specifico in Obiettivo.objects.filter(piano=nuovo, parent__isnull=False):
        assert specifico.parent.piano_id == nuovo.pk
    # Indicators keep their definition, start with the new plan, have no targets.
    originale = Indicatore.objects.filter(piano=piano_2025, valore_atteso__isnull=False).first()
    copia = Indicatore.objects.get(piano=nuovo, codice=originale.codice)
    assert (copia.nome, copia.unita, copia.periodicita, copia.livello) == (
        originale.nome,
        originale.unita,
        originale.periodicita,
        originale.livello,
    )
    assert copia.valore_atteso is None and copia.valore_atteso_testo == ""
    assert str(copia.rilevazione_dal) == "2028-01-01"
    if originale.scheda_id:
        assert copia.scheda.piano_id == nuovo.pk
        assert copia.scheda.numero == originale.scheda.numero


def test_copy_with_targets_only_when_asked(piano_2025):
    originale = Indicatore.objects.filter(piano=piano_2025, valore_atteso__isnull=False).first()
    nuovo = services.piano_copy(piano=piano_2025, anno_inizio=2028, anno_fine=2030, con_target=True)
    copia = Indicatore.objects.get(piano=nuovo, codice=originale.codice)
    assert copia.valore_atteso == originale.valore_atteso


def test_copy_into_years_already_used_is_refused_and_saves_nothing(piano_2025, piano_2022):
    piani = PianoDiZona.objects.count()
    indicatori = Indicatore.objects.count()
    with pytest.raises(Exception) as info:
        services.piano_copy(piano=piano_2022, anno_inizio=2025, anno_fine=2027)
    assert "anno_inizio" in info.value.message_dict
    assert PianoDiZona.objects.count() == piani
    assert Indicatore.objects.count() == indicatori


def test_activate_concludes_the_previous_plan_and_keeps_it_readable(
    piano_2025, as_user, ufficio_piano
):
    nuovo = services.piano_copy(piano=piano_2025, anno_inizio=2028, anno_fine=2030)
    client = as_user(ufficio_piano)
    response = client.post(reverse("programmi:piano_attiva", args=[nuovo.pk]))
    assert response.status_code == 302
    nuovo.refresh_from_db()
    piano_2025.refresh_from_db()
    assert nuovo.stato == StatoPiano.IN_VIGORE
    assert piano_2025.stato == StatoPiano.CONCLUSO
    # The old indicators are no longer due after the old plan.
    assert not Indicatore.objects.filter(piano=piano_2025, rilevazione_al__isnull=True).exists()
    # The previous plan, its indicators and values are still on its pages.
    pagina = client.get(piano_2025.get_absolute_url())
    assert pagina.status_code == 200
    valore = Valore.objects.filter(indicatore__piano=piano_2025).first()
    assert client.get(valore.get_absolute_url()).status_code == 200
    # Activating twice is refused with a message.
    again = client.post(reverse("programmi:piano_attiva", args=[nuovo.pk]))
    assert "Solo un Piano in bozza" in again.content.decode()


def test_copy_page_creates_a_draft(piano_2025, as_user, ufficio_piano):
    client = as_user(ufficio_piano)
    url = reverse("programmi:piano_copia", args=[piano_2025.pk])
    assert client.get(url).status_code == 200
    errato = client.post(url, {"anno_inizio": "2030", "anno_fine": "2028"})
    assert "L&#x27;ultimo anno non può precedere il primo." in errato.content.decode()
    response = client.post(url, {"anno_inizio": "2028", "anno_fine": "2030"})
    nuovo = PianoDiZona.objects.get(ambito=piano_2025.ambito, anno_inizio=2028)
    assert response.url == nuovo.get_absolute_url()
    assert nuovo.stato == StatoPiano.BOZZA


@pytest.fixture
def ambito_vuoto(db):
    ambito = AmbitoFactory(nome="Ambito Nuovo", codice="ambito-nuovo")
    ComuneFactory(ambito=ambito, nome="Borgo Primo", codice_istat="099001")
    return ambito


def test_first_plan_from_the_template(ambito_vuoto, client):
    udp = user_with_role("ufficio_piano", ambito_vuoto, username="udp.nuovo")
    client.force_login(udp)
    home = client.get("/").content.decode()
    assert reverse("primi-passi") in home
    assert client.get(reverse("primi-passi")).status_code == 200
    response = client.post(
        reverse("programmi:piano_primo"),
        {"ambito": ambito_vuoto.pk, "origine": "modello", "anno_inizio": 2026, "anno_fine": 2028},
    )
    piano = PianoDiZona.objects.get(ambito=ambito_vuoto)
    assert response.url == piano.get_absolute_url()
    assert piano.stato == StatoPiano.BOZZA
    modello = services.modello_piano()
    assert list(piano.macro_aree.values_list("lettera", flat=True)) == [
        a["lettera"] for a in modello["macro_aree"]
    ]
    codici = set(piano.indicatori.values_list("codice", flat=True))
    assert codici == {i["codice"] for i in modello["indicatori"]}
    beneficiari = piano.indicatori.get(codice="BEN.1")
    assert beneficiari.conta_beneficiari and beneficiari.obiettivo.numero == "1"
    # Each starter indicator is editable afterwards.
    url = reverse("indicatori:indicatore_update", args=[beneficiari.pk])
    assert client.get(url).status_code == 200


def test_first_plan_from_a_shared_plan(ambito_vuoto, client, piano_2025):
    udp = user_with_role("ufficio_piano", ambito_vuoto, username="udp.nuovo")
    client.force_login(udp)
    url = reverse("programmi:piano_primo")
    scelta = f"{piano_2025} condiviso dall&#x27;Ambito {piano_2025.ambito}"
    assert scelta not in client.get(url).content.decode()  # not shared yet
    PianoDiZona.objects.filter(pk=piano_2025.pk).update(condiviso=True)
    assert scelta in client.get(url).content.decode()
    client.post(
        url,
        {
            "ambito": ambito_vuoto.pk,
            "origine": piano_2025.pk,
            "anno_inizio": 2026,
            "anno_fine": 2028,
        },
    )
    piano = PianoDiZona.objects.get(ambito=ambito_vuoto)
    assert _conteggi(piano)["indicatori"] == _conteggi(piano_2025)["indicatori"]
    # Services and projects belong to the other Ambito: not carried over.
    assert not piano.indicatori.filter(servizio__isnull=False).exists()
    assert not piano.schede.filter(progetto__isnull=False).exists()


def test_deleting_a_macro_area_with_objectives_is_refused(as_user, ufficio_piano, visconteo):
    piano = PianoFactory(ambito=visconteo)
    area = MacroAreaFactory(piano=piano)
    ObiettivoFactory(piano=piano, macro_area=area)
    client = as_user(ufficio_piano)
    url = reverse("programmi:macroarea_delete", args=[area.pk])
    response = client.post(url)
    assert response.status_code == 200
    assert "non si può eliminare" in response.content.decode()
    assert MacroArea.objects.filter(pk=area.pk).exists()
    Obiettivo.objects.filter(piano=piano).delete()
    assert client.post(url).status_code == 302
    assert not MacroArea.objects.filter(pk=area.pk).exists()


def test_deleting_an_indicator_with_values_is_refused(as_user, ufficio_piano, visconteo, rozzano):
    piano = PianoFactory(ambito=visconteo)
    indicatore = IndicatoreFactory(piano=piano)
    ValoreFactory(
        indicatore=indicatore,
        periodo=PeriodoFactory(ambito=visconteo),
        comune=rozzano,
        valore_numerico=Decimal(3),
    )
    client = as_user(ufficio_piano)
    response = client.post(reverse("indicatori:indicatore_delete", args=[indicatore.pk]))
    assert "1 valore inserito" in response.content.decode()
    assert Indicatore.objects.filter(pk=indicatore.pk).exists()


def test_indicator_created_and_edited_from_the_pages(as_user, ufficio_piano, visconteo):
    piano = PianoFactory(ambito=visconteo, anno_inizio=2040, anno_fine=2042)
    client = as_user(ufficio_piano)
    url = reverse("indicatori:indicatore_create", args=[piano.pk])
    dati = {
        "codice": "N.1",
        "nome": "Nuovo indicatore",
        "tipo": "output",
        "unita": "percentuale",
        "livello": "comune",
        "periodicita": "annuale",
        "aggregazione_comuni": "somma",
        "aggregazione_periodi": "somma",
        "direzione": "crescente",
        "rilevazione_dal": "2040-01-01",
        "ordine": 1,
        "valore_atteso": "150",
    }
    errato = client.post(url, dati)
    assert "Una percentuale attesa deve essere compresa tra 0 e 100." in errato.content.decode()
    assert not Indicatore.objects.filter(piano=piano).exists()
    response = client.post(url, {**dati, "valore_atteso": "80"})
    indicatore = Indicatore.objects.get(piano=piano, codice="N.1")
    assert response.url == indicatore.get_absolute_url()
    client.post(
        reverse("indicatori:indicatore_update", args=[indicatore.pk]),
        {**dati, "valore_atteso": "80", "nome": "Nome cambiato"},
    )
    indicatore.refresh_from_db()
    assert indicatore.nome == "Nome cambiato"


def test_deleting_a_scheda_with_indicators_is_refused(as_user, ufficio_piano, scheda_1):
    assert Indicatore.objects.filter(scheda=scheda_1).exists()
    client = as_user(ufficio_piano)
    response = client.post(reverse("programmi:scheda_delete", args=[scheda_1.pk]))
    assert response.status_code == 200
    assert "La scheda non si può eliminare: ha ancora indicatori." in response.content.decode()
    assert Scheda.objects.filter(pk=scheda_1.pk).exists()

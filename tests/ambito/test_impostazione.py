"""Setting up a new Ambito from the pages (superuser), residents from the ISTAT file,
and the home page of an Ambito without a Piano (issue 29)."""

import html

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ambito.choices import Ruolo
from ambito.models import Ambito, Comune, DatiDemografici

PASSWORD = "Cammino-Lungo-2026!"


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("capo", password=PASSWORD)


def csv_file(content: str, name="popolazione.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, content.encode(encoding), content_type="text/csv")


# An ISTAT-like file: a title line, ';' separators, one row per age and the total (999);
# codes without their leading zeros, as a spreadsheet saves them.
POSAS = """Popolazione residente al 1° gennaio 2024 per età e sesso
Codice comune;Comune;Età;Totale maschi;Totale femmine;Totale
98031;Lodi;0;150;140;290
98031;Lodi;999;21.000;24.123;45.123
98001;Abbadia Cerreto;999;150;160;310
99999;Fuori elenco;999;1;1;2
"""


def test_superuser_sets_up_an_ambito(client, superuser, visconteo):
    client.force_login(superuser)
    response = client.post(
        reverse("impostazione:ambito_create"),
        {"nome": "Ambito del Lodigiano", "codice": "lodigiano", "regione": "Lombardia"},
    )
    ambito = Ambito.objects.get(codice="lodigiano")
    url = reverse("impostazione:ambito_detail", args=[ambito.pk])
    assert response["Location"] == url
    # Search the ISTAT list by name (accents ignored) and by code.
    found = client.get(url, {"q": "abbadia cer"}).context["risultati"]
    assert [(c.codice_istat, c.nome) for c, _presente in found] == [("098001", "Abbadia Cerreto")]
    by_code = client.get(url, {"q": "098031"}).context["risultati"]
    assert [c.nome for c, _presente in by_code] == ["Lodi"]
    rozzano_row = client.get(url, {"q": "Rozzano"})
    assert "già nell'Ambito Ambito Territoriale Sociale Visconteo Sud Milano" in text(rozzano_row)
    # A Comune of another Ambito is refused, and nothing of that choice is saved.
    refused = client.post(url, {"codice": ["098031", "015189"]}, follow=True)
    assert "Rozzano fa già parte dell'Ambito" in text(refused)
    assert not Comune.objects.filter(ambito=ambito).exists()
    client.post(url, {"codice": ["098031", "098001"]})
    assert set(ambito.comuni.values_list("nome", flat=True)) == {"Lodi", "Abbadia Cerreto"}
    assert Comune.objects.get(codice_istat="015189").ambito == visconteo
    # The residents from the ISTAT file.
    popolazione = reverse("popolazione_load", args=[ambito.pk])
    prova = client.post(popolazione, {"anno": 2024, "file": csv_file(POSAS)}, follow=True)
    assert prova.context["prova"].conteggi["crea"] == 2  # the dry run of the import
    assert not DatiDemografici.objects.filter(comune__ambito=ambito).exists()
    client.post(prova.redirect_chain[-1][0])  # confirmed
    residenti = dict(
        DatiDemografici.objects.filter(comune__ambito=ambito, anno=2024).values_list(
            "comune__nome", "residenti"
        )
    )
    assert residenti == {"Lodi": 45123, "Abbadia Cerreto": 310}
    # The first Ufficio di Piano, invited from the set-up page.
    page = text(client.get(url))
    invite_url = reverse("utenti:utente_invite") + f"?ambito={ambito.pk}&ruolo=ufficio_piano"
    assert invite_url in page
    form = client.get(invite_url).context["form"]
    assert (form.initial["ambito"], form.initial["ruolo"]) == (str(ambito.pk), "ufficio_piano")
    client.post(
        reverse("utenti:utente_invite"),
        {
            "email": "udp@lodigiano.example",
            "first_name": "Ada",
            "last_name": "Neri",
            "ambito": ambito.pk,
            "ruolo": Ruolo.UFFICIO_PIANO,
            "comune": "",
        },
    )
    assert mail.outbox[0].to == ["udp@lodigiano.example"]
    assert ambito.incarichi.get().ruolo == Ruolo.UFFICIO_PIANO


@pytest.mark.parametrize(
    "content, message",
    [
        ("Comune;Abitanti\nLodi;45000\n", "colonna del codice del Comune"),
        ("Codice comune;Comune;Maschi\n98031;Lodi;100\n", "colonna del totale"),
        ("Codice comune;Comune;Totale\n98031;Lodi;molti\n", "Riga 2: il totale «molti»"),
        ("Codice comune;Comune;Totale\n15189;Rozzano;42000\n", "nessuno dei Comuni"),
    ],
)
def test_bad_population_files_are_refused_with_a_clear_message(
    client, ufficio_piano_altro, altro_ambito, content, message
):
    """The Ufficio di Piano loads his own Ambito's residents; nothing is saved on error."""
    client.force_login(ufficio_piano_altro)
    url = reverse("popolazione_load", args=[altro_ambito.pk])
    response = client.post(url, {"anno": 2024, "file": csv_file(content)}, follow=True)
    assert any(message in e for e in response.context["prova"].errori)
    assert not response.context["prova"].applicabile
    assert not DatiDemografici.objects.filter(comune__ambito=altro_ambito).exists()


def test_a_binary_file_is_not_a_csv(client, ufficio_piano_altro, altro_ambito):
    client.force_login(ufficio_piano_altro)
    upload = SimpleUploadedFile("foto.csv", b"\x89PNG\x00\x00\x01", content_type="text/csv")
    response = client.post(
        reverse("popolazione_load", args=[altro_ambito.pk]),
        {"anno": 2024, "file": upload},
        follow=True,
    )
    assert "Il file non è un CSV" in " ".join(response.context["prova"].errori)


def test_windows_encoded_file_with_one_row_per_comune(client, ufficio_piano_altro, altro_ambito):
    client.force_login(ufficio_piano_altro)
    content = "Codice comune,Comune,Popolazione\n098031,Lodi,45.000\n"
    response = client.post(
        reverse("popolazione_load", args=[altro_ambito.pk]),
        {"anno": 2023, "file": csv_file(content, encoding="cp1252")},
        follow=True,
    )
    client.post(response.redirect_chain[-1][0])
    assert DatiDemografici.objects.get(comune__ambito=altro_ambito, anno=2023).residenti == 45000


def test_only_the_superuser_sets_up_ambiti(client, ufficio_piano):
    client.force_login(ufficio_piano)
    response = client.post(
        reverse("impostazione:ambito_create"), {"nome": "X", "codice": "x", "regione": "Y"}
    )
    assert response.status_code == 403
    assert not Ambito.objects.filter(codice="x").exists()


def test_home_of_an_ambito_without_piano_points_to_the_first_steps(
    client, ufficio_piano_altro, ufficio_piano
):
    client.force_login(ufficio_piano_altro)
    assert "L'Ambito non ha ancora un Piano di Zona." in text(client.get(reverse("home")))
    client.force_login(ufficio_piano)  # Visconteo has its Piano
    assert "non ha ancora un Piano" not in text(client.get(reverse("home")))

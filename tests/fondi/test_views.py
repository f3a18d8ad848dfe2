"""Pages of the fondi app: what each role sees, who may write, bad input, query counts."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils.html import escape

from ambito.choices import Ruolo
from ambito.templatetags.zonale import euro
from fondi.models import Assegnazione, AvanzamentoFinanziario, FinanziamentoProgetto, Progetto

from ..factories import AmbitoFactory, user_with_role
from .factories import (
    PROGETTO_NON_VALIDO,
    AssegnazioneFactory,
    ProgettoFactory,
    dati_progetto,
    linea,
)

# --- Fondi in gestione ---------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, visconteo):
    response = client.get(reverse("fondi:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("ruolo", ["ufficio_piano", "operatore_rozzano", "revisore"])
def test_fondi_page_shows_the_piano_table_with_computed_totals(request, as_user, ruolo):
    response = as_user(request.getfixturevalue(ruolo)).get(reverse("fondi:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "€ 5.111.878,00" in html and "€ 5.544.651,00" in html
    assert "Fondo Nazionale Politiche Sociali" in html and "€ 1.946.144,00" in html
    assert "coincide" in html  # the printed totals agree with the rows
    [prospetto] = response.context["prospetti"]
    assert prospetto.totali == {2022: Decimal("5111878.00"), 2023: Decimal("5544651.00")}


def test_fondi_page_of_another_ambito_is_empty(as_user, ufficio_piano_altro):
    response = as_user(ufficio_piano_altro).get(reverse("fondi:index"))
    assert response.context["prospetti"] == []
    assert "5.111.878" not in response.content.decode()


def test_fondi_page_filters_by_year_source_level_and_line(as_user, ufficio_piano):
    from fondi.models import FonteFinanziamento

    client = as_user(ufficio_piano)
    [p] = client.get(reverse("fondi:index"), {"anno": 2023}).context["prospetti"]
    assert p.anni == [2023] and p.totali == {2023: Decimal("5544651.00")}
    [p] = client.get(reverse("fondi:index"), {"livello": "regionale"}).context["prospetti"]
    assert p.totali == {2022: Decimal("1324592.00"), 2023: Decimal("1470712.00")}
    fna = FonteFinanziamento.objects.get(codice="FNA")
    [p] = client.get(reverse("fondi:index"), {"fonte": fna.pk}).context["prospetti"]
    assert [r.linea.codice for r in p.righe] == ["FNA-B2", "FNA-PROVI"]
    response = client.get(reverse("fondi:index"), {"linea": linea("FNA-B2").pk, "anno": 2022})
    [p] = response.context["prospetti"]
    assert p.colonne_totali == [Decimal("376643.00")]
    assert "Totale delle righe filtrate" in response.content.decode()


def test_fondi_page_shows_a_discrepancy_with_the_printed_total(as_user, ufficio_piano, visconteo):
    fsr = Assegnazione.objects.get(ambito=visconteo, linea__codice="FSR", anno=2023)
    fsr.importo = Decimal("730900.00")
    fsr.save()
    html = as_user(ufficio_piano).get(reverse("fondi:index")).content.decode()
    assert "non coincide con la somma delle righe" in html
    assert "€ -6,00" in html


def test_fondi_page_tables_escape_their_text(as_user, ufficio_piano, visconteo):
    fsr = Assegnazione.objects.get(ambito=visconteo, linea__codice="FSR", anno=2023)
    fsr.interventi = "Uno\n- Due <b>\n"
    fsr.nota_fonte = "Nota <i> & 'x'"
    fsr.importo = Decimal("730900.00")
    fsr.save()
    html = as_user(ufficio_piano).get(reverse("fondi:index")).content.decode()
    assert (
        '<td class="interventi"><ul class="mb-0 ps-3"><li>Uno</li><li>Due &lt;b&gt;</li></ul>'
        in html
    )
    assert "<li>2023: Nota &lt;i&gt; &amp; &#x27;x&#x27;</li>" in html
    assert '<tr class="discordanza">\n      <th scope="row">2023</th>' in html
    assert '<td class="num">coincide</td>' in html  # 2022 agrees with its printed total


def _opzioni(html, nome):
    [elenco] = re.findall(rf'<select name="{nome}"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', elenco)


@pytest.mark.parametrize("url", ["fondi:index", "fondi:progetto_list"])
def test_filter_lists_name_sources_and_lines_as_their_models_do(as_user, ufficio_piano, url):
    from fondi.models import FonteFinanziamento, LineaFinanziamento

    fna = FonteFinanziamento.objects.get(codice="FNA")
    html = as_user(ufficio_piano).get(reverse(url), {"fonte": fna.pk}).content.decode()
    fonti = FonteFinanziamento.objects.visible_to(ufficio_piano).order_by("ordine", "codice")
    assert _opzioni(html, "fonte") == [("", "", "Tutti")] + [
        (str(f.pk), " selected" if f == fna else "", escape(str(f))) for f in fonti
    ]
    linee = LineaFinanziamento.objects.visible_to(ufficio_piano).order_by("codice")
    assert _opzioni(html, "linea") == [("", " selected", "Tutti")] + [
        (str(riga.pk), "", escape(str(riga))) for riga in linee
    ]
    assert len(linee) > 10


def test_allocation_list_and_edit_links(as_user, ufficio_piano, revisore):
    response = as_user(ufficio_piano).get(reverse("fondi:assegnazione_list"), {"anno": 2022})
    assert response.context["paginator"].count == 15
    assert "Modifica" in response.content.decode()
    response = as_user(revisore).get(reverse("fondi:assegnazione_list"))
    assert response.context["paginator"].count == 29
    assert "/modifica/" not in response.content.decode()


# --- Write permissions on pages --------------------------------------------------------

CREATE_URLS = ["fondi:assegnazione_create", "fondi:progetto_create"]


@pytest.mark.parametrize("url", CREATE_URLS)
@pytest.mark.parametrize(
    "ruolo, status",
    [("ufficio_piano", 200), ("operatore_rozzano", 403), ("revisore", 403)],
)
def test_create_forms_are_for_the_ufficio_di_piano(request, as_user, url, ruolo, status):
    client = as_user(request.getfixturevalue(ruolo))
    assert client.get(reverse(url)).status_code == status
    if status == 403:
        assert client.post(reverse(url), {"titolo": "x"}).status_code == 403


def _urls_oggetto(progetto):
    finanziamento = progetto.finanziamenti.first()
    avanzamento = progetto.avanzamenti.first()
    return [
        reverse("fondi:progetto_update", args=[progetto.pk]),
        reverse("fondi:finanziamento_create", args=[progetto.pk]),
        reverse("fondi:finanziamento_update", args=[finanziamento.pk]),
        reverse("fondi:avanzamento_create", args=[progetto.pk]),
        reverse("fondi:avanzamento_update", args=[avanzamento.pk]),
    ]


@pytest.mark.parametrize(
    "ruolo, detail, form",
    [
        ("ufficio_piano", 200, 200),
        ("operatore_rozzano", 200, 403),
        ("revisore", 200, 403),
        ("ufficio_piano_altro", 200, 403),  # Lodi is a partner: reads, does not write
    ],
)
def test_project_pages_permission_matrix(
    request, as_user, progetto_con_partner, ruolo, detail, form
):
    client = as_user(request.getfixturevalue(ruolo))
    url = reverse("fondi:progetto_detail", args=[progetto_con_partner.pk])
    assert client.get(url).status_code == detail
    for url in _urls_oggetto(progetto_con_partner):
        assert client.get(url).status_code == form, url
        assert client.post(url, {}).status_code == form, url


def test_project_pages_of_another_ambito_answer_404(
    as_user, ufficio_piano_altro, progetto_pnrr, visconteo
):
    from .factories import AvanzamentoFactory

    AvanzamentoFactory(progetto=progetto_pnrr)
    client = as_user(ufficio_piano_altro)
    assert client.get(reverse("fondi:progetto_detail", args=[progetto_pnrr.pk])).status_code == 404
    for url in _urls_oggetto(progetto_pnrr):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
    assegnazione = Assegnazione.objects.filter(ambito=visconteo).first()
    url = reverse("fondi:assegnazione_update", args=[assegnazione.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("ruolo", ["operatore_rozzano", "revisore"])
def test_allocation_edit_is_403_for_readers(request, as_user, visconteo, ruolo):
    assegnazione = Assegnazione.objects.filter(ambito=visconteo).first()
    client = as_user(request.getfixturevalue(ruolo))
    url = reverse("fondi:assegnazione_update", args=[assegnazione.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"importo": "1"}).status_code == 403
    importo = assegnazione.importo
    assegnazione.refresh_from_db()
    assert assegnazione.importo == importo


def test_project_sheet_shows_codes_amounts_and_progress(as_user, revisore, progetto_pnrr):
    from .factories import AvanzamentoFactory

    AvanzamentoFactory(
        progetto=progetto_pnrr,
        data=datetime.date(2025, 9, 30),
        programmato=Decimal("1194394.83"),
        ammesso=Decimal("1090000.00"),
        vincolante=Decimal("900000.00"),
        erogato=Decimal("234350.00"),
    )
    response = as_user(revisore).get(reverse("fondi:progetto_detail", args=[progetto_pnrr.pk]))
    html = response.content.decode()
    for testo in [
        "Centro servizi per il contrasto alle povertà",
        "PNRR-M5C2-1.3.2",
        "€ 1.090.000,00",
        "€ 104.394,83",
        "€ 1.194.394,83",
        "€ 234.350,00",
        "21,5%",
        "31/03/2026",
        "30/09/2025",
        "Comune di Rozzano",
        "Binasco, Rozzano",
        "In corso",
    ]:
        assert testo in html, testo
    assert "/modifica/" not in html  # a revisore has no edit links


# --- Bad input on pages: message next to the field, nothing saved -------------------------


def _errore(response, campo):
    assert response.status_code == 200
    form = response.context["form"]
    assert campo in form.errors, form.errors
    html = response.content.decode()
    assert f'id="id_{campo}_errors"' in html
    return form.errors[campo]


def test_ufficio_piano_creates_a_project_with_comuni_and_partner(
    as_user, ufficio_piano, visconteo, altro_ambito, rozzano, binasco
):
    response = as_user(ufficio_piano).post(
        reverse("fondi:progetto_create"),
        dati_progetto(
            visconteo,
            cup="b49j 1700 0130 006",
            comuni=[rozzano.pk, binasco.pk],
            ambiti_partner=[altro_ambito.pk],
            data_inizio="2024-01-15",
            data_fine="2026-03-31",
        ),
    )
    assert response.status_code == 302
    progetto = Progetto.objects.get(cup="B49J17000130006")
    assert response.url == reverse("fondi:progetto_detail", args=[progetto.pk])
    assert set(progetto.comuni.all()) == {rozzano, binasco}
    assert list(progetto.ambiti_partner.all()) == [altro_ambito]
    assert progetto.history.first().history_user == ufficio_piano


@pytest.mark.parametrize(
    "campi, campo, messaggio",
    PROGETTO_NON_VALIDO,
)
def test_bad_project_input_is_refused_on_the_page(
    as_user, ufficio_piano, visconteo, campi, campo, messaggio
):
    prima = Progetto.objects.count()
    response = as_user(ufficio_piano).post(
        reverse("fondi:progetto_create"), dati_progetto(visconteo, **campi)
    )
    assert _errore(response, campo) == [messaggio]
    assert messaggio.replace("'", "&#x27;") in response.content.decode()
    assert Progetto.objects.count() == prima


def test_duplicate_cup_is_refused_on_the_page(as_user, ufficio_piano, visconteo):
    ProgettoFactory(ambito=visconteo, cup="B49J17000130006")
    prima = Progetto.objects.count()
    response = as_user(ufficio_piano).post(
        reverse("fondi:progetto_create"), dati_progetto(visconteo, cup="B49J17000130006")
    )
    assert _errore(response, "cup") == ["Esiste già un progetto con questo CUP."]
    assert Progetto.objects.count() == prima


def test_comuni_outside_lead_and_partners_are_refused_on_the_page(
    as_user, ufficio_piano, visconteo, rozzano
):
    # The form offers only the lead's Comuni; a forged id of another Ambito is refused.
    from ambito.models import Comune
    from tests.factories import ComuneFactory

    estraneo = ComuneFactory()
    response = as_user(ufficio_piano).post(
        reverse("fondi:progetto_create"),
        dati_progetto(visconteo, comuni=[rozzano.pk, estraneo.pk]),
    )
    assert "comuni" in response.context["form"].errors
    assert not Progetto.objects.filter(titolo="Dimissioni protette").exists()
    assert Comune.objects.filter(pk=estraneo.pk).exists()


def _modifica(progetto, **campi):
    dati = {
        "titolo": progetto.titolo,
        "cup": progetto.cup or "",
        "codice_locale": progetto.codice_locale,
        "ambito": progetto.ambito_id,
        "linea": progetto.linea_id,
        "stato": progetto.stato,
        "rup": progetto.rup,
        "descrizione": progetto.descrizione,
        "anno_finanziamento": progetto.anno_finanziamento or "",
        "data_fine": progetto.data_fine or "",
        "data_scadenza": progetto.data_scadenza or "",
        "comuni": [c.pk for c in progetto.comuni.all()],
    }
    if progetto.soggetto_attuatore_id:
        dati["soggetto_attuatore"] = progetto.soggetto_attuatore_id
    return dati | campi


def test_illegal_status_change_is_refused_on_the_page(as_user, ufficio_piano, progetto_pnrr):
    url = reverse("fondi:progetto_update", args=[progetto_pnrr.pk])
    storia = progetto_pnrr.history.count()
    response = as_user(ufficio_piano).post(url, _modifica(progetto_pnrr, stato="candidato"))
    assert _errore(response, "stato") == [
        "Passaggio di stato non consentito: da «In corso» a «Candidato». "
        "Stati possibili: Concluso, Revocato."
    ]
    progetto_pnrr.refresh_from_db()
    assert progetto_pnrr.stato == "in_corso"
    assert progetto_pnrr.history.count() == storia


def test_legal_status_change_on_the_page(as_user, ufficio_piano, progetto_pnrr):
    url = reverse("fondi:progetto_update", args=[progetto_pnrr.pk])
    client = as_user(ufficio_piano)
    assert "Da «In corso» si può passare a: Concluso, Revocato." in client.get(url).content.decode()
    response = client.post(url, _modifica(progetto_pnrr, stato="concluso", rup="Mario Rossi"))
    assert response.status_code == 302
    progetto_pnrr.refresh_from_db()
    assert (progetto_pnrr.stato, progetto_pnrr.rup) == ("concluso", "Mario Rossi")
    assert progetto_pnrr.comuni.count() == 2


def test_allocation_create_with_italian_amount_and_refusals(as_user, ufficio_piano, visconteo):
    client = as_user(ufficio_piano)
    url = reverse("fondi:assegnazione_create")
    dati = {"ambito": visconteo.pk, "linea": linea("FSE-PLUS").pk, "anno": 2024}
    response = client.post(url, dati | {"importo": "-1.000,00"})
    assert _errore(response, "importo") == ["L'importo non può essere negativo."]
    response = client.post(url, dati | {"importo": "dieci euro"})
    assert _errore(response, "importo") == ["Inserire un importo in euro, ad esempio 1.090.000,00."]
    assert not Assegnazione.objects.filter(linea__codice="FSE-PLUS").exists()
    response = client.post(url, dati | {"importo": "€ 1.090.000,50"})
    assert response.status_code == 302
    nuova = Assegnazione.objects.get(linea__codice="FSE-PLUS")
    assert nuova.importo == Decimal("1090000.50")
    response = client.post(url, dati | {"importo": "5"})
    assert _errore(response, "anno")[0].startswith("Esiste già un'assegnazione")
    assert Assegnazione.objects.filter(linea__codice="FSE-PLUS").count() == 1


def test_allocation_of_another_ambito_cannot_be_created(as_user, ufficio_piano, altro_ambito):
    response = as_user(ufficio_piano).post(
        reverse("fondi:assegnazione_create"),
        {"ambito": altro_ambito.pk, "linea": linea("FNPS").pk, "anno": 2024, "importo": "1"},
    )
    assert "ambito" in response.context["form"].errors
    assert not Assegnazione.objects.filter(ambito=altro_ambito).exists()


def test_progress_snapshot_rules_on_the_page(as_user, ufficio_piano, progetto_pnrr):
    client = as_user(ufficio_piano)
    url = reverse("fondi:avanzamento_create", args=[progetto_pnrr.pk])
    dati = {
        "data": "2025-06-30",
        "programmato": "1.194.394,83",
        "ammesso": "1.090.000,00",
        "vincolante": "500.000,00",
        "erogato": "500.000,01",
    }
    response = client.post(url, dati)
    assert _errore(response, "erogato") == [
        "L'importo erogato non può superare l'importo giuridicamente vincolante."
    ]
    response = client.post(url, dati | {"vincolante": "1.090.000,01", "erogato": "0"})
    assert _errore(response, "vincolante")[0].startswith(
        "L'importo giuridicamente vincolante non può superare"
    )
    response = client.post(url, dati | {"programmato": "-5"})
    assert "L'importo non può essere negativo." in _errore(response, "programmato")
    assert not AvanzamentoFinanziario.objects.filter(progetto=progetto_pnrr).exists()
    response = client.post(url, dati | {"erogato": "250.000,00"})
    assert response.status_code == 302
    html = client.get(reverse("fondi:progetto_detail", args=[progetto_pnrr.pk])).content.decode()
    assert "22,9%" in html  # 250.000 / 1.090.000
    # the next snapshot starts from the latest one
    assert client.get(url).context["form"].initial["erogato"] == Decimal("250000.00")


def test_funding_line_amounts_on_the_page(as_user, ufficio_piano, progetto_pnrr):
    client = as_user(ufficio_piano)
    url = reverse("fondi:finanziamento_create", args=[progetto_pnrr.pk])
    response = client.post(url, {"linea": linea("GSE").pk, "importo": "1,00"})
    assert _errore(response, "linea")[0].startswith("Il progetto ha già un finanziamento")
    response = client.post(url, {"linea": linea("FSE-PLUS").pk, "importo": "-3"})
    assert _errore(response, "importo") == ["L'importo non può essere negativo."]
    assert progetto_pnrr.finanziamenti.count() == 2
    response = client.post(url, {"linea": linea("FSE-PLUS").pk, "importo": "12.000,00"})
    assert response.status_code == 302
    assert FinanziamentoProgetto.objects.get(
        progetto=progetto_pnrr, linea__codice="FSE-PLUS"
    ).importo == Decimal("12000.00")


# --- Project list: filters, scope, query counts ------------------------------------------


def _titoli(response):
    return {p.titolo for p in response.context["object_list"]}


def test_project_list_filters(as_user, ufficio_piano, progetto_con_partner, altro_ambito):
    client = as_user(ufficio_piano)
    url = reverse("fondi:progetto_list")
    assert len(_titoli(client.get(url))) == 4
    response = client.get(url, {"linea": linea("PNRR-M5C2-1.3").pk})
    assert _titoli(response) == {
        "Housing First e LED",
        "Centro servizi per il contrasto alle povertà",
    }
    from fondi.models import FonteFinanziamento

    gse = FonteFinanziamento.objects.get(codice="GSE")
    assert _titoli(client.get(url, {"fonte": gse.pk})) == {
        "Centro servizi per il contrasto alle povertà"
    }
    assert _titoli(client.get(url, {"stato": "candidato"})) == set()
    # the PNRR projects were funded in 2022 and end on 31/03/2026; the shared one has
    # no dates, so it is not known to be active in any year
    assert len(_titoli(client.get(url, {"anno": 2026}))) == 3
    assert _titoli(client.get(url, {"anno": 2021})) == set()
    assert _titoli(client.get(url, {"anno": 2027})) == set()
    progetto_con_partner.data_inizio = datetime.date(2025, 2, 1)
    progetto_con_partner.save()
    assert _titoli(client.get(url, {"anno": 2030})) == {"Progetto condiviso"}  # no end
    assert _titoli(client.get(url, {"q": "housing"})) == {"Housing First e LED"}


def test_partner_ambito_lists_the_shared_project_only(
    as_user, ufficio_piano_altro, progetto_con_partner, altro_ambito
):
    client = as_user(ufficio_piano_altro)
    url = reverse("fondi:progetto_list")
    assert _titoli(client.get(url)) == {"Progetto condiviso"}
    assert _titoli(client.get(url, {"ambito": altro_ambito.pk})) == {"Progetto condiviso"}
    assert "Nuovo progetto" in client.get(url).content.decode()  # UdP of his own Ambito


@pytest.mark.parametrize("numero", [5, 200])
def test_project_list_query_count_is_bounded(
    as_user, ufficio_piano, molti_progetti, django_assert_max_num_queries, numero
):
    molti_progetti(numero)
    client = as_user(ufficio_piano)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("fondi:progetto_list"))
    assert response.context["paginator"].count == numero + 3
    with django_assert_max_num_queries(15):
        client.get(reverse("fondi:progetto_list"), {"linea": linea("PNRR-M5C2-1.1").pk})


@pytest.mark.parametrize("numero", [5, 200])
def test_fondi_pages_query_count_is_bounded(
    as_user, ufficio_piano, visconteo, django_assert_max_num_queries, numero
):
    from fondi.models import LineaFinanziamento

    linee = list(LineaFinanziamento.objects.all())
    for i in range(numero):
        AssegnazioneFactory(ambito=visconteo, linea=linee[i % len(linee)], anno=2030 + i // 28)
    client = as_user(ufficio_piano)
    # Session, user, roles; the rows, their totals per year, level and source (SQL
    # groupings), the printed totals; the filters' lists of Ambiti, sources and lines.
    with django_assert_max_num_queries(11):
        response = client.get(reverse("fondi:index"))
    [prospetto] = response.context["prospetti"]
    assert len(prospetto.anni) == 2 + (numero + 27) // 28
    assert sum(len([c for c in r.celle if c]) for r in prospetto.righe) == numero + 29
    with django_assert_max_num_queries(12):
        response = client.get(reverse("fondi:assegnazione_list"))
    assert response.context["paginator"].count == numero + 29


def _ambiti_con_fondi(numero):
    """`numero` Ambiti of one region (Umbria), each with three lines over two years."""
    linee = [linea(codice) for codice in ("FNPS", "FNA-B2", "FSR")]
    ambiti = [AmbitoFactory(regione="Umbria", nome=f"Ambito umbro {i}") for i in range(numero)]
    for i, ambito in enumerate(ambiti):
        for j, riga in enumerate(linee):
            for anno in (2023, 2024):
                importo = Decimal(1000 * (i + 1) + 100 * j + 7 * (anno - 2023)) + Decimal("0.25")
                AssegnazioneFactory(ambito=ambito, linea=riga, anno=anno, importo=importo)
    return ambiti


def _per_ambito(response):
    return list(response.context["page_obj"].object_list)


@pytest.mark.parametrize("numero", [2, 5])
def test_fondi_page_of_many_ambiti_shows_each_ambito_totals_in_bounded_queries(
    db, client, django_assert_max_num_queries, numero
):
    from fondi import selectors

    ambiti = _ambiti_con_fondi(numero)
    regione = user_with_role(Ruolo.REGIONE, ambiti[0], username="regione.umbria")
    client.force_login(regione)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("fondi:index"))
    righe = _per_ambito(response)
    assert [r["ambito_nome"] for r in righe] == [a.nome for a in ambiti]
    assert "prospetti" not in response.context  # no line-by-line table of every Ambito
    html = response.content.decode()
    for riga in righe:
        # Each figure equals the Ambito's own table, and links down to it.
        [prospetto] = selectors.fondi_prospetto(
            fetched_by=regione, assegnazioni=Assegnazione.objects.filter(ambito=riga["ambito"])
        )
        assert riga["valori"] == prospetto.colonne_totali
        assert riga["totale"] == sum(prospetto.totali.values())
        assert riga["variazione"] == prospetto.variazione_totale
        # The short name in the column headed "Ambito", the full one in its title.
        breve = riga["ambito_nome"].removeprefix("Ambito ")
        assert f'href="?ambito={riga["ambito"]}" title="{riga["ambito_nome"]}">{breve}</a>' in html
    tutti = sum(r["totale"] for r in righe)
    assert tutti == Assegnazione.objects.filter(ambito__in=ambiti).aggregate(t=Sum("importo"))["t"]
    assert "Totale di tutti gli Ambiti" in html and euro(tutti) in html

    # Down to one Ambito: its own table, as its Ufficio di Piano sees it.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("fondi:index"), {"ambito": ambiti[1].pk})
    [prospetto] = response.context["prospetti"]
    assert prospetto.ambito == ambiti[1] and response.context.get("page_obj") is None
    assert "Totale calcolato" in response.content.decode()  # not "of the filtered rows"


def test_fondi_page_of_many_ambiti_sorts_pages_and_filters(db, client, monkeypatch):
    from fondi.views import FondiIndexView

    ambiti = _ambiti_con_fondi(5)
    client.force_login(user_with_role(Ruolo.REGIONE, ambiti[0], username="regione.umbria"))
    url = reverse("fondi:index")
    righe = _per_ambito(client.get(url, {"ordina": "-totale"}))
    assert [r["ambito_nome"] for r in righe] == [a.nome for a in reversed(ambiti)]
    righe = _per_ambito(client.get(url, {"ordina": "anno_2024"}))
    assert [r["ambito_nome"] for r in righe] == [a.nome for a in ambiti]
    # An unknown column sorts by name, as when none is asked.
    righe = _per_ambito(client.get(url, {"ordina": "importo; drop table"}))
    assert [r["ambito_nome"] for r in righe] == [a.nome for a in ambiti]
    # With one year there is no change to sort by: by name again.
    righe = _per_ambito(client.get(url, {"ordina": "-variazione", "anno": 2024}))
    assert [r["ambito_nome"] for r in righe] == [a.nome for a in ambiti]

    monkeypatch.setattr(FondiIndexView, "paginate_by", 2)
    response = client.get(url, {"ordina": "-totale", "page": 2})
    assert [r["ambito_nome"] for r in _per_ambito(response)] == [ambiti[2].nome, ambiti[1].nome]
    assert response.context["paginator"].count == 5
    assert "Pagina 2 di 3" in response.content.decode()

    # A filter sums only its rows, and the links down keep it.
    response = client.get(url, {"anno": 2024})
    [riga, *_] = _per_ambito(response)
    assert riga["valori"] == [Decimal("1007.25") + Decimal("1107.25") + Decimal("1207.25")]
    html = response.content.decode()
    assert f'href="?anno=2024&amp;ambito={riga["ambito"]}"' in html
    assert "Totale delle righe filtrate" in html


def test_superuser_sees_every_ambito_totals(client, visconteo):
    from django.contrib.auth import get_user_model

    ambiti = _ambiti_con_fondi(2)
    client.force_login(get_user_model().objects.create_superuser("admin.fondi", password="x"))
    response = client.get(reverse("fondi:index"))
    righe = _per_ambito(response)
    assert {r["ambito"] for r in righe} == {visconteo.pk, *(a.pk for a in ambiti)}
    [riga] = [r for r in righe if r["ambito"] == visconteo.pk]
    anni = response.context["tabella"].anni
    assert anni == [2022, 2023, 2024]
    assert riga["valori"] == [Decimal("5111878.00"), Decimal("5544651.00"), None]
    assert "Variazione 2024 su 2023" in response.content.decode()


@pytest.mark.parametrize("numero", [5, 200])
def test_project_sheet_query_count_is_bounded(
    as_user, ufficio_piano, progetto_pnrr, django_assert_max_num_queries, numero
):
    from .factories import AvanzamentoFactory

    for giorno in range(numero):
        AvanzamentoFactory(
            progetto=progetto_pnrr, data=datetime.date(2024, 1, 1) + datetime.timedelta(giorno)
        )
    client = as_user(ufficio_piano)
    # The sheet, its funding, acts, warnings and partner bodies: none grows with the rows.
    with django_assert_max_num_queries(14):
        response = client.get(reverse("fondi:progetto_detail", args=[progetto_pnrr.pk]))
    assert len(response.context["avanzamenti"]) == numero


def test_sources_page_shows_the_tree(as_user, operatore_rozzano):
    html = as_user(operatore_rozzano).get(reverse("fondi:fonte_list")).content.decode()
    assert "PNRR-M5C2-1.3.2" in html and "profondita-2" in html and "FNA-PROVI" in html

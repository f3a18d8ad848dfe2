"""Statistical tables of the context analysis: the upload (parser and service), the
four kinds of check on small tables, and the real chapter of the Piano."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from servizi import services
from servizi.controlli import controlli_tabelle
from servizi.models import (
    Affermazione,
    DatoStampatoTabella,
    MisuraTabella,
    Tabella,
    ValoreTabella,
)
from servizi.tabelle import leggi_csv, numero_italiano


def _tabella(ambito, codice="Tab. P", **misure):
    tabella = Tabella.objects.create(ambito=ambito, codice=codice, titolo="Prova")
    for ordine, (codice_misura, spec) in enumerate(misure.items()):
        unita, *parte = spec
        MisuraTabella.objects.create(
            tabella=tabella,
            codice=codice_misura,
            nome=codice_misura,
            unita=unita,
            ordine=ordine,
            parte_di=parte[0] if parte else None,
            decimali=0 if unita == "conteggio" else 1,
        )
    return tabella


def _valore(tabella, misura, valore, comune=None, anno=2023, categoria=""):
    return ValoreTabella.objects.create(
        misura=tabella.misure.get(codice=misura),
        territorio="comune" if comune else "ambito",
        comune=comune,
        anno=anno,
        categoria=categoria,
        valore=Decimal(str(valore)),
    )


def _stampato(tabella, tipo, misura, valore, decimali=0, **extra):
    return DatoStampatoTabella.objects.create(
        tabella=tabella,
        etichetta=f"{tipo} {valore}",
        tipo=tipo,
        misura=misura,
        anno=2023,
        valore=Decimal(str(valore)),
        decimali=decimali,
        **extra,
    )


def _flag(sistema, ambito, tipo):
    return [
        v
        for v in controlli_tabelle(fetched_by=sistema, ambito=ambito)
        if v.tipo == tipo and v.esito == "differisce"
    ]


# --- Parser and upload service ------------------------------------------------------------


def test_italian_numbers():
    assert numero_italiano("124.835") == 124835
    assert numero_italiano("21,5") == Decimal("21.5")
    assert numero_italiano("7.0") == Decimal("7.0")
    assert numero_italiano("1.234,5") == Decimal("1234.5")


def test_csv_rows_with_errors_save_nothing(altro_ambito, due_comuni):
    lodi, _ = due_comuni
    tabella = _tabella(altro_ambito, popolazione=("conteggio",))
    righe, errori_file = leggi_csv(
        "misura;comune;anno;valore\n"
        "popolazione;Lodi;2023;45.000\n"
        "popolazione;Milano;2023;10\n"
        "abitanti;Lodi;2023;5\n"
        "popolazione;Lodi;20x;5\n"
        "popolazione;Lodi;2022;-3\n"
    )
    assert errori_file == []
    esito = services.tabella_valori_importa(tabella=tabella, righe=righe, conferma=True)
    assert [n for n, _ in esito.errori] == [3, 4, 5, 6]
    messaggi = " ".join(e for _, e in esito.errori)
    assert "Comune «Milano» non appartiene all'Ambito." in messaggi
    assert "Misura «abitanti» sconosciuta" in messaggi
    assert "Anno «20x» non valido." in messaggi
    assert "Un conteggio non può essere negativo." in messaggi
    assert not ValoreTabella.objects.filter(misura__tabella=tabella).exists()


def test_csv_dry_run_then_confirm(altro_ambito, due_comuni):
    lodi, codogno = due_comuni
    tabella = _tabella(altro_ambito, popolazione=("conteggio",))
    testo = (
        "misura,comune,anno,valore\npopolazione,Lodi,2023,45000\npopolazione,Codogno,2023,15000\n"
    )
    righe, _ = leggi_csv(testo)
    anteprima = services.tabella_valori_importa(tabella=tabella, righe=righe)
    assert (anteprima.nuove, anteprima.applicato) == (2, False)
    assert not ValoreTabella.objects.filter(misura__tabella=tabella).exists()
    esito = services.tabella_valori_importa(tabella=tabella, righe=righe, conferma=True)
    assert (esito.nuove, esito.applicato) == (2, True)
    again = services.tabella_valori_importa(tabella=tabella, righe=righe, conferma=True)
    assert (again.nuove, again.aggiornate, again.invariate) == (0, 0, 2)


def test_upload_pages_preview_and_confirm(as_user, ufficio_piano, visconteo):
    client = as_user(ufficio_piano)
    response = client.post(
        reverse("servizi:tabella_create"),
        {
            "ambito": visconteo.pk,
            "codice": "Tab. 99",
            "titolo": "Nati vivi",
            "misure": "nati; Nati vivi; conteggio; 0",
        },
    )
    tabella = Tabella.objects.get(ambito=visconteo, codice="Tab. 99")
    url = reverse("servizi:tabella_importa", args=[tabella.pk])
    assert response["Location"] == url
    csv = "misura;comune;anno;valore\nnati;Rozzano;2024;260\nnati;Binasco;2024;42\n"
    response = client.post(url, {"file": SimpleUploadedFile("nati.csv", csv.encode())})
    assert "Anteprima: 2 valori nuovi" in response.content.decode()
    assert not ValoreTabella.objects.filter(misura__tabella=tabella).exists()
    response = client.post(url, {"contenuto": csv, "conferma": "1"})
    assert response.status_code == 302
    assert ValoreTabella.objects.filter(misura__tabella=tabella).count() == 2
    pagina = client.get(reverse("servizi:tabella_detail", args=[tabella.pk])).content.decode()
    assert "260" in pagina and "Binasco" in pagina


def test_table_form_explains_bad_measures(as_user, ufficio_piano, visconteo):
    response = as_user(ufficio_piano).post(
        reverse("servizi:tabella_create"),
        {"ambito": visconteo.pk, "codice": "Tab. 98", "titolo": "X", "misure": "a; b; litri; 0"},
    )
    assert response.status_code == 200
    assert "Riga 1: unità «litri» non valida." in response.content.decode()
    assert not Tabella.objects.filter(codice="Tab. 98").exists()


# --- Each kind of check: fires / does not fire -----------------------------------------------


@pytest.mark.parametrize("stampato, scatta", [(31, True), (30, False)])
def test_printed_total_not_the_sum(sistema, altro_ambito, due_comuni, stampato, scatta):
    lodi, codogno = due_comuni
    t = _tabella(altro_ambito, n=("conteggio",))
    _valore(t, "n", 10, lodi), _valore(t, "n", 20, codogno)
    _stampato(t, "totale", t.misure.get(), stampato)
    flags = _flag(sistema, altro_ambito, "stampato")
    assert [(f.stampato, f.calcolato) for f in flags] == ([(31, 30)] if scatta else [])


@pytest.mark.parametrize(
    "stampato, scatta, nota",
    [
        ("17.5", False, "È la media ponderata sulla popolazione."),
        ("15", False, "È la media semplice dei Comuni."),
        ("16", True, "Nessuna media la dà: media semplice dei Comuni 15,00, media ponderata"),
    ],
)
def test_printed_average_simple_or_weighted(
    sistema, altro_ambito, due_comuni, stampato, scatta, nota
):
    lodi, codogno = due_comuni
    pop = _tabella(altro_ambito, "Tab. A", pop=("conteggio",))
    _valore(pop, "pop", 100, lodi), _valore(pop, "pop", 300, codogno)
    t = _tabella(altro_ambito, "Tab. B", tasso=("per_mille",))
    _valore(t, "tasso", 10, lodi), _valore(t, "tasso", 20, codogno)
    _stampato(t, "media", t.misure.get(), stampato, 1, denominatore=pop.misure.get())
    [verifica] = [
        v
        for v in controlli_tabelle(fetched_by=sistema, ambito=altro_ambito)
        if v.tipo == "stampato"
    ]
    assert (verifica.esito == "differisce") is scatta
    assert verifica.nota.startswith(nota)


@pytest.mark.parametrize("stampato, scatta", [("12.5", True), ("10", False)])
def test_two_tables_disagree(sistema, altro_ambito, due_comuni, stampato, scatta):
    lodi, _ = due_comuni
    pop = _tabella(altro_ambito, "Tab. A", pop=("conteggio",))
    _valore(pop, "pop", 200, lodi)
    t = _tabella(altro_ambito, "Tab. B", stranieri=("conteggio",))
    _valore(t, "stranieri", 20, lodi)
    _stampato(
        t, "percentuale", t.misure.get(), stampato, 1, denominatore=pop.misure.get(), comune=lodi
    )
    flags = _flag(sistema, altro_ambito, "discordanza")
    assert [(f.stampato_testo, f.calcolato_testo) for f in flags] == (
        [("12,5", "10,00")] if scatta else []
    )
    assert not _flag(sistema, altro_ambito, "stampato")


@pytest.mark.parametrize("minori, scatta", [(250, True), (150, False)])
def test_part_larger_than_whole(sistema, altro_ambito, due_comuni, minori, scatta):
    lodi, _ = due_comuni
    t = _tabella(altro_ambito, pop=("conteggio",))
    MisuraTabella.objects.create(
        tabella=t, codice="minori", nome="Minori", parte_di=t.misure.get(codice="pop")
    )
    _valore(t, "pop", 200, lodi), _valore(t, "minori", minori, lodi)
    flags = _flag(sistema, altro_ambito, "parte")
    assert [(f.stampato, f.calcolato) for f in flags] == ([(minori, 200)] if scatta else [])


def test_printed_subgroup_above_its_whole(sistema, altro_ambito, due_comuni):
    t = _tabella(altro_ambito, pop=("conteggio",))
    _valore(t, "pop", 60, categoria="0-64"), _valore(t, "pop", 40, categoria="65+")
    _stampato(t, "totale", t.misure.get(), 40, categorie="65+")  # agrees
    _stampato(t, "totale", t.misure.get(), 400, categorie="65+")  # above the 100 residents
    flags = _flag(sistema, altro_ambito, "parte")
    assert [(f.stampato, f.calcolato) for f in flags] == [(400, 100)]


@pytest.mark.parametrize("valore, scatta", [("104.5", True), ("99.5", False)])
def test_percentage_over_100(sistema, altro_ambito, due_comuni, valore, scatta):
    lodi, _ = due_comuni
    t = _tabella(altro_ambito, quota=("percentuale",))
    _valore(t, "quota", valore, lodi)
    flags = _flag(sistema, altro_ambito, "unita")
    assert [(f.stampato_testo, f.calcolato_testo) for f in flags] == (
        [("104,5", "100,0")] if scatta else []
    )


@pytest.mark.parametrize("media, scatta", [("21", True), ("15", False)])
def test_average_outside_the_range_of_its_comuni(sistema, altro_ambito, due_comuni, media, scatta):
    lodi, codogno = due_comuni
    t = _tabella(altro_ambito, tasso=("per_mille",))
    _valore(t, "tasso", 10, lodi), _valore(t, "tasso", 20, codogno)
    _stampato(t, "media", t.misure.get(), media, 1)
    flags = _flag(sistema, altro_ambito, "unita")
    assert [(f.stampato_testo, f.calcolato_testo) for f in flags] == (
        [("21,0", "20,0")] if scatta else []
    )


# --- Claims: fire / do not fire -------------------------------------------------------------


def _affermazione(tabella, tipo, **extra):
    return Affermazione.objects.create(
        tabella=tabella, testo=f"{tipo} {extra}", tipo=tipo, misura=tabella.misure.first(), **extra
    )


@pytest.mark.parametrize("dopo, scatta", [(90, True), (110, False)])
def test_claim_grows_in_every_comune(sistema, altro_ambito, due_comuni, dopo, scatta):
    lodi, codogno = due_comuni
    t = _tabella(altro_ambito, pop=("conteggio",))
    _valore(t, "pop", 100, lodi, 2021), _valore(t, "pop", dopo, lodi, 2023)
    _valore(t, "pop", 100, codogno, 2021), _valore(t, "pop", 120, codogno, 2023)
    _affermazione(t, "aumento", soggetti="tutti", anno_base=2021, anno=2023)
    flags = _flag(sistema, altro_ambito, "affermazione")
    assert [(f.stampato, f.calcolato) for f in flags] == ([(100, 90)] if scatta else [])
    if scatta:
        assert "Lodi: 100 → 90" in flags[0].nota


@pytest.mark.parametrize("codogno, scatta", [(30, True), (10, False)])
def test_claim_highest_comune(sistema, altro_ambito, due_comuni, codogno, scatta):
    lodi, comune_b = due_comuni
    t = _tabella(altro_ambito, quota=("percentuale",))
    _valore(t, "quota", 20, lodi), _valore(t, "quota", codogno, comune_b)
    _affermazione(t, "massimo", soggetti="Lodi", anno=2023)
    flags = _flag(sistema, altro_ambito, "affermazione")
    assert [(f.stampato_testo, f.calcolato_testo) for f in flags] == (
        [("20,0", "30,0")] if scatta else []
    )


@pytest.mark.parametrize("detto, scatta", [("15", True), ("10", False)])
def test_claim_value(sistema, altro_ambito, due_comuni, detto, scatta):
    lodi, _ = due_comuni
    t = _tabella(altro_ambito, pop=("conteggio",))
    _valore(t, "pop", 200, lodi)
    MisuraTabella.objects.create(tabella=t, codice="minori", nome="Minori")
    _valore(t, "minori", 20, lodi)
    Affermazione.objects.create(
        tabella=t,
        testo="I minori sono il N%",
        tipo="valore",
        misura=t.misure.get(codice="minori"),
        denominatore=t.misure.get(codice="pop"),
        anno=2023,
        valore=Decimal(detto),
    )
    flags = _flag(sistema, altro_ambito, "affermazione")
    assert [(f.stampato_testo, f.calcolato_testo) for f in flags] == (
        [("15", "10,0")] if scatta else []
    )


# --- The real chapter of the Piano ----------------------------------------------------------

# Counted by hand from the Piano's tables (see the comments): flags per kind.
ATTESI = {
    # Tab. 6: 20,7% in 2022, where the simple mean of the Comuni is 20,46 and the
    # population-weighted one 20,64 (1); Tab. 9, 10, 11, 12: every printed MEDIA is
    # neither the simple nor the weighted mean of the Comuni (4 + 4 + 4 + 4); Tab. 20:
    # the over-65 share of 2021 printed 45% where 4.876 / 9.869 = 49,4% (the other five
    # years and the six minors' shares round to the printed ones) (1).
    "stampato": 18,
    # Tab. 5: the elderly counted 175.094 / 180.012 / 179.188 while Tab. 3's classes over
    # 65 add to 26.480 / 26.763 / 27.162 (3); Tab. 8: the 2022 share of foreigners of
    # each of the 11 Comuni against Tab. 2's residents (11) and of the Ambito,
    # 10,4% against 12.566 / 124.425 = 10,10% (1).
    "discordanza": 15,
    # Tab. 5: the same elderly counts are above the whole population (3).
    "parte": 3,
    # Tab. 11: MEDIA 2019 8,6 is above the highest Comune (Rozzano, 8,4) (1).
    "unita": 1,
    # Sentences of the chapter the tables contradict (13): Tab. 2 "decreased in Basiglio,
    # ..." (Basiglio 7.933 -> 7.980) and "increased in Binasco, ..." (Binasco 7.199 ->
    # 7.095, Pieve Emanuele 15.699 -> 15.697); Tab. 5 "179.188 anziani" (Tab. 3: 27.162)
    # and "Binasco has the highest share" (Opera in 2021 and 2022); Tab. 6 "20%" (20,9);
    # Tab. 7 "families grew in every Comune" (Basiglio 3.427 -> 3.425, ...) and "average
    # members unchanged" (Casarile 2,4 -> 2,3); Tab. 8 "14% of the minors" (3.294 /
    # 22.075 = 14,9); Tab. 9 "6,4 in 2024" (mean 6,16) and "7 in 2021" (6,2); Tab. 10
    # "180 on average in 2024" (168,1); Tab. 12 "35,5" (33,43) and "rising in every
    # Comune" (Opera 43,5 -> 43,4, Rozzano unchanged); Tab. 20 "circa il 50% over 65"
    # (5.586 / 11.802 = 47,3% in 2023); Tab. 21 "circa il 9% ADI" (993 / 11.802 = 8,4%).
    # Hold: Tab. 17 "75-79 the most hit class" (1.557, then 85+ 1.450) and "more women"
    # (7.623 / 7.346); Tab. 19 the three main hospitals; Tab. 20 "rising" (6.593 ->
    # 11.802); Tab. 21 "circa il 2%" B1/B2 (292 / 11.802 = 2,47%). Tab. 21's 18 printed
    # shares all round to the rows over Tab. 20's totals (no disagreement).
    "affermazione": 15,
}

# (table, label, kind, printed, computed), as the page and the PDF write them.
ESEMPI = [
    ("Tab. 5", "Anziani (>65 anni) 2021", "discordanza", "175.094", "26.480"),
    ("Tab. 5", "Anziani (>65 anni) 2021", "parte", "175.094", "124.835"),
    ("Tab. 6", "% giovani sul totale della popolazione 2022", "stampato", "20,7", "20,46"),
    ("Tab. 8", "% stranieri su pop. Basiglio 2022", "discordanza", "10,8", "10,92"),
    ("Tab. 8", "% stranieri su pop. Rozzano 2022", "discordanza", "12,2", "11,75"),
    ("Tab. 8", "Totale % stranieri su pop. 2022", "discordanza", "10,4", "10,10"),
    ("Tab. 9", "MEDIA 2021", "stampato", "7,0", "6,20"),
    ("Tab. 11", "MEDIA 2019", "unita", "8,6", "8,4"),
    ("Tab. 2", "Nei Comuni di Basiglio, Casarile", "affermazione", "7.933", "7.980"),
    ("Tab. 5", "il Comune con la percentuale più alta", "affermazione", "25,5", "26,1"),
    ("Tab. 8", "e il 14% sul totale", "affermazione", "14", "14,9"),
    ("Tab. 20", "% over 65 sul totale 2021", "stampato", "45", "49,4"),
    ("Tab. 20", "e circa il 50% è rappresentato da over 65", "affermazione", "50", "47,3"),
    ("Tab. 21", "Circa il 9% accede alla misura", "affermazione", "9", "8,4"),
]


def test_chapter_flags_per_kind(sistema, visconteo):
    flags = [
        v
        for v in controlli_tabelle(fetched_by=sistema, ambito=visconteo)
        if v.esito == "differisce"
    ]
    conteggi = {tipo: sum(1 for f in flags if f.tipo == tipo) for tipo in ATTESI}
    assert conteggi == ATTESI
    # Every printed figure of the chapter is checked once (a check of its own table
    # or of another), plus the extra flags: 140 in Tab. 1-19, 12 in Tab. 20, 18 in Tab. 21.
    assert DatoStampatoTabella.objects.filter(tabella__ambito=visconteo).count() == 170


def _righe_pagina(html):
    """The rows of the "Dati da controllare" table: (section, text, kind, printed, computed)."""
    tabella = html.split("Dati da controllare", 1)[1].split("</table>", 1)[0]
    righe = []
    for tr in re.findall(r"<tr>(.*?)</tr>", tabella, re.S):
        celle = [
            re.sub(r"<[^>]+>", " ", c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, re.S)
        ]
        celle = [" ".join(unescape(c).split()) for c in celle]
        if len(celle) == 7:
            righe.append(celle)
    return righe


def test_verification_page_shows_both_numbers_and_counts(as_user, revisore):
    html = as_user(revisore).get(reverse("servizi:verifica")).content.decode()
    righe = [r for r in _righe_pagina(html) if r[0].startswith("Tab.")]
    tipi = {
        "Dato stampato non ricavabile dalle righe": "stampato",
        "Tabelle in disaccordo": "discordanza",
        "Parte maggiore del tutto": "parte",
        "Valore impossibile per l'unità": "unita",
        "Affermazione del testo smentita dai dati": "affermazione",
    }
    conteggi = {t: sum(1 for r in righe if tipi[r[2]] == t) for t in ATTESI}
    assert conteggi == ATTESI
    for tabella, etichetta, tipo, stampato, calcolato in ESEMPI:
        assert any(
            r[0] == tabella
            and r[1].startswith(etichetta)
            and tipi[r[2]] == tipo
            and (r[3], r[4]) == (stampato, calcolato)
            for r in righe
        ), (tabella, etichetta, tipo)


def test_table_page_keeps_the_printed_value_and_flags_it(as_user, revisore, visconteo):
    tabella = Tabella.objects.get(ambito=visconteo, codice="Tab. 8")
    html = as_user(revisore).get(reverse("servizi:tabella_detail", args=[tabella.pk]))
    testo = " ".join(unescape(re.sub(r"<[^>]+>", " ", html.content.decode())).split())
    assert "% stranieri su pop. Rozzano 2022" in testo
    assert "12,2 11,75 -0,45 Differisce" in testo.replace("−", "-")
    assert "5.062" in testo  # the rows: Rozzano's foreigners in 2023


def test_loading_twice_changes_nothing(visconteo):
    def stato():
        return (
            Tabella.history.count(),
            MisuraTabella.objects.count(),
            sorted(ValoreTabella.objects.values_list("pk", "valore")),
            sorted(DatoStampatoTabella.objects.values_list("pk", "valore")),
        )

    prima = stato()
    call_command("carica_dati", stdout=open("/dev/null", "w"))
    assert stato() == prima


def test_pages_bounded_queries(as_user, revisore, visconteo, django_assert_max_num_queries):
    client = as_user(revisore)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("servizi:tabella_list")).status_code == 200
    tabella = Tabella.objects.get(ambito=visconteo, codice="Tab. 8")
    with django_assert_max_num_queries(20):
        assert client.get(reverse("servizi:tabella_detail", args=[tabella.pk])).status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(reverse("servizi:verifica")).status_code == 200


# --- The context chapter written from the data ---------------------------------------------


def _testo(response):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_context_chapter_sentences_follow_the_tables(as_user, revisore):
    testo = _testo(
        as_user(revisore).get(reverse("servizi:capitolo_contesto"), {"dal": 2021, "al": 2023})
    )
    # Tab. 2: 124.835 -> 124.421 (-0,33%); six Comuni grow, five shrink; Rozzano the
    # largest and Vernate the smallest in 2023 (figures of the Piano, checked by hand).
    assert (
        "Dal 2021 al 2023 il dato «Popolazione residente» dell'Ambito resta sostanzialmente "
        "invariato: da 124.835 a 124.421 (-0,3%)."
    ) in testo
    assert (
        "Aumenta in 6 Comuni su 11 (Basiglio, Lacchiarella, Locate di Triulzi, Noviglio, "
        "Opera, Vernate)."
    ) in testo
    assert (
        "Diminuisce in 5 Comuni su 11 (Binasco, Casarile, Pieve Emanuele, Rozzano, "
        "Zibido San Giacomo)."
    ) in testo
    assert (
        "Nel 2023 il valore più alto è di Rozzano (41.370), il più basso di Vernate (3.358)."
    ) in testo
    # Tab. 7: families 54.382 -> 54.691 (+0,57%) against Lombardia 4.492.423 -> 4.531.560
    # (+0,87%).
    assert "da 54.382 a 54.691 (+0,6%)" in testo
    assert (
        "In Lombardia lo stesso dato varia del +0,9%, nell'Ambito del +0,6%: una variazione "
        "inferiore a quella lombarda."
    ) in testo
    # Tab. 13 (2021-2022): +14,3% starts, the Piano's "+14%".
    assert "da 19.591 a 22.393 (+14,3%)" in testo


def test_context_chapter_rejects_reversed_years(as_user, revisore):
    testo = _testo(
        as_user(revisore).get(reverse("servizi:capitolo_contesto"), {"dal": 2023, "al": 2021})
    )
    assert "L'anno iniziale viene dopo quello finale." in testo
    assert "Popolazione residente" not in testo


def test_context_chapter_bounded_queries(as_user, revisore, django_assert_max_num_queries):
    client = as_user(revisore)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("servizi:capitolo_contesto")).status_code == 200


def test_upload_page_accepts_an_xlsx_through_the_shared_reader(as_user, ufficio_piano, visconteo):
    import io

    from openpyxl import Workbook

    tabella = _tabella(visconteo, codice="Tab. 97", nati=("conteggio",), quota=("percentuale",))
    libro = Workbook()
    foglio = libro.active
    foglio.append(["Misura", "Comune", "Anno", "Valore"])
    foglio.append(["nati", "Rozzano", 2024, 124835])  # a number, not "124.835" as text
    foglio.append(["quota", "Rozzano", "2024", "21,5"])  # text in Italian format
    out = io.BytesIO()
    libro.save(out)
    client = as_user(ufficio_piano)
    url = reverse("servizi:tabella_importa", args=[tabella.pk])
    response = client.post(url, {"file": SimpleUploadedFile("nati.xlsx", out.getvalue())})
    assert "Anteprima: 2 valori nuovi" in response.content.decode()
    contenuto = response.context["conferma_form"].initial["contenuto"]
    response = client.post(url, {"contenuto": contenuto, "conferma": "1"})
    assert response.status_code == 302
    valori = dict(
        ValoreTabella.objects.filter(misura__tabella=tabella).values_list(
            "misura__codice", "valore"
        )
    )
    assert valori == {"nati": Decimal(124835), "quota": Decimal("21.5")}


def test_upload_page_refuses_a_renamed_csv_with_a_message(as_user, ufficio_piano, visconteo):
    tabella = _tabella(visconteo, codice="Tab. 96", nati=("conteggio",))
    url = reverse("servizi:tabella_importa", args=[tabella.pk])
    response = as_user(ufficio_piano).post(
        url, {"file": SimpleUploadedFile("nati.xlsx", b"misura;valore\nnati;3\n")}
    )
    assert response.status_code == 200
    assert "non è un vero .xlsx" in response.content.decode()
    assert not ValoreTabella.objects.filter(misura__tabella=tabella).exists()

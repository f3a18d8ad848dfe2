"""The context chapter written from the data: the Ambito's figures (sums, population-
weighted means), tables without Comuni, every sentence held against the rows it speaks
of, and the chapter as its own PDF."""

from collections import defaultdict
from decimal import Decimal

from django.urls import reverse

from ambito.models import ReportGenerato
from ambito.templatetags.zonale import numero
from servizi.capitolo import COMUNI, capitolo_contesto, variazione
from servizi.models import ValoreTabella
from tests.indicatori.test_reports import pdf_text
from tests.servizi.test_tabelle import _tabella, _valore


def _misura(capitolo, codice_tabella, codice_misura):
    return next(
        m
        for m in capitolo
        if m.tabella.codice == codice_tabella and m.misura.codice == codice_misura
    )


def test_ambito_rate_is_weighted_by_population(sistema, altro_ambito, due_comuni):
    lodi, codogno = due_comuni
    pop = _tabella(altro_ambito, "Tab. A", popolazione=("conteggio",))
    tasso = _tabella(altro_ambito, "Tab. B", natalita=("per_mille",))
    for anno, (p_lodi, p_codogno) in {2022: (1000, 9000), 2023: (1000, 9000)}.items():
        _valore(pop, "popolazione", p_lodi, lodi, anno)
        _valore(pop, "popolazione", p_codogno, codogno, anno)
    _valore(tasso, "natalita", 10, lodi, 2022), _valore(tasso, "natalita", 20, codogno, 2022)
    _valore(tasso, "natalita", 30, lodi, 2023), _valore(tasso, "natalita", 20, codogno, 2023)
    m = _misura(capitolo_contesto(fetched_by=sistema, ambito=altro_ambito), "Tab. B", "natalita")
    # (10 * 1.000 + 20 * 9.000) / 10.000 = 19, not the simple mean 15; 2023: 21, not 25.
    assert m.ambito == [Decimal(19), Decimal(21)]
    assert m.pesi.codice == "popolazione"
    assert str(m.frasi[0]) == (
        "Dal 2022 al 2023 il dato «natalita» dell'Ambito cresce: da 19,00 a 21,00 (+10,5%)."
    )


def test_ambito_only_table_has_sentences_and_the_region(sistema, altro_ambito):
    t = _tabella(altro_ambito, "Tab. R", ricoveri=("conteggio",))
    misura = t.misure.get()
    for anno, ambito, lombardia in ((2020, 100, 1000), (2023, 150, 1200)):
        _valore(t, "ricoveri", ambito, anno=anno)
        ValoreTabella.objects.create(
            misura=misura, territorio="lombardia", anno=anno, valore=lombardia
        )
    m = _misura(capitolo_contesto(fetched_by=sistema, ambito=altro_ambito), "Tab. R", "ricoveri")
    assert m.righe == [] and m.ambito == [100, 150]
    assert [str(f) for f in m.frasi] == [
        "Dal 2020 al 2023 il dato «ricoveri» dell'Ambito cresce: da 100 a 150 (+50,0%).",
        "In Lombardia lo stesso dato varia del +20,0%, nell'Ambito del +50,0%: una "
        "variazione superiore a quella lombarda.",
    ]


# --- The real chapter: no sentence contradicts its table -----------------------------------


def _righe_dal_database(ambito):
    """The rows straight from the table, independently of the generator:
    {(table, measure): {"comuni": {name: {year: v}}, "ambito": {...}, "lombardia": {...}}}."""
    dati = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
    for v in ValoreTabella.objects.filter(misura__tabella__ambito=ambito).select_related(
        "misura__tabella", "comune"
    ):
        chiave = (v.misura.tabella.codice, v.misura.codice)
        if v.territorio == "comune":
            nome = f"{v.comune.nome} ({v.categoria})" if v.categoria else v.comune.nome
            dati[chiave]["comuni"][nome][v.anno] = v.valore
        elif v.territorio == "lombardia" and not v.categoria:
            dati[chiave]["lombardia"][""][v.anno] = v.valore
        elif v.categoria:
            dati[chiave]["categorie"][v.categoria][v.anno] = v.valore
        else:
            dati[chiave]["ambito"][""][v.anno] = v.valore
    return dati


def _aggregato(dati, m, anno):
    """The Ambito's figure recomputed: the sum of a count; the mean of a rate weighted by
    the measure the generator names (its weights' year as the generator reports it)."""
    chiave = (m.tabella.codice, m.misura.codice)
    if m.tipo_righe != COMUNI:
        return None
    valori = {c: anni[anno] for c, anni in dati[chiave]["comuni"].items() if anno in anni}
    if m.misura.unita == "conteggio":
        return sum(valori.values())
    pesi = dati[(m.pesi.tabella.codice, m.pesi.codice)]["comuni"]
    anno_pesi = m.anni_pesi[anno]
    return sum(v * pesi[c][anno_pesi] for c, v in valori.items()) / sum(
        pesi[c][anno_pesi] for c in valori
    )


def test_no_sentence_contradicts_its_table(sistema, visconteo):
    dati = _righe_dal_database(visconteo)
    capitolo = capitolo_contesto(fetched_by=sistema, ambito=visconteo)
    controllate = defaultdict(int)
    for m in capitolo:
        chiave = (m.tabella.codice, m.misura.codice)
        tipo_righe = {COMUNI: "comuni", "categorie": "categorie", "ambito": "ambito"}[m.tipo_righe]
        righe = dati[chiave][tipo_righe]
        # The table shows the rows as they are.
        if m.righe:
            assert {n: dict(zip(m.anni, v, strict=True)) for n, v in m.righe} == {
                n: {a: anni.get(a) for a in m.anni} for n, anni in righe.items()
            }
        for f in m.frasi:
            testo = str(f)
            primo, ultimo = m.anni[0], m.anni[-1]
            if f.tipo == "andamento":
                if m.tipo_righe == "ambito":
                    prima, dopo = righe[""][primo], righe[""][ultimo]
                elif m.tipo_righe == COMUNI:
                    prima, dopo = _aggregato(dati, m, primo), _aggregato(dati, m, ultimo)
                else:
                    prima = sum(a[primo] for a in righe.values() if primo in a)
                    dopo = sum(a[ultimo] for a in righe.values() if ultimo in a)
                var = (dopo - prima) * 100 / prima
                assert f"da {numero(prima, m.decimali_ambito)} a " in testo
                assert f" a {numero(dopo, m.decimali_ambito)} (" in testo
                verbo = (
                    "resta sostanzialmente invariato"
                    if abs(var) < Decimal("0.5")
                    else "cresce"
                    if var > 0
                    else "diminuisce"
                )
                assert verbo in testo, testo
            elif f.tipo in ("aumenta", "diminuisce"):
                segno = 1 if f.tipo == "aumenta" else -1
                attesi = sorted(
                    n
                    for n, anni in righe.items()
                    if primo in anni and ultimo in anni and (anni[ultimo] - anni[primo]) * segno > 0
                )
                assert sorted(f.dati["soggetti"]) == attesi, testo
                assert f"in {len(attesi)} " in testo or f"per {len(attesi)} " in testo
            elif f.tipo == "estremi":
                ultimi = {n: anni[ultimo] for n, anni in righe.items() if ultimo in anni}
                alto, basso = max(ultimi.values()), min(ultimi.values())
                nome_alto = f.dati["alto"][0]
                nome_basso = f.dati["basso"][0]
                assert ultimi[nome_alto] == alto and ultimi[nome_basso] == basso, testo
                assert f"{nome_alto} ({numero(alto, m.misura.decimali)})" in testo
                assert f"{nome_basso} ({numero(basso, m.misura.decimali)})" in testo
            elif f.tipo == "lombardia":
                lombardia = dati[chiave]["lombardia"][""]
                var_l = variazione(lombardia[primo], lombardia[ultimo])
                assert f"varia del {'+' if var_l > 0 else ''}{numero(var_l, 1)}%" in testo
                confronto = "superiore" if f.dati["ambito"] > var_l else "inferiore"
                assert confronto in testo
            controllate[f.tipo] += 1
    # Every kind of sentence is there and was checked; every table of the chapter too.
    assert set(controllate) == {"andamento", "aumenta", "diminuisce", "estremi", "lombardia"}
    assert {m.tabella.codice for m in capitolo} == {f"Tab. {n}" for n in range(1, 22)}


def test_chapter_includes_tables_without_comuni(sistema, visconteo):
    capitolo = capitolo_contesto(fetched_by=sistema, ambito=visconteo, dal=2018, al=2023)
    disabili = _misura(capitolo, "Tab. 20", "disabili")
    assert disabili.tipo_righe == "ambito" and disabili.ambito[0] == 6593
    assert str(disabili.frasi[0]) == (
        "Dal 2018 al 2023 il dato «Popolazione con disabilità» dell'Ambito cresce: da 6.593 "
        "a 11.802 (+79,0%)."
    )
    ricoveri = _misura(capitolo, "Tab. 18", "ricoveri")
    assert "da 12.245 a 14.969 (+22,2%)" in str(ricoveri.frasi[0])
    # Tab. 5: the share of the elderly weighted by the residents of Tab. 2.
    anziani = _misura(capitolo, "Tab. 5", "quota_anziani")
    assert anziani.pesi.tabella.codice == "Tab. 2"
    assert numero(anziani.ambito[-1], 2) == "21,84"


def test_chapter_pdf_reads_back(as_user, revisore, visconteo):
    client = as_user(revisore)
    page = client.get(reverse("servizi:capitolo_contesto"), {"dal": 2021, "al": 2023})
    assert "Scarica il capitolo in PDF" in page.content.decode()
    response = client.post(reverse("servizi:capitolo_contesto_pdf"), {"dal": 2021, "al": 2023})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    testo = " ".join(pdf_text(response.content).split())
    assert "Capitolo di contesto dai dati" in testo
    assert "da 124.835 a 124.421 (-0,3%)" in testo
    assert "Nel 2023 il valore più alto è di Rozzano (41.370), il più basso di Vernate (3.358)" in (
        testo
    )
    assert "da 21,23 a 21,84 (+2,9%)" in testo  # Tab. 5, weighted by the residents
    assert "da 9.869 a 11.802" in testo  # Tab. 20, 2021-2023
    report = ReportGenerato.objects.get(tipo="capitolo_contesto")
    assert report.ambito == visconteo and report.generato_da == revisore
    assert report.parametri == {"ambito": visconteo.nome, "dal": 2021, "al": 2023}


def test_chapter_pdf_refuses_reversed_years(as_user, revisore):
    response = as_user(revisore).post(
        reverse("servizi:capitolo_contesto_pdf"), {"dal": 2023, "al": 2021}
    )
    assert response.status_code == 404
    assert not ReportGenerato.objects.exists()

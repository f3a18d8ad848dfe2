"""The one chart helper of Zonale: bar charts written as SVG markup.

The same SVG goes into the web pages and into the WeasyPrint PDFs (which run no
JavaScript), so a chart on the dashboard and in the report are the same picture.
Text stays <text>, so screen readers, search and PDF text extraction read the figures.
Output is deterministic. Every chart must be shown next to a table with the same
numbers (accessibility).

The charts are inlined in the pages, whose Content-Security-Policy allows no inline
style (`style-src 'self'` blocks `style` attributes and <style> elements): everything is
drawn with presentation attributes, which draw the same in browsers and in WeasyPrint.
Nothing is measured at run time: text widths come from the advance widths of DejaVu Sans,
the font the charts name first, enough to give long labels their room. A chart costs
about a millisecond (matplotlib took 0,1-0,3 s), so drawn charts are not cached.
"""

import hashlib
import math
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from itertools import repeat

from ambito.templatetags.zonale import numero

# Bootstrap Italia primary blue first, then colours that stay distinct for colour-blind
# readers and in greyscale print.
PALETTE = ["#0066cc", "#f29e00", "#00875a", "#17324d", "#cc334d", "#7a8fa6", "#5c2d91"]

# Verdana has nearly the metrics of DejaVu Sans (both come from Bitstream Vera's design).
FONT = "'DejaVu Sans', Verdana, sans-serif"
INCHIOSTRO = "#17324d"  # bar numbers, reference line, hatching
ASSI = "#5c6f82"
GRIGLIA = "#e3e4e6"

# Sizes in points: the viewBox is the figure's width and height in inches × 72.
CORPO = 9  # tick labels
CORPO_TITOLO = 11
CORPO_PICCOLO = 8  # legend, numbers at the bars' ends
MARGINE = 7  # around the figure
TACCA = 3.5  # tick length
DISTANZA = 3.5  # between a tick and its label
RIGA_LEGENDA = 13
INCLINAZIONE = 30  # degrees of the category labels when there are more than 6

# The advance widths of DejaVu Sans, in thousandths of the font size, of these characters
# (read once from DejaVuSans.ttf with fontTools; 16 numbers a line, 3 lines a string line).
_CARATTERI = (
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\xa0"
    "¡¢£¤¥¦§¨©ª«¬\xad®¯°±²³´µ¶·¸¹º»¼½¾¿ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐ"
    "ÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ–"
    "—…‘’“”€▸•"
)
# fmt: off
_MILLESIMI = (
     318,  401,  460,  838,  636,  950,  780,  275,  390,  390,  500,  838,  318,  361,  318,  337,
     636,  636,  636,  636,  636,  636,  636,  636,  636,  636,  337,  337,  838,  838,  838,  531,
    1000,  684,  686,  698,  770,  632,  575,  775,  752,  295,  295,  656,  557,  863,  748,  787,
     603,  787,  695,  635,  611,  732,  684,  989,  685,  611,  685,  390,  337,  390,  838,  500,
     500,  613,  635,  550,  635,  615,  352,  635,  634,  278,  278,  579,  278,  974,  634,  612,
     635,  635,  411,  521,  392,  634,  592,  818,  592,  592,  525,  636,  337,  636,  838,  318,
     401,  636,  636,  636,  636,  337,  500,  500, 1000,  471,  612,  838,  361, 1000,  500,  500,
     838,  401,  401,  500,  636,  636,  318,  500,  401,  471,  612,  969,  969,  969,  531,  684,
     684,  684,  684,  684,  684,  974,  698,  632,  632,  632,  632,  295,  295,  295,  295,  775,
     748,  787,  787,  787,  787,  787,  838,  787,  732,  732,  732,  732,  611,  605,  630,  613,
     613,  613,  613,  613,  613,  982,  550,  615,  615,  615,  615,  278,  278,  278,  278,  612,
     634,  612,  612,  612,  612,  612,  838,  612,  634,  634,  634,  634,  592,  635,  592,  500,
    1000, 1000,  318,  318,  518,  518,  636,  502,  590,
)
# fmt: on
# Any other character counts as a wide one.
_LARGHEZZE = dict(zip("".join(_CARATTERI), _MILLESIMI, strict=True))
_ALTRO = 700
_GRASSETTO = 1.11  # DejaVu Sans Bold is about 11% wider


def _larghezza(testo: str, corpo: float, grassetto: bool = False) -> float:
    """The estimated width in points of `testo` set in DejaVu Sans at size `corpo`."""
    # map() rather than a generator: a chart measures some thousands of characters.
    millesimi = sum(map(_LARGHEZZE.get, testo, repeat(_ALTRO)))
    return millesimi * corpo / 1000 * (_GRASSETTO if grassetto else 1)


def _accorcia(testo: str, massimo: float) -> str:
    """`testo` cut to at most `massimo` points at the tick labels' size, ending in "…"."""
    if _larghezza(testo, CORPO) <= massimo:
        return testo
    while testo and _larghezza(testo + "…", CORPO) > massimo:
        testo = testo[:-1]
    return testo.rstrip() + "…"


@dataclass
class Grafico:
    """A chart and the table with its numbers (accessibility, CSV)."""

    id: str
    titolo: str
    svg: str
    colonne: list[str]
    righe: list[list]
    csv_url: str = ""
    # The sentence under the chart: what it shows and what it leaves out.
    nota: str = ""


@dataclass(frozen=True)
class Voce:
    """A legend entry drawn by the caller's colours (e.g. one per status)."""

    etichetta: str
    colore: str
    tratteggio: str = ""


def _float(value):
    return float(value) if isinstance(value, int | float | Decimal) else 0.0


def _formatter(percent, decimals):
    def fmt(value):
        text = numero(Decimal(str(round(value, decimals))), decimals)
        return f"{text}%" if percent else text

    return fmt


def _n(x: float) -> str:
    """A coordinate: a tenth of a point is finer than any screen or printer shows."""
    return f"{x:.1f}".removesuffix(".0")


def _text(x, y, testo, *, corpo=CORPO, anchor="", grassetto=False, colore="", extra=""):
    attributes = f'x="{_n(x)}" y="{_n(y)}" font-size="{corpo}"'
    if anchor:
        attributes += f' text-anchor="{anchor}"'
    if grassetto:
        attributes += ' font-weight="bold"'
    if colore:
        attributes += f' fill="{colore}"'
    return f"<text {attributes}{extra}>{escape(testo)}</text>"


def _ticks(lo: float, hi: float, lunghezza: float, spazio: float, decimals: int) -> list[float]:
    """Multiples of a 1-2-5 step within [lo, hi]: at most 9 intervals, `spazio` points apart
    at least on an axis `lunghezza` points long, never finer than the decimals shown."""
    span = hi - lo
    minimo = max(span / 9, span * spazio / max(lunghezza, 1), 10.0**-decimals)
    scala = 10 ** math.floor(math.log10(minimo))
    passo = next(m * scala for m in (1, 2, 5, 10) if m * scala >= minimo * (1 - 1e-9))
    primo, ultimo = math.ceil(lo / passo - 1e-9), math.floor(hi / passo + 1e-9)
    return [round(k * passo, 10) for k in range(primo, ultimo + 1)]


def _categorie(n: int, inizio: float, fine: float) -> tuple[list[float], float]:
    """The centres of n categories between two points, and the distance between two:
    as matplotlib spaces bars 0,8 wide at 0, 1, 2…, with 5% of their extent each side."""
    unita = (fine - inizio) / max((n - 0.2) * 1.1, 0.88)
    primo = inizio + (0.4 + 0.05 * (n - 0.2)) * unita if n else inizio
    return [primo + c * unita for c in range(n)], unita


def _tratteggio(motivo: str, id_: str) -> str:
    """A matplotlib-like hatch (`/`, `\\`, `x`, `-`, `|`, `+`, `.`; repeated = denser) as
    an SVG pattern of dark lines on a transparent ground, laid over the bar's colour."""
    lato = 24 / max(motivo.count(c) for c in set(motivo))  # as matplotlib spaces them
    s = _n(lato)
    segni = set(motivo.lower())
    d = []
    if segni & {"/", "x"}:
        d.append(
            f"M-1 1L1 -1M0 {s}L{s} 0M{_n(lato - 1)} {_n(lato + 1)}L{_n(lato + 1)} {_n(lato - 1)}"
        )
    if segni & {"\\", "x"}:
        d.append(
            f"M-1 {_n(lato - 1)}L1 {_n(lato + 1)}M0 0L{s} {s}M{_n(lato - 1)} -1L{_n(lato + 1)} 1"
        )
    if segni & {"-", "+"}:
        d.append(f"M0 {_n(lato / 2)}H{s}")
    if segni & {"|", "+"}:
        d.append(f"M{_n(lato / 2)} 0V{s}")
    forme = (
        f'<path d="{"".join(d)}" fill="none" stroke="{INCHIOSTRO}" stroke-width="0.8"/>'
        if d
        else ""
    )
    if segni & {".", "o", "*"}:
        centro = _n(lato / 2)
        forme += f'<circle cx="{centro}" cy="{centro}" r="{_n(lato * 0.14)}" fill="{INCHIOSTRO}"/>'
    return (
        f'<pattern id="{id_}" patternUnits="userSpaceOnUse" width="{s}" height="{s}">'
        f"{forme}</pattern>"
    )


def _barra(x, y, w, h, colore, tratteggio):
    """A bar (or a legend patch): its colour, then the hatching over it if any."""
    rect = f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}"'
    if not tratteggio:
        return f'{rect} fill="{colore}" stroke="#ffffff" stroke-width="0.4"/>'
    return (
        f'{rect} fill="{colore}"/>'
        f'{rect} fill="url(#{tratteggio})" stroke="{INCHIOSTRO}" stroke-width="0.4"/>'
    )


def bar_chart(
    categories: list[str],
    series: dict[str, list],
    *,
    title: str,
    ylabel: str = "",
    percent: bool = False,
    stacked: bool = False,
    horizontal: bool = False,
    decimals: int = 0,
    width: float = 7.5,
    height: float = 3.6,
    bar_colors: tuple = (),
    bar_hatches: tuple = (),
    legend: tuple[Voce, ...] = (),
    reference: float | None = None,
    reference_label: str = "",
    limit: float | None = None,
) -> str:
    """A grouped (or stacked) bar chart as inline SVG markup, `width` × `height` inches.

    `series` maps a legend label to one value per category (None counts as 0).
    `bar_colors`/`bar_hatches` colour each bar of a single series (then `legend` names
    the colours); `reference` draws a dashed line at that value; a value over `limit`
    is drawn up to the limit and its number written at the bar's end (never cut silently).
    A series with no value is drawn nowhere, so it has no legend entry either."""
    fmt = _formatter(percent, decimals)
    categories = [str(c) for c in categories]
    n = len(categories)
    W, H = width * 72, height * 72
    # Several charts share one page: ids unique per chart.
    chiave = repr((title, categories, list(series), bar_hatches, legend))
    prefisso = "g" + hashlib.sha1(chiave.encode()).hexdigest()[:8]

    # The bars along the value axis: (category, slot, start, end, value, colour, hatch).
    serie = [
        (str(label), [_float(v) for v in values], PALETTE[i % len(PALETTE)])
        for i, (label, values) in enumerate(series.items())
    ]
    disegnate = [s for s in serie if any(s[1])]
    slots = 1 if stacked else max(1, len(disegnate))
    motivi = {}  # hatch -> pattern id
    for motivo in [*bar_hatches, *(v.tratteggio for v in legend)]:
        if motivo and motivo not in motivi:
            motivi[motivo] = f"{prefisso}-t{len(motivi)}"
    barre = []
    basi = [0.0] * n
    for slot, (_label, values, colore) in enumerate(disegnate):
        for c, value in enumerate(values):
            start = basi[c] if stacked else 0.0
            shown = value if limit is None else min(value, limit)
            if bar_colors:
                colore = bar_colors[c % len(bar_colors)]
            motivo = motivi.get(bar_hatches[c]) if c < len(bar_hatches) else None
            barre.append((c, 0 if stacked else slot, start, start + shown, value, colore, motivo))
        if stacked:
            basi = [b + v for b, v in zip(basi, values, strict=True)]

    # The value axis: from 0 (or below) to the highest end plus 5%, or to limit + 18%
    # (room for the numbers written after the longest bars).
    estremi = [0.0, *(b[2] for b in barre), *(b[3] for b in barre)]
    if reference is not None:
        estremi.append(float(reference))
    lo, hi = min(estremi), max(estremi) or 1.0
    if limit is not None:
        lo, hi = min(lo, 0.0), limit * 1.18
    else:
        margine = 0.05 * ((hi - lo) or 1)
        lo, hi = lo - (margine if lo < 0 else 0), hi + margine

    # The legend: the series drawn (or the caller's entries), then the reference line.
    voci = [(v.etichetta, v.colore, motivi.get(v.tratteggio)) for v in legend] or [
        (label, colore, None) for label, _values, colore in disegnate
    ]
    if reference is not None and reference_label:
        voci.append((reference_label, None, None))
    if len(voci) < 2:
        voci = []
    larghezze_voci = [22.4 + _larghezza(v[0], CORPO_PICCOLO) for v in voci]
    colonne = min(4, len(voci))
    while colonne > 1 and (
        sum(max(larghezze_voci[c::colonne]) for c in range(colonne)) + 16 * (colonne - 1)
        > W - 2 * MARGINE
    ):
        colonne -= 1
    righe = -(-len(voci) // colonne) if voci else 0
    sotto = MARGINE + (righe * RIGA_LEGENDA + 6 if righe else 0)
    sopra = MARGINE + CORPO_TITOLO + 10
    destra = MARGINE

    if horizontal or n > 6:
        # A label longer than half the figure's width (or, slanted, than 40% of its height)
        # is shortened with "…": the table under the chart has it whole.
        massimo = W / 2 if horizontal else H * 0.4 / math.sin(math.radians(INCLINAZIONE))
        categories = [_accorcia(c, massimo) for c in categories]
    etichette = [_larghezza(c, CORPO) for c in categories]
    if horizontal:
        sinistra = MARGINE + max(etichette, default=0) + TACCA + DISTANZA
        sotto += TACCA + DISTANZA + CORPO * 1.2 + (CORPO * 1.3 if ylabel else 0)
        destra += max(_larghezza(fmt(lo), CORPO), _larghezza(fmt(hi), CORPO)) / 2
        lunghezza = W - sinistra - destra
        ticks = _ticks(lo, hi, lunghezza, max(3 * CORPO, 6 + _larghezza(fmt(hi), CORPO)), decimals)
    else:
        inclinate = n > 6
        seno, coseno = math.sin(math.radians(INCLINAZIONE)), math.cos(math.radians(INCLINAZIONE))
        alte = max(etichette, default=0) * seno + CORPO * coseno if inclinate else CORPO
        sotto += TACCA + DISTANZA + alte + 2
        lunghezza = H - sopra - sotto
        ticks = _ticks(lo, hi, lunghezza, 2 * CORPO, decimals)
        sinistra = MARGINE + max(_larghezza(fmt(t), CORPO) for t in ticks) + TACCA + DISTANZA
        if ylabel:
            sinistra += CORPO * 1.4
        if inclinate:
            # A long first label, slanted down to the left, must not leave the figure: the
            # plot starts where the label that reaches furthest left starts at MARGINE
            # (category c is at the fraction f of the plot: x0 + f * (W - destra - x0)).
            frazioni, _unita = _categorie(n, 0.0, 1.0)
            fine = W - destra
            sinistra = max(
                sinistra,
                *(
                    (MARGINE + CORPO * 0.38 + w * coseno - f * fine) / (1 - f)
                    for f, w in zip(frazioni, etichette, strict=True)
                ),
            )
    x0, x1, y0, y1 = sinistra, W - destra, sopra, H - sotto  # the plot area
    larghezza_area, altezza_area = x1 - x0, y1 - y0
    centri, unita = _categorie(n, y0, y1) if horizontal else _categorie(n, x0, x1)
    spessore = unita * 0.8 / slots

    def valore(v):  # a value's position along the value axis
        if horizontal:
            return x0 + (v - lo) / (hi - lo) * larghezza_area
        return y1 - (v - lo) / (hi - lo) * altezza_area

    def categoria(c, slot=0):  # where a bar starts across the category axis
        return centri[c] - unita * 0.4 + spessore * slot

    parti = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(W)} {_n(H)}" role="img"'
        f' focusable="false" aria-label="{escape(title)}" font-family="{FONT}">'
        f"<title>{escape(title)}</title>"
    ]
    if motivi:
        parti.append("<defs>")
        parti.extend(_tratteggio(motivo, id_) for motivo, id_ in motivi.items())
        parti.append("</defs>")

    # Gridlines under the bars, then the bars.
    griglia = []
    for t in ticks:
        p = _n(valore(t))
        griglia.append(f"M{p} {_n(y0)}V{_n(y1)}" if horizontal else f"M{_n(x0)} {p}H{_n(x1)}")
    parti.append(f'<path d="{"".join(griglia)}" stroke="{GRIGLIA}" stroke-width="0.6"/>')
    for c, slot, start, end, _value, colore, motivo in barre:
        if end == start:
            continue
        a, b = sorted((valore(start), valore(end)))
        across = categoria(c, slot)
        if horizontal:
            parti.append(_barra(a, across, b - a, spessore, colore, motivo))
        else:
            parti.append(_barra(across, a, spessore, b - a, colore, motivo))
    if limit is not None:
        for c, slot, _start, end, value, _colore, _motivo in barre:
            oltre = value > limit
            testo = fmt(value) + (" ▸" if oltre else "")
            centro = categoria(c, slot) + spessore / 2
            if horizontal:
                x, y, anchor = valore(end) + 3, centro + CORPO_PICCOLO * 0.35, ""
            else:
                x, y, anchor = centro, valore(end) - 3, "middle"
            parti.append(
                _text(
                    x,
                    y,
                    testo,
                    corpo=CORPO_PICCOLO,
                    anchor=anchor,
                    grassetto=oltre,
                    colore=INCHIOSTRO,
                )
            )
    if reference is not None:
        p = _n(valore(float(reference)))
        d = f"M{p} {_n(y0)}V{_n(y1)}" if horizontal else f"M{_n(x0)} {p}H{_n(x1)}"
        parti.append(
            f'<path d="{d}" stroke="{INCHIOSTRO}" stroke-width="1.2" stroke-dasharray="4.4 1.9"/>'
        )

    # The axes: left and bottom spines, ticks, their labels.
    tacche = []
    testi = []
    for t in ticks:
        p = valore(t)
        if horizontal:
            tacche.append(f"M{_n(p)} {_n(y1)}v{TACCA}")
            testi.append(_text(p, y1 + TACCA + DISTANZA + CORPO * 0.8, fmt(t), anchor="middle"))
        else:
            tacche.append(f"M{_n(x0)} {_n(p)}h-{TACCA}")
            testi.append(_text(x0 - TACCA - DISTANZA, p + CORPO * 0.35, fmt(t), anchor="end"))
    for c, etichetta in enumerate(categories):
        centro = centri[c]
        if horizontal:
            tacche.append(f"M{_n(x0)} {_n(centro)}h-{TACCA}")
            testi.append(
                _text(x0 - TACCA - DISTANZA, centro + CORPO * 0.35, etichetta, anchor="end")
            )
        else:
            tacche.append(f"M{_n(centro)} {_n(y1)}v{TACCA}")
            y = y1 + TACCA + DISTANZA
            if inclinate:
                # The label's top right corner at the tick, as matplotlib aligns it.
                x, y = centro - CORPO * 0.38, y + CORPO * 0.66
                rotazione = f' transform="rotate(-{INCLINAZIONE} {_n(x)} {_n(y)})"'
                testi.append(_text(x, y, etichetta, anchor="end", extra=rotazione))
            else:
                testi.append(_text(centro, y + CORPO * 0.8, etichetta, anchor="middle"))
    parti.append(
        f'<path d="M{_n(x0)} {_n(y0)}V{_n(y1)}H{_n(x1)}" fill="none" stroke="{ASSI}"'
        f' stroke-width="0.8"/>'
        f'<path d="{"".join(tacche)}" stroke="{ASSI}" stroke-width="0.8"/>'
    )
    parti.extend(testi)
    if ylabel:
        if horizontal:
            parti.append(
                _text((x0 + x1) / 2, y1 + TACCA + DISTANZA + CORPO * 2.2, ylabel, anchor="middle")
            )
        else:
            x, y = MARGINE + CORPO * 0.8, (y0 + y1) / 2
            rotazione = f' transform="rotate(-90 {_n(x)} {_n(y)})"'
            parti.append(_text(x, y, ylabel, anchor="middle", extra=rotazione))

    # The title at the top left of the plot (moved left if it would not fit).
    larghezza_titolo = _larghezza(title, CORPO_TITOLO, grassetto=True)
    x = max(MARGINE, min(x0, W - MARGINE - larghezza_titolo))
    parti.append(_text(x, MARGINE + CORPO_TITOLO * 0.8, title, corpo=CORPO_TITOLO, grassetto=True))

    # The legend under the figure, centred, in rows of `colonne` entries.
    if voci:
        larghezze = [max(larghezze_voci[c::colonne]) for c in range(colonne)]
        inizio = (W - sum(larghezze) - 16 * (colonne - 1)) / 2
        for i, (etichetta, colore, motivo) in enumerate(voci):
            riga, colonna = divmod(i, colonne)
            x = inizio + sum(larghezze[:colonna]) + 16 * colonna
            y = H - MARGINE - (righe - riga) * RIGA_LEGENDA + RIGA_LEGENDA / 2
            if colore is None:  # the reference line
                parti.append(
                    f'<path d="M{_n(x)} {_n(y)}h16" stroke="{INCHIOSTRO}" stroke-width="1.2"'
                    ' stroke-dasharray="4.4 1.9"/>'
                )
            else:
                parti.append(_barra(x, y - 2.8, 16, 5.6, colore, motivo))
            parti.append(_text(x + 22.4, y + CORPO_PICCOLO * 0.35, etichetta, corpo=CORPO_PICCOLO))
    parti.append("</svg>")
    return "".join(parti)

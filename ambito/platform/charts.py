"""The one chart helper of Zonale: server-side SVG made with matplotlib.

The same SVG goes into the web pages and into the WeasyPrint PDFs (which run no
JavaScript), so a chart on the dashboard and in the report are the same picture.
Text stays text in the SVG (`svg.fonttype: none`), so screen readers, search and PDF
text extraction see the figures. Output is deterministic. Every chart must be shown
next to a table with the same numbers (accessibility).
"""

import functools
import hashlib
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from django.core.cache import cache  # noqa: E402
from django.utils.translation import get_language  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.layout_engine import TightLayoutEngine  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from ambito.templatetags.zonale import numero  # noqa: E402

# Bootstrap Italia primary blue first, then colours that stay distinct for colour-blind
# readers and in greyscale print.
PALETTE = ["#0066cc", "#f29e00", "#00875a", "#17324d", "#cc334d", "#7a8fa6", "#5c2d91"]

RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "zonale",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#5c6f82",
    "axes.titleweight": "bold",
    "axes.titlesize": 11,
}


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
    def fmt(value, _pos):
        text = numero(Decimal(str(round(value, decimals))), decimals)
        return f"{text}%" if percent else text

    return FuncFormatter(fmt)


# Every CSS property that SVG also accepts as a presentation attribute (SVG 1.1 § 6.4).
PRESENTATION_ATTRIBUTES = frozenset(
    """alignment-baseline baseline-shift clip clip-path clip-rule color color-interpolation
    color-interpolation-filters color-profile color-rendering cursor direction display
    dominant-baseline enable-background fill fill-opacity fill-rule filter flood-color
    flood-opacity font-family font-size font-size-adjust font-stretch font-style font-variant
    font-weight glyph-orientation-horizontal glyph-orientation-vertical image-rendering kerning
    letter-spacing lighting-color marker-end marker-mid marker-start mask opacity overflow
    pointer-events shape-rendering stop-color stop-opacity stroke stroke-dasharray
    stroke-dashoffset stroke-linecap stroke-linejoin stroke-miterlimit stroke-opacity
    stroke-width text-anchor text-decoration text-rendering unicode-bidi visibility
    word-spacing writing-mode""".split()
)
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
# matplotlib's one stylesheet: defaults for every element of the figure.
_DEFAULT_STYLE = re.compile(r'\s*<defs>\s*<style type="text/css">\*\{([^{}]*)\}</style>\s*</defs>')


def _declarations(css: str) -> dict[str, str]:
    """`fill: #fff; stroke-width: 0.8` as presentation attributes (the last one wins)."""
    attributes = {}
    for declaration in filter(str.strip, css.split(";")):
        name, _, value = declaration.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name not in PRESENTATION_ATTRIBUTES or not value:
            # e.g. the `font:` shorthand, which an SVG attribute cannot express.
            raise ValueError(f"matplotlib wrote {declaration.strip()!r}: no SVG attribute")
        attributes[name] = value
    return attributes


def _with_attributes(tag: str, attributes: dict[str, str]) -> str:
    """The start tag `tag` with `attributes` set (replacing a value it already had)."""
    for name, value in attributes.items():
        pair = f'{name}="{value}"'
        if existing := re.search(rf'(?<=\s){name}="[^"]*"', tag):
            tag = tag[: existing.start()] + pair + tag[existing.end() :]
        else:
            end = re.search(r"\s*/?>$", tag)
            tag = f"{tag[: end.start()]} {pair}{end.group(0).strip()}"
    return tag


def _presentation_attributes(svg: str) -> str:
    """matplotlib's CSS as SVG presentation attributes: no `style` attribute or element.

    The charts are inlined in the pages, whose Content-Security-Policy allows no inline
    style (`style-src 'self'` blocks `style` attributes and <style> elements, not
    presentation attributes). The attributes draw the same in browsers and in WeasyPrint
    and, unlike the `*{...}` rule of matplotlib's <style>, do not reach the rest of the page.
    """
    default = _DEFAULT_STYLE.search(svg)
    if default:
        # `*{...}` set these inherited properties on every element: the root passes them
        # down, and an element's own attribute still overrides them as its style did.
        svg = svg[: default.start()] + svg[default.end() :]
        root = svg.index(">", svg.index("<svg")) + 1
        svg = _with_attributes(svg[:root], _declarations(default.group(1))) + svg[root:]

    def start_tag(match):
        tag = match.group(0)
        style = _STYLE_ATTRIBUTE.search(tag)
        tag = tag[: style.start()] + tag[style.end() :]
        return _with_attributes(tag, _declarations(style.group(1)))

    svg = re.sub(r'<[a-zA-Z][^<>]*\sstyle="[^"]*"[^<>]*>', start_tag, svg)
    if "<style" in svg or _STYLE_ATTRIBUTE.search(svg):
        raise ValueError("matplotlib wrote CSS that is not a presentation attribute")
    return svg


def _tight_layout(fig, rect=(0, 0, 1, 1)):
    """`fig.tight_layout(rect=rect)` applied once, leaving no layout engine on the figure:
    `tight_layout` leaves a placeholder engine, for which `savefig` lays the whole figure
    out once more (ticks, text) before drawing it. matplotlib also measures each axes
    twice (the second time to fit `rect`) on a figure that does not change in between:
    each is measured once. The same SVG (see the tests), about a third less time."""
    for ax in fig.axes:
        ax.get_tightbbox = functools.cache(ax.get_tightbbox)
    try:
        TightLayoutEngine(rect=rect).execute(fig)
    finally:
        for ax in fig.axes:
            del ax.get_tightbbox


def _svg(fig, title, key) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "Zonale"})
    svg = _presentation_attributes(buffer.getvalue())
    # Several charts share one page: make matplotlib's element ids unique per chart.
    prefix = "g" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8] + "-"
    svg = re.sub(r'\bid="', f'id="{prefix}', svg)
    svg = svg.replace("url(#", f"url(#{prefix}").replace('href="#', f'href="#{prefix}')
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and DOCTYPE: inline SVG
    svg = re.sub(r'\s(width|height)="[\d.]+pt"', "", svg, count=2)  # scale with its box
    svg = svg.replace("<svg ", '<svg role="img" focusable="false" ', 1)
    label = re.sub(r"[<>&\"]", "", title)
    return svg.replace(">", f' aria-label="{label}"><title>{label}</title>', 1)


# Rendered charts in Django's cache, shared by every process: matplotlib spends ~0,3-0,8 s
# per chart (text layout), and its output is deterministic, so the same figures give the
# same SVG. The key holds every argument, the language and this module's own source (a
# deployment that draws differently never serves the former drawing): nothing to
# invalidate, entries expire after DURATA_GRAFICI.
_SORGENTE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
DURATA_GRAFICI = 24 * 60 * 60  # seconds


def bar_chart(categories: list[str], series: dict[str, list], **options) -> str:
    """A grouped (or stacked) bar chart as inline SVG markup (cached, see `_SORGENTE`).

    `series` maps a legend label to one value per category (None counts as 0).
    """
    dati = repr(
        (
            _SORGENTE,
            get_language(),
            [str(c) for c in categories],
            [(str(k), [None if v is None else str(v) for v in vs]) for k, vs in series.items()],
            sorted((k, str(v)) for k, v in options.items()),
        )
    )
    chiave = "zonale:grafico:" + hashlib.sha256(dati.encode("utf-8")).hexdigest()
    svg = cache.get(chiave)
    if svg is None:
        svg = _bar_chart(categories, series, **options)
        cache.set(chiave, svg, DURATA_GRAFICI)
    return svg


def _bar_chart(
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
    """`bar_colors`/`bar_hatches` colour each bar of a single series (then `legend` names
    the colours); `reference` draws a dashed line at that value; a value over `limit`
    is drawn up to the limit and its number written at the bar's end (never cut silently).
    A series with no value is drawn nowhere, so it has no legend entry either."""
    fmt = _formatter(percent, decimals)
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(width, height), dpi=100)
        ax = fig.add_subplot()
        positions = list(range(len(categories)))
        drawn = {k: vs for k, vs in series.items() if any(_float(v) for v in vs)}
        n = max(1, len(drawn))
        band = 0.8 if stacked else 0.8 / n
        bottoms = [0.0] * len(categories)
        for i, (label, values) in enumerate(drawn.items()):
            values = [_float(v) for v in values]
            shown = values if limit is None else [min(v, limit) for v in values]
            offsets = positions if stacked else [p - 0.4 + band * (i + 0.5) for p in positions]
            color = list(bar_colors) or PALETTE[list(series).index(label) % len(PALETTE)]
            draw = ax.barh if horizontal else ax.bar
            size = (
                {"height": band, "left": bottoms}
                if horizontal
                else {"width": band, "bottom": bottoms}
            )
            bars = draw(
                offsets, shown, label=label, color=color, edgecolor="#ffffff", linewidth=0.4, **size
            )
            for bar, hatch in zip(bars, bar_hatches, strict=False):
                if hatch:
                    bar.set_hatch(hatch)
                    bar.set_edgecolor("#17324d")
            if limit is not None:
                for offset, value, end in zip(offsets, values, shown, strict=True):
                    over = value > limit
                    text = fmt(value, None) + (" ▸" if over else "")
                    xy = (end, offset) if horizontal else (offset, end)
                    ax.annotate(
                        text,
                        xy,
                        xytext=(3, 0) if horizontal else (0, 3),
                        textcoords="offset points",
                        ha="left" if horizontal else "center",
                        va="center" if horizontal else "bottom",
                        fontsize=8,
                        fontweight="bold" if over else "normal",
                        color="#17324d",
                    )
            if stacked:
                bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        value_axis = ax.xaxis if horizontal else ax.yaxis
        value_axis.set_major_formatter(fmt)
        if limit is not None:
            # Room for the numbers written after the longest bars.
            (ax.set_xlim if horizontal else ax.set_ylim)(0, limit * 1.18)
        if reference is not None:
            line = ax.axvline if horizontal else ax.axhline
            line(reference, color="#17324d", linestyle="--", linewidth=1.2, label=reference_label)
        if horizontal:
            ax.set_yticks(positions, categories)
            ax.invert_yaxis()
            ax.set_xlabel(ylabel)
        else:
            ax.set_xticks(
                positions,
                categories,
                rotation=30 if len(categories) > 6 else 0,
                ha="right" if len(categories) > 6 else "center",
            )
            ax.set_ylabel(ylabel)
        ax.grid(axis="x" if horizontal else "y", color="#e3e4e6", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.set_title(title, loc="left")
        handles, labels = ax.get_legend_handles_labels()
        if legend:
            # The caller's colours replace the series (one series coloured per bar).
            keep = [(h, lab) for h, lab in zip(handles, labels, strict=True) if lab not in drawn]
            handles = [
                Patch(
                    facecolor=v.colore,
                    hatch=v.tratteggio or None,
                    edgecolor="#17324d",
                    label=v.etichetta,
                )
                for v in legend
            ] + [h for h, _ in keep]
            labels = [v.etichetta for v in legend] + [lab for _, lab in keep]
        if len(labels) > 1:
            # Under the figure at a fixed height, however tall the axes are.
            columns = min(4, len(labels))
            rows = -(-len(labels) // columns)
            fig.legend(
                handles,
                labels,
                frameon=False,
                fontsize=8,
                ncols=columns,
                loc="lower center",
                bbox_to_anchor=(0.5, 0),
            )
            _tight_layout(fig, rect=(0, min(0.4, (0.1 + 0.2 * rows) / height), 1, 1))
        else:
            _tight_layout(fig)
        return _svg(fig, title, repr((title, categories, list(series))))

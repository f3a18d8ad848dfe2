from decimal import Decimal
from xml.etree import ElementTree

import pytest

from ambito.platform import charts
from ambito.platform.charts import bar_chart


def test_bar_chart_is_accessible_deterministic_svg_with_italian_numbers():
    args = (["2022", "2023"], {"UE": [Decimal("1090000"), None], "Nazionale": [500000, 2]})
    svg = bar_chart(*args, title="Fondi per anno", stacked=True)
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg")
    assert root.get("role") == "img" and root.get("aria-label") == "Fondi per anno"
    texts = " ".join(t for t in root.itertext())
    assert "2022" in texts and "Nazionale" in texts
    assert "1.000.000" in texts  # Italian thousands separator on the axis
    assert svg == bar_chart(*args, title="Fondi per anno", stacked=True)
    # Deterministic when rendered again (not only when served from the memo).
    assert svg == charts._bar_chart(*args, title="Fondi per anno", stacked=True)


def test_bar_chart_memo_is_keyed_on_every_input():
    first = bar_chart(["A"], {"x": [1]}, title="T")
    assert bar_chart(["A"], {"x": [2]}, title="T") != first
    assert bar_chart(["A"], {"x": [1]}, title="T", percent=True) != first
    assert bar_chart(["A"], {"x": [1]}, title="T") == first


def test_percent_axis():
    svg = bar_chart(["A", "B"], {"%": [80, 50]}, title="Raggiungimento", percent=True)
    assert "100%" in svg or "80%" in svg


def _elements(svg):
    return list(ElementTree.fromstring(svg).iter())


def test_chart_svg_carries_no_css_only_presentation_attributes():
    """The pages' CSP has no style-src 'unsafe-inline': an inlined chart must need none."""
    categories = [f"Comune {n}" for n in range(8)]  # rotated labels
    variants = [
        {},
        {"stacked": True},
        {"horizontal": True},
        {"percent": True, "decimals": 1},
    ]
    for options in variants:
        svg = charts._bar_chart(
            categories, {"A": list(range(8)), "B": [None] * 7 + [2]}, title="T", **options
        )
        assert "<style" not in svg and "style=" not in svg, options
        elements = _elements(svg)
        assert not [e.tag for e in elements if e.tag.endswith("}style") or "style" in e.attrib]
        root = elements[0]
        # matplotlib's `*{...}` defaults, inherited from the root instead.
        assert (root.get("stroke-linejoin"), root.get("stroke-linecap")) == ("round", "butt")
        texts = [e for e in elements if e.tag.endswith("}text")]
        assert texts and all(t.get("font-family") == "'DejaVu Sans'" for t in texts)
        assert {t.get("font-size") for t in texts} >= {"9px", "11px"}  # ticks, title
        fills = {e.get("fill") for e in elements}
        assert {charts.PALETTE[0], charts.PALETTE[1]} <= fills  # the two series' bars


def test_presentation_attributes_replace_the_style_and_refuse_what_svg_cannot_say():
    svg = (
        '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
        ' <defs>\n  <style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style>'
        "\n </defs>"
        '<rect fill="red" x="1" style="fill: #ffffff; stroke: none"/>'
        '<text style="font-size: 9px; font-family: \'DejaVu Sans\'" x="2">a</text></svg>'
    )
    assert charts._presentation_attributes(svg) == (
        '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"'
        ' stroke-linejoin="round" stroke-linecap="butt">'
        '<rect fill="#ffffff" x="1" stroke="none"/>'
        '<text x="2" font-size="9px" font-family="\'DejaVu Sans\'">a</text></svg>'
    )
    # The `font` shorthand has no SVG attribute: fail loudly rather than lose the font.
    with pytest.raises(ValueError, match="font: 9px"):
        charts._presentation_attributes("<svg><text style=\"font: 9px 'DejaVu Sans'\">a</text>")
    with pytest.raises(ValueError, match="not a presentation attribute"):
        charts._presentation_attributes("<svg><style>text { fill: red }</style></svg>")


def _texts(svg):
    return [" ".join(e.itertext()) for e in _elements(svg) if e.tag.endswith("}text")]


def test_values_over_the_limit_are_written_not_cut():
    svg = charts._bar_chart(
        ["A", "B"],
        {"%": [Decimal("333.3"), 80]},
        title="T",
        percent=True,
        horizontal=True,
        limit=150,
    )
    texts = _texts(svg)
    assert any("333%" in t for t in texts), texts  # the real number, not the axis cap
    assert any(t.strip() == "80%" for t in texts)


def test_reference_line_is_drawn_and_named_in_the_legend():
    svg = charts._bar_chart(
        ["A", "B"],
        {"%": [50, 120]},
        title="T",
        percent=True,
        horizontal=True,
        reference=100,
        reference_label="Valore atteso (100%)",
        legend=(charts.Voce("In linea", "#00875a"), charts.Voce("Critico", "#cc334d", "xx")),
        bar_colors=("#cc334d", "#00875a"),
        bar_hatches=("xx", ""),
    )
    root = ElementTree.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    # matplotlib names the line's group `line2d_N`; the dashed one is the reference.
    dashed = [e for e in root.iter(f"{ns}path") if e.get("stroke-dasharray")]
    assert dashed, "no reference line"
    texts = _texts(svg)
    assert {"In linea", "Critico", "Valore atteso (100%)"} <= {t.strip() for t in texts}
    fills = {e.get("fill") for e in root.iter()}
    assert {"#00875a", "#cc334d"} <= fills  # the bars carry the statuses' colours
    assert any(e.tag == f"{ns}pattern" for e in root.iter())  # hatching for greyscale print


def test_every_legend_entry_has_marks():
    """A series with no value (e.g. nothing paid yet) is not announced by the legend."""
    svg = charts._bar_chart(
        ["P1", "P2"], {"Finanziato": [100, 200], "Erogato": [None, 0]}, title="T"
    )
    texts = {t.strip() for t in _texts(svg)}
    assert "Erogato" not in texts
    svg = charts._bar_chart(
        ["P1", "P2"], {"Finanziato": [100, 200], "Erogato": [None, 50]}, title="T"
    )
    texts = {t.strip() for t in _texts(svg)}
    assert {"Finanziato", "Erogato"} <= texts
    fills = {e.get("fill") for e in _elements(svg)}
    assert {charts.PALETTE[0], charts.PALETTE[1]} <= fills


def test_charts_keep_matplotlib_tight_layout_margins(monkeypatch):
    """The one-pass layout (`_tight_layout`, for speed) draws the very SVG that
    matplotlib's own `Figure.tight_layout` gives: legend under the figure or not,
    rotated labels, horizontal bars."""
    categories = [f"Comune {n}" for n in range(8)]
    variants = [
        ({"A": list(range(8))}, {}),
        ({"A": list(range(8)), "B": [None] * 7 + [2]}, {"stacked": True}),
        ({"Finanziato": list(range(8)), "Erogato": [1] * 8}, {"horizontal": True}),
        ({"%": [50, 120] * 4}, {"percent": True, "reference": 100, "reference_label": "R"}),
    ]
    fast = [charts._bar_chart(categories, series, title="T", **o) for series, o in variants]
    monkeypatch.setattr(charts, "_tight_layout", lambda fig, rect=None: fig.tight_layout(rect=rect))
    for svg, (series, options) in zip(fast, variants, strict=True):
        assert svg == charts._bar_chart(categories, series, title="T", **options), options

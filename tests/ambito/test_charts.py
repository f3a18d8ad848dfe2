import re
from decimal import Decimal
from xml.etree import ElementTree

from ambito.platform import charts
from ambito.platform.charts import Voce, bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def _elements(svg):
    return list(ElementTree.fromstring(svg).iter())


def _texts(svg):
    return [" ".join(e.itertext()).strip() for e in _elements(svg) if e.tag == f"{SVG}text"]


def _rects(svg):
    """The drawn rectangles (bars and legend patches) as dicts of floats and colours."""
    return [
        {k: float(v) if k in {"x", "y", "width", "height"} else v for k, v in e.attrib.items()}
        for e in _elements(svg)
        if e.tag == f"{SVG}rect"
    ]


def _view_box(svg):
    return [float(v) for v in ElementTree.fromstring(svg).get("viewBox").split()]


def test_bar_chart_is_accessible_deterministic_svg_with_italian_numbers():
    args = (["2022", "2023"], {"UE": [Decimal("1090000"), None], "Nazionale": [500000, 2]})
    svg = bar_chart(*args, title="Fondi per anno", stacked=True)
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("focusable") == "false"
    assert root.get("aria-label") == "Fondi per anno"
    assert root.find(f"{SVG}title").text == "Fondi per anno"
    texts = _texts(svg)
    assert "2022" in texts and "Nazionale" in texts
    assert "1.000.000" in texts  # Italian thousands separator on the axis
    assert svg == bar_chart(*args, title="Fondi per anno", stacked=True)


def test_every_input_changes_the_drawing():
    first = bar_chart(["A"], {"x": [1]}, title="T")
    assert bar_chart(["A"], {"x": [2]}, title="T") != first
    assert bar_chart(["A"], {"x": [1]}, title="T", percent=True) != first
    assert bar_chart(["A"], {"x": [1]}, title="T") == first


def test_percent_axis_and_decimals():
    svg = bar_chart(["A", "B"], {"%": [80, 50]}, title="Raggiungimento", percent=True)
    assert {"0%", "20%", "40%", "60%", "80%"} <= set(_texts(svg))
    svg = bar_chart(["A", "B"], {"%": [2, 3]}, title="T", percent=True, decimals=1)
    assert {"0,0%", "1,0%", "3,0%"} <= set(_texts(svg))


def test_ticks_are_one_two_five_steps_never_finer_than_the_decimals():
    assert charts._ticks(0, 5_850_000, 200, 18, 0) == [n * 1_000_000 for n in range(6)]
    assert charts._ticks(0, 177, 300, 27, 0) == list(range(0, 161, 20))
    assert charts._ticks(0, 88, 300, 27, 0) == list(range(0, 81, 10))
    # A tiny range with whole numbers shown: no ticks that would print the same label.
    assert charts._ticks(0, 1.05, 200, 18, 0) == [0, 1]
    assert charts._ticks(0, 1.05, 200, 18, 1) == [0, 0.2, 0.4, 0.6, 0.8, 1]


def test_chart_svg_carries_no_css_only_presentation_attributes():
    """The pages' CSP has no style-src 'unsafe-inline': an inlined chart must need none."""
    categories = [f"Comune {n}" for n in range(8)]  # rotated labels
    variants = [
        {},
        {"stacked": True},
        {"horizontal": True},
        {"percent": True, "decimals": 1},
        {"bar_hatches": ("//", "xx"), "legend": (Voce("a", "#00875a", "//"), Voce("b", "red"))},
    ]
    for options in variants:
        svg = bar_chart(
            categories, {"A": list(range(8)), "B": [None] * 7 + [2]}, title="T", **options
        )
        assert "<style" not in svg and "style=" not in svg, options
        elements = _elements(svg)
        assert not [e.tag for e in elements if e.tag.endswith("}style") or "style" in e.attrib]
        root = elements[0]
        # The font once, on the root: every text inherits it.
        assert root.get("font-family").startswith("'DejaVu Sans'")
        texts = [e for e in elements if e.tag == f"{SVG}text"]
        assert texts and not [t for t in texts if "font-family" in t.attrib]
        assert {t.get("font-size") for t in texts} >= {"9", "11"}  # ticks, title
        fills = {e.get("fill") for e in elements}
        assert {charts.PALETTE[0], charts.PALETTE[1]} <= fills  # the two series' bars


def test_ids_are_unique_per_chart_and_references_resolve():
    hatched = {"bar_hatches": ("//", "xx"), "bar_colors": ("#00875a", "#cc334d")}
    one = bar_chart(["A", "B"], {"%": [50, 120]}, title="Uno", **hatched)
    two = bar_chart(["A", "B"], {"%": [50, 120]}, title="Due", **hatched)
    ids = [re.findall(r'\bid="([^"]+)"', svg) for svg in (one, two)]
    assert ids[0] and ids[1] and not set(ids[0]) & set(ids[1])
    for svg, own in zip((one, two), ids, strict=True):
        assert len(own) == len(set(own))
        assert set(re.findall(r"url\(#([^)]+)\)", svg)) == set(own)


def test_view_box_keeps_the_size_in_inches_and_the_svg_scales_with_its_box():
    svg = bar_chart(["A"], {"x": [1]}, title="T", width=8, height=2.8)
    assert _view_box(svg) == [0, 0, 576, 201.6]
    root = ElementTree.fromstring(svg)
    assert root.get("width") is None and root.get("height") is None


def test_the_figures_of_the_bars_are_in_the_text_and_the_bars_have_their_height():
    svg = bar_chart(["Rozzano", "Opera"], {"Beneficiari": [40, 10]}, title="T")
    assert {"Rozzano", "Opera", "0", "10", "20", "30", "40"} <= set(_texts(svg))
    bars = [r for r in _rects(svg) if r["fill"] == charts.PALETTE[0]]
    assert len(bars) == 2
    assert bars[0]["height"] == round(4 * bars[1]["height"], 1)
    assert bars[0]["y"] + bars[0]["height"] == bars[1]["y"] + bars[1]["height"]  # same base


def test_grouped_bars_side_by_side_and_stacked_bars_sum():
    series = {"Finanziato": [100, 200], "Erogato": [50, 150]}
    grouped = [r for r in _rects(bar_chart(["P1", "P2"], series, title="T")) if r["width"] > 20]
    finanziato = [r for r in grouped if r["fill"] == charts.PALETTE[0]]
    erogato = [r for r in grouped if r["fill"] == charts.PALETTE[1]]
    assert finanziato[0]["x"] + finanziato[0]["width"] == erogato[0]["x"]
    assert finanziato[0]["y"] + finanziato[0]["height"] == erogato[0]["y"] + erogato[0]["height"]

    stacked = bar_chart(["P1", "P2"], series, title="T", stacked=True)
    bars = [r for r in _rects(stacked) if r["width"] > 20]
    first = [r for r in bars if r["x"] == min(b["x"] for b in bars)]
    under, over = sorted(first, key=lambda r: -r["y"])
    assert over["y"] + over["height"] == under["y"]  # one on top of the other
    # 150 drawn as tall as 100 + 50 (to the tenth of a point the coordinates carry).
    assert abs(under["height"] + over["height"] - 1.5 * under["height"]) < 0.2


def test_horizontal_long_labels_are_not_clipped_the_left_margin_grows():
    def plot_left(label):
        svg = bar_chart([label, "B"], {"x": [3, 4]}, title="T", horizontal=True)
        texts = [e for e in _elements(svg) if e.tag == f"{SVG}text" and e.text == label]
        assert texts[0].get("text-anchor") == "end"
        bars = [r for r in _rects(svg) if r["fill"] == charts.PALETTE[0]]
        return float(texts[0].get("x")), min(r["x"] for r in bars)

    short_end, short_left = plot_left("Breve")
    long_label = "Un'etichetta di categoria molto lunga che deve stare tutta"
    long_end, long_left = plot_left(long_label)
    assert long_left > short_left + 150
    # The label ends before the plot and starts inside the figure.
    assert long_end < long_left and long_end - charts._larghezza(long_label, 9) > 0


def test_labels_longer_than_half_the_chart_are_shortened():
    label = "Un nome lunghissimo " * 10
    svg = bar_chart([label, "B"], {"x": [3, 4]}, title="T", horizontal=True, width=8)
    shown = next(t for t in _texts(svg) if t.startswith("Un nome"))
    assert shown.endswith("…") and label.startswith(shown[:-1])
    assert 250 < charts._larghezza(shown, 9) <= 288  # half of 8 inches
    bars = [r for r in _rects(svg) if r["fill"] == charts.PALETTE[0]]
    assert min(r["x"] for r in bars) < 310 and min(r["width"] for r in bars) > 100


def test_many_categories_get_rotated_labels_and_room_below():
    few = bar_chart([f"Comune {n}" for n in range(6)], {"x": [1] * 6}, title="T")
    many = bar_chart([f"Comune {n}" for n in range(7)], {"x": [1] * 7}, title="T")
    assert "rotate(" not in few
    labels = [e for e in _elements(many) if e.tag == f"{SVG}text" and "Comune" in e.text]
    assert len(labels) == 7 and all("rotate(-30" in e.get("transform") for e in labels)

    def axis_bottom(svg):
        return max(r["y"] + r["height"] for r in _rects(svg))

    longer = bar_chart([f"Comune dal nome lungo {n}" for n in range(7)], {"x": [1] * 7}, title="T")
    assert axis_bottom(longer) < axis_bottom(many) - 20  # the labels take the room below
    # The first label, slanted down to the left, still starts inside the figure.
    first = next(e for e in _elements(longer) if e.tag == f"{SVG}text" and e.text.endswith(" 0"))
    assert float(first.get("x")) - charts._larghezza(first.text, 9) * 0.87 > 0


def test_title_top_left_and_gridlines_on_the_value_axis():
    svg = bar_chart(["A", "B"], {"x": [1, 2]}, title="Il titolo")
    title = next(e for e in _elements(svg) if e.tag == f"{SVG}text" and e.text == "Il titolo")
    assert title.get("font-weight") == "bold" and title.get("text-anchor") is None
    assert float(title.get("y")) < 20 and float(title.get("x")) < 60
    grid = next(e for e in _elements(svg) if e.get("stroke") == "#e3e4e6")
    assert grid.get("d").count("H") == 3  # one horizontal line per tick: 0, 1, 2


def test_values_over_the_limit_are_written_not_cut():
    svg = bar_chart(
        ["A", "B"],
        {"%": [Decimal("333.3"), 80]},
        title="T",
        percent=True,
        horizontal=True,
        limit=150,
    )
    texts = _texts(svg)
    assert "333% ▸" in texts  # the real number, marked as over the axis
    assert "80%" in texts and "80% ▸" not in texts
    bars = [r for r in _rects(svg) if r["fill"] == charts.PALETTE[0]]
    # The bar over the limit stops at 150%, the other is drawn to its value.
    assert abs(bars[0]["width"] / bars[1]["width"] - 150 / 80) < 0.01


def test_reference_line_is_drawn_and_named_in_the_legend():
    svg = bar_chart(
        ["A", "B"],
        {"%": [50, 120]},
        title="T",
        percent=True,
        horizontal=True,
        reference=100,
        reference_label="Valore atteso (100%)",
        legend=(Voce("In linea", "#00875a"), Voce("Critico", "#cc334d", "xx")),
        bar_colors=("#cc334d", "#00875a"),
        bar_hatches=("xx", ""),
    )
    root = ElementTree.fromstring(svg)
    dashed = [e for e in root.iter() if e.get("stroke-dasharray")]
    assert len(dashed) == 2, "the line on the plot and its sample in the legend"
    texts = set(_texts(svg))
    assert {"In linea", "Critico", "Valore atteso (100%)"} <= texts
    assert "% raggiunta" not in texts and "%" not in texts  # the series named by its colours
    fills = {e.get("fill") for e in root.iter()}
    assert {"#00875a", "#cc334d"} <= fills  # the bars carry the statuses' colours
    # Hatching for greyscale print: one pattern, laid over the hatched bar and its patch.
    patterns = list(root.iter(f"{SVG}pattern"))
    assert len(patterns) == 1 and patterns[0].find(f"{SVG}path") is not None
    assert svg.count(f'fill="url(#{patterns[0].get("id")})"') == 2


def test_every_hatch_is_drawn():
    for motivo in ("/", "//", "\\", "x", "xx", "-", "|", "+", ".."):
        svg = bar_chart(["A"], {"x": [1]}, title="T", bar_hatches=(motivo,))
        pattern = next(ElementTree.fromstring(svg).iter(f"{SVG}pattern"))
        assert len(pattern), motivo
    dense = bar_chart(["A"], {"x": [1]}, title="T", bar_hatches=("//",))
    sparse = bar_chart(["A"], {"x": [1]}, title="T", bar_hatches=("/",))
    assert 'width="12"' in dense and 'width="24"' in sparse


def test_every_legend_entry_has_marks():
    """A series with no value (e.g. nothing paid yet) is not announced by the legend."""
    svg = bar_chart(["P1", "P2"], {"Finanziato": [100, 200], "Erogato": [None, 0]}, title="T")
    assert "Erogato" not in _texts(svg)
    assert "Finanziato" not in _texts(svg)  # one series: no legend
    svg = bar_chart(["P1", "P2"], {"Finanziato": [100, 200], "Erogato": [None, 50]}, title="T")
    assert {"Finanziato", "Erogato"} <= set(_texts(svg))
    fills = {e.get("fill") for e in _elements(svg)}
    assert {charts.PALETTE[0], charts.PALETTE[1]} <= fills


def test_legend_wraps_into_rows_of_at_most_four_under_the_plot():
    series = {f"Serie {n}": [n] for n in range(1, 8)}
    svg = bar_chart(["A"], series, title="T", stacked=True)
    entries = [e for e in _elements(svg) if e.tag == f"{SVG}text" and e.text.startswith("Serie")]
    rows = sorted({float(e.get("y")) for e in entries})
    assert len(entries) == 7 and len(rows) == 2
    assert [sum(float(e.get("y")) == y for e in entries) for y in rows] == [4, 3]
    bars_bottom = max(r["y"] + r["height"] for r in _rects(svg) if r["width"] > 20)
    assert rows[0] > bars_bottom
    # On a narrow chart long entries take fewer columns, still inside the figure.
    narrow = bar_chart(["A"], {f"Voce piuttosto lunga {n}": [n] for n in range(1, 5)},
                       title="T", width=4, stacked=True)  # fmt: skip
    entries = [e for e in _elements(narrow) if e.tag == f"{SVG}text" and "Voce" in e.text]
    assert len({float(e.get("y")) for e in entries}) == 2
    right = _view_box(narrow)[2]
    assert all(float(e.get("x")) + charts._larghezza(e.text, 8) < right for e in entries)


def test_ylabel_on_the_value_axis():
    vertical = bar_chart(["A"], {"x": [1]}, title="T", ylabel="persone")
    label = next(e for e in _elements(vertical) if e.text == "persone")
    assert "rotate(-90" in label.get("transform")
    horizontal = bar_chart(["A"], {"x": [1]}, title="T", ylabel="persone", horizontal=True)
    label = next(e for e in _elements(horizontal) if e.text == "persone")
    assert label.get("transform") is None and label.get("text-anchor") == "middle"


def test_text_is_escaped():
    svg = bar_chart(['A & B <c> "d"'], {"x": [1]}, title='Tom & "Jerry" <3')
    root = ElementTree.fromstring(svg)
    assert root.get("aria-label") == 'Tom & "Jerry" <3'
    assert 'A & B <c> "d"' in _texts(svg)


def test_text_width_comes_from_the_dejavu_table():
    assert charts._larghezza("0", 10) == 6.36  # DejaVu Sans digits: 0,636 em
    assert charts._larghezza("iii", 10) < charts._larghezza("MMM", 10)
    assert charts._larghezza("Titolo", 11, grassetto=True) > charts._larghezza("Titolo", 11)

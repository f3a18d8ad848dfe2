from decimal import Decimal
from xml.etree import ElementTree

from ambito import charts
from ambito.charts import bar_chart


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

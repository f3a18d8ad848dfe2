"""The chart of the evaluation page comes from the project's one chart helper."""

import xml.etree.ElementTree as ET
from decimal import Decimal

from ambito.platform.charts import bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def _grafico():
    return bar_chart(
        ["A. Contrasto alle povertà", "B. Inclusione sociale"],
        {"Grado medio di raggiungimento": [Decimal("80.0"), Decimal("56.7")]},
        title="Grado medio di raggiungimento – 2022-2024",
        ylabel="% raggiunto",
        percent=True,
        horizontal=True,
    )


def test_chart_is_valid_accessible_svg_with_the_categories():
    svg = _grafico()
    radice = ET.fromstring(svg)  # well-formed XML
    assert radice.tag == f"{SVG}svg"
    assert radice.get("role") == "img"
    assert radice.find(f"{SVG}title").text == "Grado medio di raggiungimento – 2022-2024"
    assert "A. Contrasto alle povertà" in svg and "B. Inclusione sociale" in svg
    assert "80%" in svg  # Italian percentages on the axis
    assert "<script" not in svg


def test_chart_is_deterministic():
    assert _grafico() == _grafico()

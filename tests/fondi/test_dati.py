"""The fondi fixtures load idempotently and do not overwrite the workflow state."""

from decimal import Decimal
from io import StringIO

from django.core.management import call_command

from fondi.models import (
    Assegnazione,
    FinanziamentoProgetto,
    FonteFinanziamento,
    LineaFinanziamento,
    Progetto,
    TotaleRiportato,
)


def _conteggi():
    return [
        m.objects.count()
        for m in (
            FonteFinanziamento,
            LineaFinanziamento,
            Assegnazione,
            TotaleRiportato,
            Progetto,
            FinanziamentoProgetto,
        )
    ]


def test_loading_twice_changes_nothing_and_keeps_the_state(visconteo):
    prima = _conteggi()
    progetto = visconteo.progetti.get(linea__codice="PNRR-M5C2-1.2")
    progetto.stato = "concluso"
    progetto.save()
    out = StringIO()
    call_command("carica_dati", stdout=out)
    assert _conteggi() == prima
    assert "29 assegnazioni" in out.getvalue()
    progetto.refresh_from_db()
    assert progetto.stato == "concluso"


def test_the_line_tree_and_source_levels(db):
    pnrr = LineaFinanziamento.objects.get(codice="PNRR-M5C2-1.3.2")
    assert pnrr.parent.codice == "PNRR-M5C2-1.3"
    assert pnrr.parent.parent.codice == "PNRR-M5C2"
    assert pnrr.fonte.get_livello_display() == "Unione Europea"
    assert {
        linea.codice for linea in LineaFinanziamento.objects.get(codice="PNRR-M5C2-1.1").figli.all()
    } == {
        "PNRR-M5C2-1.1.1",
        "PNRR-M5C2-1.1.2",
        "PNRR-M5C2-1.1.3",
        "PNRR-M5C2-1.1.4",
    }
    assert set(
        LineaFinanziamento.objects.filter(fonte__codice="FNA").values_list("codice", flat=True)
    ) == {"FNA-B2", "FNA-PROVI"}
    assert FonteFinanziamento.objects.get(codice="COFINANZIAMENTO-COMUNALE").livello == "comunale"


def test_the_printed_totals_are_stored_only_as_printed(visconteo):
    assert dict(
        TotaleRiportato.objects.filter(ambito=visconteo).values_list("anno", "importo")
    ) == {2022: Decimal("5111878.00"), 2023: Decimal("5544651.00")}

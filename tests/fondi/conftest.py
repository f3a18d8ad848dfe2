import pytest

from ambito.models import Comune

from .factories import AvanzamentoFactory, FinanziamentoFactory, ProgettoFactory


@pytest.fixture
def progetto_pnrr(visconteo):
    """The Visconteo poverty centre (PNRR 1.3.2 + GSE), from the fixtures."""
    return visconteo.progetti.get(linea__codice="PNRR-M5C2-1.3.2")


@pytest.fixture
def progetto_con_partner(visconteo, altro_ambito):
    """A Visconteo project with Lodi as partner, amounts and one progress snapshot."""
    progetto = ProgettoFactory(ambito=visconteo, stato="in_corso", titolo="Progetto condiviso")
    progetto.ambiti_partner.add(altro_ambito)
    FinanziamentoFactory(progetto=progetto)
    AvanzamentoFactory(progetto=progetto)
    return progetto


@pytest.fixture
def molti_progetti(visconteo, altro_ambito):
    """Create n Visconteo projects, each with a partner, two Comuni, two funding lines
    and two progress snapshots: the list pages must not query per row."""

    def crea(n):
        comuni = list(Comune.objects.filter(ambito=visconteo)[:2])
        progetti = ProgettoFactory.create_batch(n, ambito=visconteo, stato="in_corso")
        for progetto in progetti:
            progetto.ambiti_partner.add(altro_ambito)
            progetto.comuni.set(comuni)
            FinanziamentoFactory(progetto=progetto)
            FinanziamentoFactory(progetto=progetto, linea=progetto.linea.parent)
            AvanzamentoFactory(progetto=progetto)
            AvanzamentoFactory(progetto=progetto, data="2024-12-31", erogato=0)
        return progetti

    return crea

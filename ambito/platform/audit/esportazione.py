"""The audit trail of one Ambito as an export job (ambito/platform/esportazioni.py)."""

from __future__ import annotations

from itertools import islice

from django.utils.translation import gettext as _

from ..esportazioni import Tabella, contenuto
from .forms import FiltroRegistroForm
from .selectors import dettaglia, modifiche

BLOCCO = 500  # entries detailed at a time: memory stays flat on a long trail


def _righe(righe):
    iteratore = iter(righe)
    while blocco := list(islice(iteratore, BLOCCO)):
        for voce in dettaglia(blocco):
            yield [
                voce.data,
                voce.tipo,
                voce.tracciato.nome,
                voce.etichetta,
                "; ".join(f"{m.campo}: {m.prima} → {m.dopo}" for m in voce.modifiche),
                str(voce.utente) if voce.utente else "",
                voce.motivo or "",
            ]


def registro_parametri(*, user, ambito, dati) -> dict:
    """The audit page's filters, as the page showed them (`filtro_<name>`: the export's
    own `tipo` is another field); invalid ones are ignored, as on the page."""
    filtri = {k: dati.get(f"filtro_{k}", "") for k in ("modello", "tipo", "dal", "al")}
    return {"filtri": {k: v for k, v in filtri.items() if v}}


@contenuto("registro", parametri=registro_parametri)
def registro_tabella(job) -> Tabella:
    """The changes of the Ambito's rows that the requester may read, as filtered."""
    form = FiltroRegistroForm(job.parametri.get("filtri") or None)
    righe = modifiche(job.richiesta_da, ambito_id=job.ambito_id, **form.filtri())
    # The filters as the page names them ("Tipo di dato: Comune").
    parametri = {
        str(form[nome].label): str(dict(form.fields[nome].choices).get(valore, valore))
        if hasattr(form.fields[nome], "choices")
        else valore.strftime("%d/%m/%Y")
        for nome, valore in (form.cleaned_data.items() if form.is_bound and form.is_valid() else [])
        if valore
    }
    return Tabella(
        titolo=_("Registro delle modifiche · %(ambito)s") % {"ambito": job.ambito.nome},
        colonne=[
            _("Data"),
            _("Operazione"),
            _("Tipo di dato"),
            _("Oggetto"),
            _("Modifiche"),
            _("Utente"),
            _("Motivo"),
        ],
        parametri=parametri,
        righe=_righe(righe.iterator()),
    )

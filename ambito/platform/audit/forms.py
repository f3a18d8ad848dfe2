"""The filter form of the audit pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import StyledFormMixin
from .registry import TIPI, registro


class FiltroRegistroForm(StyledFormMixin, forms.Form):
    modello = forms.ChoiceField(label=_("Tipo di dato"), required=False)
    tipo = forms.ChoiceField(
        label=_("Operazione"),
        required=False,
        choices=[("", _("Tutte")), *TIPI.items()],
    )
    dal = forms.DateField(
        label=_("Dal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    al = forms.DateField(
        label=_("Al"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        tracciati = sorted(registro().values(), key=lambda t: t.nome)
        self.fields["modello"].choices = [("", _("Tutti"))] + [
            (t.chiave, t.nome) for t in tracciati
        ]

    def clean(self):
        data = super().clean()
        if data.get("dal") and data.get("al") and data["al"] < data["dal"]:
            self.add_error("al", _("La data finale non può precedere quella iniziale."))
        return data

    def filtri(self):
        """The valid filters as keyword arguments of `modifiche()` (invalid ones ignored)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "tracciati": [registro()[data["modello"]]] if data.get("modello") else None,
            "tipo": data.get("tipo") or None,
            "dal": data.get("dal"),
            "al": data.get("al"),
        }

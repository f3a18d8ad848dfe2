"""Which models have an audit trail: every model with a simple-history `history`,
found through the app registry (also in apps added later)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.http import Http404
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

TIPI = {"+": _("Creazione"), "~": _("Modifica"), "-": _("Eliminazione")}
PER_PAGINA = 50


# --- Which models have a trail -------------------------------------------------------


@dataclass(frozen=True)
class Tracciato:
    """A model with history, as the audit pages know it."""

    model: type

    @property
    def storico(self):
        return getattr(self.model, self.model._meta.simple_history_manager_attribute).model

    @property
    def chiave(self) -> str:
        return self.model._meta.label_lower  # e.g. "ambito.datidemografici"

    @property
    def nome(self) -> str:
        return capfirst(self.model._meta.verbose_name)

    @property
    def pk_name(self) -> str:
        return self.model._meta.pk.attname

    @property
    def campi_tecnici(self) -> set[str]:
        """Bookkeeping fields a model declares in `campi_tecnici` (e.g. `versione`):
        recorded, not shown to people."""
        return set(getattr(self.model, "campi_tecnici", ()))

    def campi_m2m(self):
        return list(getattr(self.storico, "_history_m2m_fields", []))


@cache
def registro() -> dict[str, Tracciato]:
    """Every installed model with a simple-history manager, keyed by `app.model`."""
    tracciati = [
        Tracciato(model)
        for model in apps.get_models()
        if getattr(model._meta, "simple_history_manager_attribute", None)
    ]
    return {t.chiave: t for t in tracciati}


def tracciato_or_404(chiave: str) -> Tracciato:
    try:
        return registro()[chiave]
    except KeyError:
        raise Http404(chiave) from None


def url_cronologia(obj) -> str | None:
    """The trail page of a record, for links from other pages (None if not tracked)."""
    tracciato = registro().get(obj._meta.label_lower)
    if tracciato is None:
        return None
    return reverse("registro:oggetto", args=[tracciato.chiave, obj.pk])


# --- Admin ---------------------------------------------------------------------------

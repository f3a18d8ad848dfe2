"""The audit pages: GET only, for the Ufficio di Piano and the Revisori."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from .forms import FiltroRegistroForm
from .registry import PER_PAGINA, tracciato_or_404
from .selectors import (
    cronologia_oggetto,
    dettaglia_operazioni,
    etichetta,
    modifiche,
    operazioni,
    puo_consultare,
    utenti_visibili,
    voci_oggetto,
)


class RegistroMixin(LoginRequiredMixin):
    """Read-only pages for the Ufficio di Piano and the Revisori."""

    http_method_names = ["get", "head"]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not puo_consultare(request.user):
            raise PermissionDenied(
                _("Il registro delle modifiche è riservato all'Ufficio di Piano e ai Revisori.")
            )
        return super().dispatch(request, *args, **kwargs)


class ElencoModificheView(RegistroMixin, TemplateView):
    """All operations the user may see, filtered, paged by operation (a bulk approval is
    one entry that opens to its rows); the per-user page narrows it to one author."""

    template_name = "ambito/audit_list.html"
    autore = None

    def get_context_data(self, **kwargs):
        form = FiltroRegistroForm(self.request.GET or None)
        gruppi = operazioni(self.request.user, autore=self.autore, **form.filtri())
        pagina = Paginator(gruppi, PER_PAGINA).get_page(self.request.GET.get("page"))
        elenco = dettaglia_operazioni(self.request.user, list(pagina.object_list))
        return super().get_context_data(
            ambiti_esportabili=self.ambiti_esportabili(),
            filtri_esportazione=[
                (k, v) for k in ("modello", "tipo", "dal", "al") if (v := self.request.GET.get(k))
            ],
            richiesta=uuid.uuid4().hex,
            filterset=SimpleNamespace(form=form),
            page_obj=pagina,
            is_paginated=pagina.has_other_pages(),
            operazioni=elenco,
            voci=[voce for op in elenco for voce in op.voci],
            autore=self.autore,
            **kwargs,
        )

    def ambiti_esportabili(self):
        """The Ambiti whose trail the user may export (the "Esporta" button)."""
        from ambito.models import Ambito

        user = self.request.user
        ambiti = Ambito.objects.visible_to(user).only("pk", "nome")
        return [a for a in ambiti if user.has_perm("ambito.esporta_dati", a)]


class ModificheUtenteView(ElencoModificheView):
    def get(self, request, *args, **kwargs):
        user = request.user
        autore = get_user_model().objects.filter(pk=kwargs["pk"]).first()
        if autore is None:
            raise Http404
        collega = utenti_visibili(user).filter(pk=autore.pk).exists()
        if not collega and not modifiche(user, autore=autore).exists():
            raise Http404  # ids of users outside the viewer's Ambiti do not leak
        self.autore = autore
        return super().get(request, *args, **kwargs)


class CronologiaOggettoView(RegistroMixin, TemplateView):
    template_name = "ambito/audit_object.html"

    def get_context_data(self, **kwargs):
        tracciato = tracciato_or_404(kwargs["modello"])
        ultima, paginator = cronologia_oggetto(self.request.user, tracciato, kwargs["pk"])
        pagina = paginator.get_page(self.request.GET.get("page"))
        return super().get_context_data(
            tracciato=tracciato,
            etichetta=etichetta(tracciato, ultima),
            eliminato=ultima.history_type == "-",
            page_obj=pagina,
            is_paginated=pagina.has_other_pages(),
            voci=voci_oggetto(tracciato, list(pagina.object_list)),
            **kwargs,
        )

"""Pages of the PNRR reporting (ReGiS) of a project: milestone and target, spending
records, domande di rimborso and their checklist. Scoping and permissions come from
the common mixins (404 outside the user's Ambiti, 403 when he may only read); every
save is a service call (fondi/rendicontazione.py); every figure a selector's."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView, DetailView, UpdateView

from ambito.platform.mixins import (
    ScopedMixin,
    ServiceFormMixin,
    add_service_error,
    check_perm,
    get_editable_or_403,
)

from . import rendicontazione as services
from . import selectors_regis as selectors
from .forms_regis import (
    AvanzamentoObiettivoForm,
    CambioStatoRendicontazioneForm,
    ControlloForm,
    GiustificativoForm,
    ObiettivoProgettoForm,
    RendicontazioneForm,
)
from .models import (
    AvanzamentoObiettivo,
    Giustificativo,
    ObiettivoProgetto,
    Progetto,
    Rendicontazione,
)
from .views import ProgettoChildCreateMixin, ProgettoChildUpdateMixin


class RegisProgettoView(ScopedMixin, DetailView):
    """The ReGiS sheet of a project: M&T with status, spending per line, records,
    domande di rimborso, and the export per CUP."""

    model = Progetto
    template_name = "fondi/regis_progetto.html"
    context_object_name = "progetto"

    def get_base_queryset(self):
        return Progetto.objects.select_related("ambito", "linea")

    def get_context_data(self, **kwargs):
        user, progetto = self.request.user, self.object
        linee, totali = selectors.progetto_spese_per_linea(fetched_by=user, progetto=progetto)
        giustificativi = selectors.giustificativi_per_elenco(
            fetched_by=user, giustificativi=Giustificativo.objects.filter(progetto=progetto)
        ).order_by("data_documento", "pk")
        rendicontazioni = selectors.rendicontazioni_con_totali(
            fetched_by=user, rendicontazioni=Rendicontazione.objects.filter(progetto=progetto)
        ).order_by("numero")
        return super().get_context_data(
            obiettivi=selectors.progetto_obiettivi(fetched_by=user, progetto=progetto),
            spese_linee=linee,
            spese_totali=totali,
            giustificativi=giustificativi,
            rendicontazioni=rendicontazioni,
            richiesta=uuid.uuid4().hex,
            **kwargs,
        )


class RegisChildMixin:
    """Forms under a project's ReGiS sheet: back to it when saved."""

    titolo_nuovo = titolo_modifica = ""

    def get_context_data(self, **kwargs):
        modifica = getattr(self, "object", None) is not None
        titolo = self.titolo_modifica if modifica else self.titolo_nuovo
        return super().get_context_data(titolo_pagina=titolo, **kwargs)

    def get_success_url(self):
        return reverse("fondi:regis", args=[self.progetto.pk])


class ObiettivoMixin(RegisChildMixin):
    titolo_nuovo = _("Nuovo milestone o target")
    titolo_modifica = _("Modifica milestone o target")
    model = ObiettivoProgetto
    form_class = ObiettivoProgettoForm
    template_name = "fondi/regis_form.html"

    def perform_save(self, form):
        return services.obiettivo_save(obiettivo=form.instance)


class ObiettivoCreateView(ObiettivoMixin, ProgettoChildCreateMixin, CreateView):
    success_message = _("Milestone o target inserito.")


class ObiettivoUpdateView(ObiettivoMixin, ProgettoChildUpdateMixin, UpdateView):
    success_message = _("Milestone o target aggiornato.")


class AvanzamentoObiettivoMixin(RegisChildMixin, ServiceFormMixin):
    titolo_nuovo = _("Valore raggiunto nel periodo")
    titolo_modifica = _("Modifica valore raggiunto")
    model = AvanzamentoObiettivo
    form_class = AvanzamentoObiettivoForm
    template_name = "fondi/regis_form.html"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "obiettivo": self.obiettivo,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(progetto=self.progetto, obiettivo=self.obiettivo, **kwargs)

    def perform_save(self, form):
        return services.avanzamento_obiettivo_save(avanzamento=form.instance)


class AvanzamentoObiettivoCreateView(AvanzamentoObiettivoMixin, CreateView):
    success_message = _("Valore raggiunto registrato.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.obiettivo = get_editable_or_403(
                ObiettivoProgetto, request.user, pk=kwargs["obiettivo_pk"]
            )
            self.progetto = self.obiettivo.progetto
        return super().dispatch(request, *args, **kwargs)


class AvanzamentoObiettivoUpdateView(AvanzamentoObiettivoMixin, UpdateView):
    success_message = _("Valore raggiunto aggiornato.")

    def get_object(self, queryset=None):
        obj = get_editable_or_403(AvanzamentoObiettivo, self.request.user, pk=self.kwargs["pk"])
        self.obiettivo, self.progetto = obj.obiettivo, obj.obiettivo.progetto
        return obj


class GiustificativoMixin(RegisChildMixin):
    titolo_nuovo = _("Nuovo giustificativo di spesa")
    titolo_modifica = _("Modifica giustificativo di spesa")
    model = Giustificativo
    form_class = GiustificativoForm
    template_name = "fondi/regis_form.html"

    def perform_save(self, form):
        return services.giustificativo_save(giustificativo=form.instance)


class GiustificativoCreateView(GiustificativoMixin, ProgettoChildCreateMixin, CreateView):
    success_message = _("Giustificativo di spesa inserito.")

    def get_initial(self):
        rendicontazione = self.request.GET.get("rendicontazione", "")
        return {**super().get_initial(), "rendicontazione": rendicontazione or None}


class GiustificativoUpdateView(GiustificativoMixin, ProgettoChildUpdateMixin, UpdateView):
    success_message = _("Giustificativo di spesa aggiornato.")


class RendicontazioneCreateView(RegisChildMixin, ProgettoChildCreateMixin, CreateView):
    titolo_nuovo = _("Nuova domanda di rimborso")
    model = Rendicontazione
    form_class = RendicontazioneForm
    template_name = "fondi/regis_form.html"
    success_message = _("Domanda di rimborso creata in bozza.")

    def perform_save(self, form):
        return services.rendicontazione_create(rendicontazione=form.instance)

    def get_success_url(self):
        return self.object.get_absolute_url()


class RendicontazioneDetailView(ScopedMixin, DetailView):
    """A domanda di rimborso: its records and total, the checklist of the attested
    controls (tick and untick, POST) and the change of state (POST)."""

    model = Rendicontazione
    template_name = "fondi/rendicontazione_detail.html"
    context_object_name = "rendicontazione"

    def get_queryset(self):
        return selectors.rendicontazioni_con_totali(fetched_by=self.request.user).prefetch_related(
            "controlli__attestato_da"
        )

    def get_context_data(self, **kwargs):
        r = self.object
        giustificativi = selectors.giustificativi_per_elenco(
            fetched_by=self.request.user,
            giustificativi=Giustificativo.objects.filter(rendicontazione=r),
        ).order_by("data_documento", "pk")
        kwargs.setdefault("stato_form", CambioStatoRendicontazioneForm())
        return super().get_context_data(
            progetto=r.progetto,
            giustificativi=giustificativi,
            checklist=selectors.checklist(r),
            stati_successivi=[
                s
                for s in ("inviata", "validata", "respinta", "bozza")
                if services.rendicontazione_transizione_ammessa(r.stato, s)
            ],
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()  # 404 outside scope
        r = self.object
        if "controllo" in request.POST:
            return self._controllo(request, r)
        check_perm(request.user, "fondi.cambia_stato_rendicontazione", r)
        form = CambioStatoRendicontazioneForm(request.POST)
        if form.is_valid():
            try:
                services.rendicontazione_transition(
                    rendicontazione=r,
                    stato=form.cleaned_data["stato"],
                    nota=form.cleaned_data["nota"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Domanda di rimborso: stato «%(stato)s».") % {"stato": r.get_stato_display()},
                )
                return HttpResponseRedirect(r.get_absolute_url())
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data(stato_form=form))

    def _controllo(self, request, r):
        check_perm(request.user, "fondi.attesta_controllo", r)
        form = ControlloForm(request.POST)
        if form.is_valid():
            dati = form.cleaned_data
            try:
                if dati["azione"] == "attesta":
                    services.controllo_attesta(
                        rendicontazione=r, controllo=dati["controllo"], user=request.user
                    )
                else:
                    services.controllo_revoca(
                        rendicontazione=r, controllo=dati["controllo"], user=request.user
                    )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(r.get_absolute_url() + "#checklist")


class RendicontazioneUpdateView(RegisChildMixin, ProgettoChildUpdateMixin, UpdateView):
    titolo_modifica = _("Modifica domanda di rimborso")
    model = Rendicontazione
    form_class = RendicontazioneForm
    template_name = "fondi/regis_form.html"
    success_message = _("Domanda di rimborso aggiornata.")

    def perform_save(self, form):
        return services.rendicontazione_update(rendicontazione=form.instance)

    def get_success_url(self):
        return self.object.get_absolute_url()

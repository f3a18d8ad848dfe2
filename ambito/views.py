from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import (
    CreateView,
    DetailView,
    FormView,
    ListView,
    TemplateView,
    UpdateView,
)

from . import selectors, services
from .filtersets import EnteFilterSet
from .forms import (
    CalendarioPromemoriaForm,
    ComuneForm,
    DatiDemograficiForm,
    EsportazioneForm,
    PreferenzeNotificheForm,
    VerificaReportForm,
)
from .models import Ambito, Comune, DatiDemografici, Ente, Esportazione, Notifica, ReportGenerato
from .platform import esportazioni
from .platform.mixins import (
    FilteredListMixin,
    ScopedCreateMixin,
    ScopedMixin,
    ScopedUpdateMixin,
    ServiceFormMixin,
    check_perm,
    get_editable_or_403,
    get_visible_or_404,
)
from .validators import e_un_id


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "ambito/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        ambiti = list(
            Ambito.objects.visible_to(user).select_related("ente_capofila").order_by("nome")
        )
        popolazioni = selectors.popolazione_di_riferimento_per_ambito(ambiti=ambiti)
        riepilogo = [
            {
                "ambito": ambito,
                "anno": popolazioni[ambito.pk].anno,
                "residenti": popolazioni[ambito.pk].residenti,
            }
            for ambito in ambiti
        ]
        return super().get_context_data(riepilogo=riepilogo, **kwargs)


class TerritorioView(LoginRequiredMixin, TemplateView):
    """Comuni of each visible Ambito with residents per year and the computed total."""

    template_name = "ambito/comune_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        comuni = selectors.popolazione_per_comune(fetched_by=user)
        anni = sorted({anno for comune in comuni for anno in comune.residenti})
        comuni_per_ambito = {}
        for comune in comuni:
            comuni_per_ambito.setdefault(comune.ambito_id, []).append(comune)
        ambiti = list(Ambito.objects.visible_to(user))
        totali = selectors.popolazione_totale_per_ambito(ambiti=ambiti)
        tabelle = [
            {
                "ambito": ambito,
                "comuni": comuni_per_ambito.get(ambito.pk, []),
                "totali": totali[ambito.pk],
            }
            for ambito in ambiti
        ]
        return super().get_context_data(
            tabelle=tabelle,
            anni=anni,
            **kwargs,
        )


class ComuneDetailView(ScopedMixin, DetailView):
    model = Comune

    def get_base_queryset(self):
        return Comune.objects.select_related("ambito")

    def get_context_data(self, **kwargs):
        comune = self.object
        return super().get_context_data(
            dati=comune.dati_demografici.order_by("anno"),
            enti=comune.enti.all(),
            **kwargs,
        )


class ComuneCreateView(ScopedCreateMixin, CreateView):
    permission_required = "ambito.crea_comune"
    model = Comune
    form_class = ComuneForm
    success_message = _("Comune inserito.")

    def perform_save(self, form):
        return services.comune_save(comune=form.instance)


class ComuneUpdateView(ScopedUpdateMixin, UpdateView):
    model = Comune
    form_class = ComuneForm
    success_message = _("Comune aggiornato.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def perform_save(self, form):
        return services.comune_save(comune=form.instance)


class DatiDemograficiFormMixin(ServiceFormMixin):
    model = DatiDemografici
    form_class = DatiDemograficiForm
    template_name = "ambito/datidemografici_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "comune": self.comune}

    def get_context_data(self, **kwargs):
        return super().get_context_data(comune=self.comune, **kwargs)

    def get_success_url(self):
        return reverse("ambito:comune_detail", args=[self.comune.pk])

    def perform_save(self, form):
        return services.dati_demografici_save(dati=form.instance)


class DatiDemograficiCreateView(DatiDemograficiFormMixin, CreateView):
    success_message = _("Dati demografici inseriti.")

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated:
            self.comune = get_visible_or_404(Comune, user, pk=kwargs["comune_pk"])
            check_perm(
                user,
                "ambito.crea_datidemografici",
                self.comune,
                _("Non hai i permessi per inserire questi dati."),
            )
        return super().dispatch(request, *args, **kwargs)


class DatiDemograficiUpdateView(DatiDemograficiFormMixin, UpdateView):
    success_message = _("Dati demografici aggiornati.")

    def get_object(self, queryset=None):
        dati = get_editable_or_403(DatiDemografici, self.request.user, pk=self.kwargs["pk"])
        self.comune = dati.comune
        return dati


class EnteListView(FilteredListMixin, ListView):
    model = Ente
    filterset_class = EnteFilterSet
    paginate_by = 50

    def get_base_queryset(self):
        return Ente.objects.select_related("ambito", "comune")


class ReportGeneratoListView(ScopedMixin, ListView):
    """The register of generated reports, with a form to verify a copy."""

    model = ReportGenerato
    paginate_by = 50
    template_name = "ambito/reportgenerato_list.html"

    def get_base_queryset(self):
        return ReportGenerato.objects.select_related("ambito", "comune", "generato_da")

    def get_context_data(self, **kwargs):
        return super().get_context_data(verifica_form=VerificaReportForm(), **kwargs)


class VerificaReportView(LoginRequiredMixin, FormView):
    """Upload a PDF: its SHA-256 is looked up among the reports the user may see."""

    form_class = VerificaReportForm
    template_name = "ambito/report_verifica.html"

    def form_valid(self, form):
        impronta = form.cleaned_data["impronta"]
        trovato = (
            ReportGenerato.objects.visible_to(self.request.user)
            .select_related("generato_da", "ambito", "comune")
            .filter(sha256=impronta)
            .first()
        )
        return self.render_to_response(
            self.get_context_data(form=form, impronta=impronta, trovato=trovato, verificato=True)
        )


class ReportDownloadView(LoginRequiredMixin, View):
    """GET: the stored PDF of a registered report, for whoever may see the report."""

    def get(self, request, pk):
        report = get_visible_or_404(ReportGenerato, request.user, pk=pk)
        if not report.file:
            raise Http404(_("Il PDF di questo report non è stato conservato."))
        return FileResponse(
            report.file.open("rb"),
            as_attachment=True,
            filename=report.nome_file,
            content_type="application/pdf",
        )


class NotificaListView(LoginRequiredMixin, ListView):
    """The user's own notices (the bell in the header); POST marks them read."""

    paginate_by = 30
    template_name = "ambito/notifica_list.html"

    def get_queryset(self):
        return Notifica.objects.filter(utente=self.request.user)

    def post(self, request):
        pk = request.POST.get("notifica")
        services.notifiche_mark_read(
            utente=request.user, pk=int(pk) if pk and e_un_id(pk) else None
        )
        return HttpResponseRedirect(reverse("ambito:notifica_list"))


class NotificaConteggioView(LoginRequiredMixin, View):
    """GET: the unread count of the bell, fetched by htmx after the page (so that no page
    pays a query for it); without JavaScript the bell is a plain link."""

    def get(self, request):
        n = Notifica.objects.filter(utente=request.user, letta_il__isnull=True).count()
        return render(request, "ambito/_notifiche_conteggio.html", {"n": n})


class PreferenzeView(LoginRequiredMixin, FormView):
    """The user's e-mail choices (the link at the bottom of every e-mail)."""

    form_class = PreferenzeNotificheForm
    template_name = "ambito/preferenze.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": services.preferenze_of(self.request.user)}

    def get_context_data(self, **kwargs):
        user = self.request.user
        ambiti = Ambito.objects.visible_to(user).only("pk", "nome")
        return super().get_context_data(
            ambiti_calendario=[
                a for a in ambiti if user.has_perm("ambito.modifica_calendariopromemoria", a)
            ],
            **kwargs,
        )

    def form_valid(self, form):
        services.preferenze_save(preferenze=form.save(commit=False))
        messages.success(self.request, _("Preferenze salvate."))
        return HttpResponseRedirect(reverse("ambito:preferenze"))


class CalendarioPromemoriaView(LoginRequiredMixin, FormView):
    """When the Ambito's Operatori are reminded of a deadline (its Ufficio di Piano)."""

    form_class = CalendarioPromemoriaForm
    template_name = "ambito/calendariopromemoria_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.ambito = get_visible_or_404(Ambito, request.user, pk=kwargs["pk"])
            check_perm(
                request.user,
                "ambito.modifica_calendariopromemoria",
                self.ambito,
                _("Il calendario dei promemoria è dell'Ufficio di Piano dell'Ambito."),
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": services.calendario_promemoria_of(self.ambito),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(ambito=self.ambito, **kwargs)

    def form_valid(self, form):
        services.calendario_promemoria_save(calendario=form.save(commit=False))
        messages.success(self.request, _("Calendario dei promemoria salvato."))
        return HttpResponseRedirect(self.request.path)


class EsportazioneCreateView(LoginRequiredMixin, View):
    """POST: ask for an export; the answer is at once the job's page (a worker writes)."""

    def post(self, request):
        form = EsportazioneForm(request.POST, user=request.user)
        if not form.is_valid():
            raise Http404
        ambito, tipo = form.cleaned_data["ambito"], form.cleaned_data["tipo"]
        check_perm(
            request.user,
            "ambito.esporta_dati",
            ambito,
            _("Le esportazioni sono riservate all'Ufficio di Piano e ai Revisori dell'Ambito."),
        )
        parametri = esportazioni.parametri_of(
            tipo, user=request.user, ambito=ambito, dati=request.POST
        )
        job, _created = services.esportazione_request(
            user=request.user,
            ambito=ambito,
            tipo=tipo,
            parametri=parametri,
            richiesta=form.cleaned_data["richiesta"],
        )
        return HttpResponseRedirect(job.get_absolute_url(), status=303)


class EsportazioneDetailView(LoginRequiredMixin, DetailView):
    """An export job of the user: its state, refreshed while it runs; retry (POST)."""

    template_name = "ambito/esportazione_detail.html"
    context_object_name = "job"

    def get_queryset(self):
        # A job is its requester's own page (the file itself is in the register).
        return Esportazione.objects.filter(richiesta_da=self.request.user).select_related(
            "ambito", "report"
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            riprovabile=services.esportazione_retryable(self.object), **kwargs
        )

    def post(self, request, pk):
        job = self.get_object()
        try:
            services.esportazione_retry(user=request.user, job=job)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(job.get_absolute_url(), status=303)

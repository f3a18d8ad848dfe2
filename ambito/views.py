from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
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
    ComuneForm,
    DatiDemograficiForm,
    PreferenzeNotificheForm,
    TokenAPIForm,
    VerificaReportForm,
)
from .models import Ambito, Comune, DatiDemografici, Ente, Notifica, ReportGenerato, TokenAPI
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

    def form_valid(self, form):
        services.preferenze_save(preferenze=form.save(commit=False))
        messages.success(self.request, _("Preferenze salvate."))
        return HttpResponseRedirect(reverse("ambito:preferenze"))


# --- Personal API tokens (/profilo/token/) ---------------------------------------------


def _mostra_segreto(request, token, segreto, titolo):
    """The page that shows a secret, once: never cached, never stored anywhere."""
    response = render(
        request,
        "ambito/tokenapi_segreto.html",
        {"token": token, "segreto": segreto, "titolo": titolo},
    )
    add_never_cache_headers(response)
    return response


class TokenAPIListView(LoginRequiredMixin, ListView):
    """The user's own tokens: name, prefix, dates; revoked and expired ones too."""

    template_name = "ambito/tokenapi_list.html"
    paginate_by = 50

    def get_queryset(self):
        return TokenAPI.objects.filter(utente=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(adesso=timezone.now(), **kwargs)


class TokenAPICreateView(LoginRequiredMixin, FormView):
    form_class = TokenAPIForm
    template_name = "ambito/tokenapi_form.html"

    def form_valid(self, form):
        try:
            token, segreto = services.token_create(utente=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)  # the service's fields are the form's
            return self.form_invalid(form)
        return _mostra_segreto(self.request, token, segreto, _("Token creato"))


class TokenAPIActionView(LoginRequiredMixin, View):
    """GET: a confirmation page; POST: the action. Another user's token answers 404."""

    template_name = "ambito/tokenapi_conferma.html"

    def get_token(self):
        return get_object_or_404(TokenAPI, pk=self.kwargs["pk"], utente=self.request.user)

    def get(self, request, pk):
        token = self.get_token()
        spiegazione = self.spiegazione % {"giorni": token.giorni_validita}
        return render(
            request, self.template_name, {"token": token, "view": self, "spiegazione": spiegazione}
        )


class TokenAPIRotateView(TokenAPIActionView):
    titolo = _("Rigenera il token")
    spiegazione = _(
        "Si crea un nuovo segreto, valido di nuovo per %(giorni)s giorni; quello attuale "
        "smette subito di funzionare: andrà sostituito negli script che lo usano."
    )
    pulsante = _("Rigenera")

    def post(self, request, pk):
        token = self.get_token()
        try:
            segreto = services.token_rotate(token=token)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(reverse("token:tokenapi_list"))
        return _mostra_segreto(request, token, segreto, _("Token rigenerato"))


class TokenAPIRevokeView(TokenAPIActionView):
    titolo = _("Revoca il token")
    spiegazione = _(
        "Il token smette subito di funzionare e non si può riattivare; resta nell'elenco "
        "per memoria."
    )
    pulsante = _("Revoca")

    def post(self, request, pk):
        token = services.token_revoke(token=self.get_token())
        messages.success(request, _("Token «%(nome)s» revocato.") % {"nome": token.nome})
        return HttpResponseRedirect(reverse("token:tokenapi_list"))

"""Pages of the servizi app (namespace `servizi`). Scoping and write permission come
from the common mixins; every save is a service call; every figure comes from a selector."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse, reverse_lazy
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

from ambito.models import Ambito
from ambito.platform.mixins import (
    EsportaMixin,
    FilteredListMixin,
    ScopedCreateMixin,
    ScopedMixin,
    ScopedUpdateMixin,
    ServiceFormMixin,
    get_editable_or_403,
)
from ambito.platform.pdf import pdf_response
from ambito.selectors import ambito_scelto

from . import esportazioni, reports, selectors, services
from .capitolo import capitolo_contesto
from .choices import TipoServizio
from .controlli import controlli_tabelle
from .filtersets import ServizioFilterSet, UnitaOffertaFilterSet
from .forms import (
    AnniCapitoloForm,
    AvvisoForm,
    CaricaValoriForm,
    DatoAnnualeForm,
    PostiPerMilleForm,
    QuotaFormSet,
    ServizioForm,
    TabellaForm,
    UnitaOffertaForm,
)
from .models import Avviso, DatoAnnuale, Servizio, Tabella, UnitaOfferta
from .tabelle import leggi_csv


class PaginaFormMixin:
    """Title and cancel link of the app's form page (servizi/form.html)."""

    template_name = "servizi/form.html"
    titolo_nuovo = titolo_modifica = ""

    def get_annulla_url(self):
        return self.get_success_url() if getattr(self, "object", None) else self.lista_url

    def get_context_data(self, **kwargs):
        titolo = self.titolo_modifica if getattr(self, "object", None) else self.titolo_nuovo
        return super().get_context_data(titolo=titolo, annulla_url=self.get_annulla_url(), **kwargs)


class ServizioListView(EsportaMixin, FilteredListMixin, ListView):
    """The catalogue of services and measures, grouped by area of intervention."""

    model = Servizio
    filterset_class = ServizioFilterSet
    template_name = "servizi/servizio_list.html"
    titolo_esportazione = _("Servizi e misure")
    colonne_esportazione = esportazioni.SERVIZI_COLONNE

    def riga_esportazione(self, obj):
        return esportazioni.servizio_riga(obj)

    def get_queryset(self):
        filtrati = super().get_queryset()
        return selectors.servizi_per_elenco(
            fetched_by=self.request.user, servizi=filtrati
        ).order_by("area__ordine", "tipo", "nome")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        per_area = {}
        for servizio in context["object_list"]:
            per_area.setdefault(servizio.area, []).append(servizio)
        return {
            **context,
            "per_area": per_area.items(),
        }


class ServizioDetailView(ScopedMixin, DetailView):
    model = Servizio

    def get_base_queryset(self):
        return Servizio.objects.select_related("area", "ente_gestore", "ambito")

    def get_context_data(self, **kwargs):
        user = self.request.user
        servizio = self.object
        avvisi = selectors.avvisi_con_risorse(
            fetched_by=user, avvisi=Avviso.objects.visible_to(user).filter(servizio=servizio)
        )
        return super().get_context_data(
            serie=selectors.servizio_grandezze(fetched_by=user, servizio=servizio),
            avvisi=avvisi,
            comuni=servizio.comuni.order_by("nome"),
            linee=servizio.linee.select_related("fonte").order_by("codice"),
            indicatori=servizio.indicatori.visible_to(user).order_by("codice"),
            **kwargs,
        )


class ServizioFormMixin(PaginaFormMixin):
    model = Servizio
    form_class = ServizioForm
    titolo_nuovo = _("Nuovo servizio o misura")
    titolo_modifica = _("Modifica servizio o misura")
    lista_url = reverse_lazy("servizi:index")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def perform_save(self, form):
        return services.servizio_save(
            servizio=form.instance,
            comuni=form.cleaned_data["comuni"],
            linee=form.cleaned_data["linee"],
        )

    def get_success_url(self):
        return reverse("servizi:servizio_detail", args=[self.object.pk])


class ServizioCreateView(ServizioFormMixin, ScopedCreateMixin, CreateView):
    permission_required = "servizi.crea_servizio"
    success_message = _("Servizio inserito.")


class ServizioUpdateView(ServizioFormMixin, ScopedUpdateMixin, UpdateView):
    success_message = _("Servizio aggiornato.")


class ServizioChildMixin(PaginaFormMixin, ServiceFormMixin):
    """Forms of a service's yearly figures and calls: the Ufficio di Piano of the
    service's Ambito only (404 when the service is not visible, else 403)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.servizio = self.get_servizio()
        return super().dispatch(request, *args, **kwargs)

    def get_servizio(self):
        return get_editable_or_403(Servizio, self.request.user, pk=self.kwargs["servizio_pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(servizio=self.servizio, **kwargs)

    def get_success_url(self):
        return reverse("servizi:servizio_detail", args=[self.servizio.pk])

    def get_annulla_url(self):
        return self.get_success_url()


class DatoAnnualeFormMixin(ServizioChildMixin):
    model = DatoAnnuale
    form_class = DatoAnnualeForm
    titolo_nuovo = _("Nuovo valore annuale")
    titolo_modifica = _("Modifica valore annuale")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "servizio": self.servizio}

    def perform_save(self, form):
        return services.dato_annuale_save(dato=form.instance)


class DatoAnnualeCreateView(DatoAnnualeFormMixin, CreateView):
    success_message = _("Valore inserito.")


class DatoAnnualeUpdateView(DatoAnnualeFormMixin, UpdateView):
    success_message = _("Valore aggiornato.")

    def get_servizio(self):
        self.object = get_editable_or_403(DatoAnnuale, self.request.user, pk=self.kwargs["pk"])
        return self.object.grandezza.servizio

    def get_object(self, queryset=None):
        return self.object


class AvvisoFormMixin(ServizioChildMixin):
    model = Avviso
    form_class = AvvisoForm
    titolo_nuovo = _("Nuovo avviso pubblico")
    titolo_modifica = _("Modifica avviso pubblico")

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "user": self.request.user}
        kwargs.setdefault("instance", None)
        if kwargs["instance"] is None:
            kwargs["instance"] = Avviso(servizio=self.servizio)
        return kwargs

    def get_context_data(self, **kwargs):
        if "quote" not in kwargs:
            kwargs["quote"] = QuotaFormSet(instance=self.object or Avviso(servizio=self.servizio))
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        quote = QuotaFormSet(self.request.POST, instance=form.instance)
        if not quote.is_valid():
            return self.render_to_response(self.get_context_data(form=form, quote=quote))
        self.quote = quote  # saved with the call, in the service's transaction
        return super().form_valid(form)

    def form_invalid(self, form):
        quote = getattr(self, "quote", None) or QuotaFormSet(
            self.request.POST, instance=form.instance
        )
        return self.render_to_response(self.get_context_data(form=form, quote=quote))

    def perform_save(self, form):
        return services.avviso_save(
            avviso=form.instance,
            quote=self.quote.save(commit=False),
            eliminate=self.quote.deleted_objects,
        )


class AvvisoCreateView(AvvisoFormMixin, CreateView):
    success_message = _("Avviso inserito.")

    def get_servizio(self):
        servizio = super().get_servizio()
        if servizio.tipo != TipoServizio.MISURA:
            raise Http404(_("Gli avvisi pubblici appartengono a una misura."))
        return servizio


class AvvisoUpdateView(AvvisoFormMixin, UpdateView):
    success_message = _("Avviso aggiornato.")

    def get_servizio(self):
        self.object = get_editable_or_403(Avviso, self.request.user, pk=self.kwargs["pk"])
        return self.object.servizio

    def get_object(self, queryset=None):
        return self.object


# --- Unità d'offerta -------------------------------------------------------------------


class UnitaOffertaListView(EsportaMixin, FilteredListMixin, ListView):
    model = UnitaOfferta
    filterset_class = UnitaOffertaFilterSet
    paginate_by = 50
    template_name = "servizi/unita_list.html"
    titolo_esportazione = _("Unità d'offerta")
    colonne_esportazione = esportazioni.UNITA_COLONNE

    def riga_esportazione(self, obj):
        return esportazioni.unita_riga(obj)

    def get_queryset(self):
        filtrati = super().get_queryset()
        return selectors.unita_per_elenco(fetched_by=self.request.user, unita=filtrati).order_by(
            "tipo__natura", "tipo__ordine", "comune__nome", "nome", "pk"
        )

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            riepilogo=selectors.riepilogo_unita(fetched_by=user, unita=self.filterset.qs),
            ambiti_editabili=set(Ambito.objects.editable_by(user).values_list("pk", flat=True)),
            **kwargs,
        )


class RiepilogoUnitaView(LoginRequiredMixin, TemplateView):
    """Counts and places by area and type, and places per 1.000 residents per Comune."""

    template_name = "servizi/unita_riepilogo.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        ambito = ambito_scelto(fetched_by=user, pk=self.request.GET.get("ambito"))
        unita = UnitaOfferta.objects.visible_to(user).filter(ambito=ambito)
        form_posti = PostiPerMilleForm(self.request.GET)
        anno = form_posti.cleaned_data["anno"] if form_posti.is_valid() else None
        return super().get_context_data(
            ambito=ambito,
            riepilogo=selectors.riepilogo_unita(fetched_by=user, unita=unita),
            form_posti=form_posti,
            posti=selectors.posti_per_comune(fetched_by=user, ambito=ambito, anno=anno, unita=unita)
            if ambito
            else None,
            **kwargs,
        )


class VerificaView(EsportaMixin, LoginRequiredMixin, TemplateView):
    """Where the figures printed in the Piano differ from what the rows add up to."""

    template_name = "servizi/verifica.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        ambito = ambito_scelto(fetched_by=user, pk=self.request.GET.get("ambito"))
        verifica = (
            selectors.verifica_piano(fetched_by=user, ambito=ambito)
            if ambito
            else selectors.VerificaPiano([])
        )
        return super().get_context_data(
            ambito=ambito,
            verifiche=verifica.verifiche,
            discordanti=verifica.da_controllare,
            per_tipo=verifica.per_tipo,
            **kwargs,
        )

    def get_tabella_esportazione(self):
        dati = self.get_context_data()
        return esportazioni.verifica_tabella(ambito=dati["ambito"], verifiche=dati["verifiche"])


class UnitaOffertaFormMixin(PaginaFormMixin):
    model = UnitaOfferta
    form_class = UnitaOffertaForm
    titolo_nuovo = _("Nuova unità d'offerta")
    titolo_modifica = _("Modifica unità d'offerta")
    lista_url = reverse_lazy("servizi:unita_list")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def perform_save(self, form):
        return services.unita_save(unita=form.instance)

    def get_success_url(self):
        return reverse("servizi:unita_list")


class UnitaOffertaCreateView(UnitaOffertaFormMixin, ScopedCreateMixin, CreateView):
    permission_required = "servizi.crea_unitaofferta"
    success_message = _("Unità d'offerta inserita.")


class UnitaOffertaUpdateView(UnitaOffertaFormMixin, ScopedUpdateMixin, UpdateView):
    success_message = _("Unità d'offerta aggiornata.")


# --- Statistical tables of the context analysis -----------------------------------------


class TabellaListView(LoginRequiredMixin, TemplateView):
    """The tables of the Piano's context analysis, with their rows and printed figures."""

    template_name = "servizi/tabella_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        ambito = ambito_scelto(fetched_by=user, pk=self.request.GET.get("ambito"))
        return super().get_context_data(
            ambito=ambito,
            tabelle=selectors.tabelle_per_elenco(fetched_by=user, ambito=ambito) if ambito else [],
            puo_creare=user.has_perm("servizi.crea_tabella"),
            **kwargs,
        )


class TabellaDetailView(ScopedMixin, DetailView):
    """A table as printed, and beside each printed figure what its rows give."""

    model = Tabella
    template_name = "servizi/tabella_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        tabella = self.object
        controlli = [
            v
            for v in controlli_tabelle(fetched_by=user, ambito=tabella.ambito)
            if v.sezione == tabella.codice
        ]
        return super().get_context_data(
            prospetti=selectors.tabella_prospetti(fetched_by=user, tabella=tabella),
            controlli=controlli,
            puo_caricare=user.has_perm("servizi.modifica_tabella", tabella),
            **kwargs,
        )


class TabellaCreateView(PaginaFormMixin, ScopedCreateMixin, CreateView):
    model = Tabella
    form_class = TabellaForm
    titolo_nuovo = _("Nuova tabella statistica")
    lista_url = reverse_lazy("servizi:tabella_list")
    success_message = _("Tabella inserita: ora si possono caricare i valori.")

    def perform_save(self, form):
        return services.tabella_save(tabella=form.instance, misure=form.cleaned_data["misure"])

    def get_success_url(self):
        return reverse("servizi:tabella_importa", args=[self.object.pk])


class TabellaImportaView(LoginRequiredMixin, FormView):
    """Rows of a table from a CSV: the preview (dry run) first, then the confirmation;
    all rows or none."""

    form_class = CaricaValoriForm
    template_name = "servizi/tabella_importa.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.tabella = get_editable_or_403(Tabella, request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        contenuto = form.cleaned_data["contenuto"]
        righe, errori_file = leggi_csv(contenuto)
        conferma = "conferma" in self.request.POST and not form.cleaned_data.get("file")
        if errori_file:
            for errore in errori_file:
                form.add_error("file", errore)
            return self.form_invalid(form)
        esito = services.tabella_valori_importa(
            tabella=self.tabella, righe=righe, conferma=conferma
        )
        if esito.applicato:
            messages.success(
                self.request,
                _("Valori caricati: %(n)d nuovi, %(a)d aggiornati, %(i)d invariati.")
                % {"n": esito.nuove, "a": esito.aggiornate, "i": esito.invariate},
            )
            return HttpResponseRedirect(reverse("servizi:tabella_detail", args=[self.tabella.pk]))
        conferma_form = CaricaValoriForm(initial={"contenuto": contenuto})
        return self.render_to_response(
            self.get_context_data(form=form, esito=esito, conferma_form=conferma_form)
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(tabella=self.tabella, **kwargs)


class CapitoloContestoPdfView(LoginRequiredMixin, View):
    """POST: the context chapter as its own PDF, for the years of the page's form."""

    def post(self, request):
        user = request.user
        ambito = ambito_scelto(fetched_by=user, pk=request.POST.get("ambito"))
        if ambito is None:
            raise Http404
        form = AnniCapitoloForm(request.POST)
        if not form.is_valid():
            raise Http404
        report = reports.capitolo_contesto_pdf(
            user=user, ambito=ambito, dal=form.cleaned_data["dal"], al=form.cleaned_data["al"]
        )
        return pdf_response(report)


class CapitoloContestoView(LoginRequiredMixin, TemplateView):
    """The context chapter of the next Piano, written from the tables for chosen years."""

    template_name = "servizi/capitolo.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        ambito = ambito_scelto(fetched_by=user, pk=self.request.GET.get("ambito"))
        form = AnniCapitoloForm(self.request.GET or None)
        anni = form.cleaned_data if form.is_bound and form.is_valid() else {}
        capitolo = (
            capitolo_contesto(
                fetched_by=user, ambito=ambito, dal=anni.get("dal"), al=anni.get("al")
            )
            if ambito and not form.errors
            else []
        )
        return super().get_context_data(ambito=ambito, form=form, capitolo=capitolo, **kwargs)

"""Pages of the Piano di Zona: overview, evaluation of the previous plan, schede, forms.

Scoping comes from the base mixins (not visible -> 404, visible but not editable ->
403); every write is a service call whose messages appear next to the fields.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import (
    CreateView,
    DetailView,
    FormView,
    ListView,
    TemplateView,
    UpdateView,
)

from ambito.platform.charts import bar_chart
from ambito.platform.mixins import (
    ScopedCreateMixin,
    ScopedDeleteMixin,
    ScopedMixin,
    ServiceFormMixin,
    add_service_error,
    get_editable_or_403,
    get_visible_or_404,
)
from ambito.roles import ruoli
from ambito.validators import e_un_id

from . import selectors, services
from .choices import StatoPiano
from .filtersets import ValutazioneFilterSet
from .forms import (
    MacroAreaForm,
    ObiettivoForm,
    PianoCopiaForm,
    PianoDiZonaForm,
    PrimoPianoForm,
    SchedaForm,
    ValutazioneForm,
)
from .models import MacroArea, Obiettivo, PianoDiZona, Scheda, Valutazione


class PianoOverviewMixin:
    """Context of a plan's overview: macro-areas, objectives, schede, budget total."""

    template_name = "programmi/piano_detail.html"

    def overview_context(self, piano):
        user = self.request.user
        return {
            "piano": piano,
            "gruppi": selectors.obiettivi_per_macro_area(piano=piano),
            "macro_aree": list(piano.macro_aree.order_by("lettera")),
            "schede": list(selectors.schede_del_piano(piano=piano)),
            "totale_budget": selectors.totale_budget_schede(piano=piano),
            "ha_valutazioni": Valutazione.objects.filter(obiettivo__piano=piano).exists(),
            "numero_indicatori": piano.indicatori.count(),
            "altri_piani": [
                p for p in selectors.piani_per_elenco(fetched_by=user) if p.pk != piano.pk
            ],
        }


class PianoIndexView(LoginRequiredMixin, PianoOverviewMixin, TemplateView):
    """The current plan of the user's Ambito (in force, else the newest)."""

    def get_context_data(self, **kwargs):
        piano = selectors.piano_corrente(fetched_by=self.request.user)
        context = super().get_context_data(**kwargs)
        if piano is None:
            self.template_name = "programmi/piano_nessuno.html"
            return context
        return {**context, **self.overview_context(piano)}


class PianoListView(LoginRequiredMixin, ListView):
    template_name = "programmi/piano_list.html"
    context_object_name = "piani"

    def get_queryset(self):
        return selectors.piani_per_elenco(fetched_by=self.request.user)


class PianoDetailView(ScopedMixin, PianoOverviewMixin, DetailView):
    model = PianoDiZona

    def get_base_queryset(self):
        return PianoDiZona.objects.select_related("ambito")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **self.overview_context(self.object)}


class PianoCreateView(ScopedCreateMixin, CreateView):
    permission_required = "programmi.crea_pianodizona"
    model = PianoDiZona
    form_class = PianoDiZonaForm
    template_name = "programmi/form.html"
    success_message = _("Piano di Zona inserito.")

    def perform_save(self, form):
        return services.piano_save(piano=form.instance)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            titolo=_("Nuovo Piano di Zona"), annulla=reverse("programmi:piano_list"), **kwargs
        )


class PianoUpdateView(ServiceFormMixin, UpdateView):
    model = PianoDiZona
    form_class = PianoDiZonaForm
    template_name = "programmi/form.html"
    success_message = _("Piano di Zona aggiornato.")

    def get_object(self, queryset=None):
        return get_editable_or_403(PianoDiZona, self.request.user, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def perform_save(self, form):
        return services.piano_save(piano=form.instance)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            titolo=_("Modifica %(piano)s") % {"piano": self.object},
            piano=self.object,
            annulla=self.object.get_absolute_url(),
            **kwargs,
        )


class PianoChildFormMixin(ServiceFormMixin):
    """Forms of something inside a plan: the plan must be editable by the user."""

    template_name = "programmi/form.html"

    def get_piano(self):
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.piano = self.get_piano()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "piano": self.piano}

    def get_success_url(self):
        return self.piano.get_absolute_url()

    def get_context_data(self, **kwargs):
        if "annulla" not in kwargs:
            kwargs["annulla"] = self.get_success_url()
        return super().get_context_data(piano=self.piano, **kwargs)


class PianoChildCreateMixin(PianoChildFormMixin):
    """A new row of the plan named in the URL (`piano_pk`)."""

    def get_piano(self):
        return get_editable_or_403(PianoDiZona, self.request.user, pk=self.kwargs["piano_pk"])


class PianoChildUpdateMixin(PianoChildFormMixin):
    """A row named in the URL (`pk`): editable by the user, it gives the plan."""

    def get_piano(self):
        self.object = get_editable_or_403(self.model, self.request.user, pk=self.kwargs["pk"])
        return self.object.piano

    def get_object(self, queryset=None):
        return self.object


class MacroAreaCreateView(PianoChildCreateMixin, CreateView):
    model = MacroArea
    form_class = MacroAreaForm
    success_message = _("Macro-area inserita.")

    def perform_save(self, form):
        return services.macro_area_save(macro_area=form.instance)

    def get_context_data(self, **kwargs):
        return super().get_context_data(titolo=_("Nuova macro-area"), **kwargs)


class MacroAreaUpdateView(PianoChildUpdateMixin, UpdateView):
    model = MacroArea
    form_class = MacroAreaForm
    success_message = _("Macro-area aggiornata.")

    def perform_save(self, form):
        return services.macro_area_save(macro_area=form.instance)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            titolo=_("Modifica macro-area %(area)s") % {"area": self.object}, **kwargs
        )


class ObiettivoDetailView(ScopedMixin, DetailView):
    model = Obiettivo

    def get_base_queryset(self):
        return Obiettivo.objects.select_related(
            "piano__ambito", "macro_area", "parent", "valutazione"
        )

    def get_context_data(self, **kwargs):
        obiettivo = self.object
        specifici = obiettivo.specifici.select_related("valutazione").order_by("ordinamento")
        return super().get_context_data(
            piano=obiettivo.piano,
            specifici=list(specifici),
            valutazione=getattr(obiettivo, "valutazione", None),
            schede=list(obiettivo.schede.order_by("numero")),
            **kwargs,
        )


class ObiettivoFormMixin:
    """The objective's form, new or edited: the objective's page follows."""

    model = Obiettivo
    form_class = ObiettivoForm

    def perform_save(self, form):
        return services.obiettivo_save(obiettivo=form.instance)

    def get_success_url(self):
        return self.object.get_absolute_url()


class ObiettivoCreateView(ObiettivoFormMixin, PianoChildCreateMixin, CreateView):
    success_message = _("Obiettivo inserito.")

    def get_initial(self):
        initial = super().get_initial()
        parent = self.request.GET.get("parent")
        if parent and e_un_id(parent):
            initial["parent"] = int(parent)
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            titolo=_("Nuovo obiettivo"), annulla=self.piano.get_absolute_url(), **kwargs
        )


class ObiettivoUpdateView(ObiettivoFormMixin, PianoChildUpdateMixin, UpdateView):
    success_message = _("Obiettivo aggiornato.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            titolo=_("Modifica obiettivo %(numero)s") % {"numero": self.object.numero},
            **kwargs,
        )


class ValutazioneUpdateView(PianoChildFormMixin, UpdateView):
    """Evaluation of one objective: created on first save, then updated."""

    model = Valutazione
    form_class = ValutazioneForm
    template_name = "programmi/valutazione_form.html"
    success_message = _("Valutazione salvata.")

    def get_piano(self):
        self.obiettivo = get_editable_or_403(
            Obiettivo, self.request.user, pk=self.kwargs["obiettivo_pk"]
        )
        return self.obiettivo.piano

    def get_object(self, queryset=None):
        return Valutazione.objects.filter(obiettivo=self.obiettivo).first() or Valutazione(
            obiettivo=self.obiettivo
        )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("piano")
        return {**kwargs, "obiettivo": self.obiettivo}

    def perform_save(self, form):
        return services.valutazione_save(valutazione=form.instance)

    def get_success_url(self):
        return self.obiettivo.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            obiettivo=self.obiettivo, annulla=self.obiettivo.get_absolute_url(), **kwargs
        )


# Sortable columns of the evaluation table: (ordering name, header).
COLONNE_VALUTAZIONE = [
    ("numero", _("N.")),
    (None, _("Obiettivo generale")),
    ("macro_area", _("Macro-area")),
    ("grado", _("Raggiungimento")),
    ("adeguatezza", _("Adeguatezza delle risorse")),
    ("coincidenza", _("Risorse impegnate su stanziate")),
    (None, _("Riproposto")),
]


class ValutazioneListView(LoginRequiredMixin, ListView):
    """Evaluation of a plan's objectives: sortable table, chart by macro-area and the
    premial projects (Piano § 1.1 and § 1.2)."""

    template_name = "programmi/valutazione_list.html"
    context_object_name = "valutazioni"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.piano = get_visible_or_404(PianoDiZona, request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        dati = self.request.GET.copy()
        dati.setdefault("livello", "generale")
        dati.setdefault("ordina", "numero")
        queryset = selectors.valutazioni_per_elenco(fetched_by=self.request.user).filter(
            obiettivo__piano=self.piano
        )
        self.filterset = ValutazioneFilterSet(dati, queryset=queryset, request=self.request)
        self.filterset.form.fields["macro_area"].queryset = self.piano.macro_aree.order_by(
            "lettera"
        )
        self.ordinamento = dati.get("ordina", "numero")
        queryset = self.filterset.qs
        # Ties (same % reached) keep the Piano's order.
        return queryset.order_by(*queryset.query.order_by, "obiettivo__ordinamento")

    # Filters shown on the page: the plan is the page's, sorting is in the headers.
    CAMPI_FILTRO = [
        "macro_area",
        "livello",
        "coincidenza_risorse",
        "adeguatezza_risorse",
        "grado_min",
        "grado_max",
        "riproposto",
    ]

    def colonne(self):
        attuale = self.ordinamento
        colonne = []
        for nome, titolo in COLONNE_VALUTAZIONE:
            colonna = {"titolo": titolo, "nome": nome}
            if nome:
                crescente = attuale == nome
                decrescente = attuale == f"-{nome}"
                parametri = self.request.GET.copy()
                parametri["ordina"] = f"-{nome}" if crescente else nome
                colonna["url"] = "?" + urlencode(parametri, doseq=True)
                colonna["aria_sort"] = (
                    "ascending" if crescente else "descending" if decrescente else ""
                )
            colonne.append(colonna)
        return colonne

    def get_context_data(self, **kwargs):
        piano = self.piano
        medie = selectors.media_raggiungimento_per_macro_area(piano=piano)
        titolo_grafico = _("Grado medio di raggiungimento – %(p)s") % {"p": piano.periodo}
        grafico = None
        if medie:
            grafico = bar_chart(
                [m.etichetta for m in medie],
                {str(_("Grado medio di raggiungimento")): [m.media for m in medie]},
                title=str(titolo_grafico),
                ylabel=str(_("% raggiunto")),
                percent=True,
                horizontal=True,
                height=max(2.4, 0.55 * len(medie) + 1.2),
            )
        return super().get_context_data(
            piano=piano,
            filterset=self.filterset,
            campi_filtro=[self.filterset.form[nome] for nome in self.CAMPI_FILTRO],
            ordina=self.ordinamento,
            colonne=self.colonne(),
            medie=medie,
            obiettivi_valutati=sum(m.obiettivi for m in medie),
            media_generale=selectors.media_raggiungimento(piano=piano),
            grafico=grafico,
            titolo_grafico=titolo_grafico,
            premiali=list(selectors.progetti_premiali(piano=piano)),
            **kwargs,
        )


class SchedaDetailView(LoginRequiredMixin, DetailView):
    """A scheda laid out as the regional template, readable and printable."""

    template_name = "programmi/scheda_detail.html"
    context_object_name = "scheda"

    def get_object(self, queryset=None):
        try:
            return selectors.scheda_dettaglio(fetched_by=self.request.user, pk=self.kwargs["pk"])
        except Scheda.DoesNotExist as error:
            raise Http404 from error

    def get_context_data(self, **kwargs):
        scheda = self.object
        return super().get_context_data(
            piano=scheda.piano,
            elenchi=scheda.elenchi,
            domande=domande_della_scheda(scheda),
            **kwargs,
        )


def domande_della_scheda(scheda):
    """The questions of the regional template after the lists, in its order.

    Each row: the question, `si_no` (True/False/None, absent for text-only questions)
    and the free-text answer.
    """

    def etichetta(campo):
        return Scheda._meta.get_field(campo).verbose_name

    def si_no(campo, note):
        return {
            "domanda": etichetta(campo),
            "con_si_no": True,
            "si_no": getattr(scheda, campo),
            "testo": getattr(scheda, note),
        }

    def testo(campo):
        return {"domanda": etichetta(campo), "con_si_no": False, "testo": getattr(scheda, campo)}

    coppie = dict(Scheda.DOMANDE)
    righe = [si_no(campo, coppie[campo]) for campo in list(coppie)[:7]]
    righe.append(testo("coinvolgimento_ets"))
    righe.append(si_no("altri_attori", "altri_attori_note"))
    righe.append(testo("bisogno_precedente"))
    righe.append(
        {
            "domanda": _("L'obiettivo è di tipo promozionale-preventivo-riparativo?"),
            "con_si_no": False,
            "risposta": scheda.tipo_obiettivo or _("No"),
            "testo": scheda.tipo_obiettivo_note,
        }
    )
    righe.append(si_no("innovativo", "innovativo_note"))
    righe.append(si_no("digitalizzazione", "digitalizzazione_note"))
    return righe


class SchedaFormMixin:
    """The sheet's form, new or edited: saved with its services and list items."""

    model = Scheda
    form_class = SchedaForm
    template_name = "programmi/scheda_form.html"

    def perform_save(self, form):
        return services.scheda_save(
            scheda=form.instance, servizi=form.cleaned_data["servizi"], voci=form.voci()
        )

    def get_success_url(self):
        return self.object.get_absolute_url()


class SchedaCreateView(SchedaFormMixin, PianoChildCreateMixin, CreateView):
    success_message = _("Scheda inserita.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            titolo=_("Nuova scheda"), annulla=self.piano.get_absolute_url(), **kwargs
        )


class SchedaUpdateView(SchedaFormMixin, PianoChildUpdateMixin, UpdateView):
    success_message = _("Scheda aggiornata.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            titolo=_("Modifica scheda %(numero)s") % {"numero": self.object.numero}, **kwargs
        )


# --- Deleting rows of a plan -------------------------------------------------------------


class PianoChildDeleteMixin(ScopedDeleteMixin):
    def get_success_url(self):
        return self.object.piano.get_absolute_url()

    def get_context_data(self, **kwargs):
        return super().get_context_data(piano=self.object.piano, **kwargs)


class MacroAreaDeleteView(PianoChildDeleteMixin, TemplateView):
    model = MacroArea
    success_message = _("Macro-area eliminata.")

    def perform_delete(self, obj):
        services.macro_area_delete(macro_area=obj)


class ObiettivoDeleteView(PianoChildDeleteMixin, TemplateView):
    model = Obiettivo
    success_message = _("Obiettivo eliminato.")

    def get_cancel_url(self):
        return self.object.get_absolute_url()

    def perform_delete(self, obj):
        services.obiettivo_delete(obiettivo=obj)


class SchedaDeleteView(PianoChildDeleteMixin, TemplateView):
    model = Scheda
    success_message = _("Scheda eliminata.")

    def get_cancel_url(self):
        return self.object.get_absolute_url()

    def perform_delete(self, obj):
        services.scheda_delete(scheda=obj)


# --- A new plan ---------------------------------------------------------------------------


class PianoCopiaView(LoginRequiredMixin, FormView):
    """ "Nuovo Piano da quello precedente": the structure into a draft with new years."""

    form_class = PianoCopiaForm
    template_name = "programmi/form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.piano = get_editable_or_403(
                PianoDiZona, request.user, perm="programmi.copia_pianodizona", pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        durata = self.piano.anno_fine - self.piano.anno_inizio
        return {
            "anno_inizio": self.piano.anno_fine + 1,
            "anno_fine": self.piano.anno_fine + 1 + durata,
        }

    def form_valid(self, form):
        try:
            nuovo = services.piano_copy(
                piano=self.piano,
                anno_inizio=form.cleaned_data["anno_inizio"],
                anno_fine=form.cleaned_data["anno_fine"],
                con_target=form.cleaned_data["con_target"],
            )
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Nuovo Piano in bozza creato: modificalo, poi attivalo quando è approvato."),
        )
        return HttpResponseRedirect(nuovo.get_absolute_url())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            piano=self.piano,
            titolo=_("Nuovo Piano da %(piano)s") % {"piano": self.piano},
            introduzione=_(
                "Il nuovo Piano nasce in bozza con le macro-aree, gli obiettivi, le schede e "
                "gli indicatori di questo, senza i valori rilevati. Questo Piano resta "
                "consultabile con tutti i suoi valori."
            ),
            annulla=self.piano.get_absolute_url(),
            **kwargs,
        )


class PrimoPianoView(ScopedCreateMixin, FormView):
    """A first plan for an Ambito: from the template or from a plan another Ambito shares."""

    permission_required = "programmi.crea_pianodizona"
    model = PianoDiZona
    form_class = PrimoPianoForm
    template_name = "programmi/form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        ambiti = list(ruoli(self.request.user).ambiti_gestiti())
        condivisi = PianoDiZona.objects.filter(condiviso=True).select_related("ambito")
        if ambiti and not self.request.user.is_superuser:
            condivisi = condivisi.exclude(ambito__in=ambiti)
        return {**kwargs, "condivisi": condivisi.order_by("ambito__nome", "-anno_inizio")}

    def get_initial(self):
        anno = timezone.localdate().year
        return {"anno_inizio": anno, "anno_fine": anno + 2}

    def form_valid(self, form):
        dati = form.cleaned_data
        condiviso = form.piano_condiviso()
        try:
            if condiviso is None:
                nuovo = services.piano_from_template(
                    ambito=dati["ambito"],
                    anno_inizio=dati["anno_inizio"],
                    anno_fine=dati["anno_fine"],
                )
            else:
                nuovo = services.piano_copy(
                    piano=condiviso,
                    ambito=dati["ambito"],
                    anno_inizio=dati["anno_inizio"],
                    anno_fine=dati["anno_fine"],
                )
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Piano in bozza creato: completalo, poi attivalo quando è approvato."),
        )
        return HttpResponseRedirect(nuovo.get_absolute_url())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            titolo=_("Primo Piano di Zona dell'Ambito"),
            introduzione=_(
                "Il Piano nasce in bozza: aggiungi o modifica macro-aree, obiettivi, schede e "
                "indicatori, poi attivalo."
            ),
            annulla=reverse("programmi:index"),
            **kwargs,
        )


class PianoAttivaView(LoginRequiredMixin, TemplateView):
    """A draft plan comes into force (the previous one is concluded, still readable)."""

    template_name = "programmi/piano_attiva.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.piano = get_editable_or_403(
                PianoDiZona, request.user, perm="programmi.attiva_pianodizona", pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            services.piano_activate(piano=self.piano)
        except ValidationError as error:
            return self.render_to_response(self.get_context_data(errori=error.messages))
        messages.success(request, _("Il Piano è in vigore."))
        return HttpResponseRedirect(self.piano.get_absolute_url())

    def get_context_data(self, **kwargs):
        precedenti = PianoDiZona.objects.filter(
            ambito_id=self.piano.ambito_id,
            stato__in=(StatoPiano.APPROVATO, StatoPiano.IN_VIGORE),
            anno_inizio__lt=self.piano.anno_inizio,
        ).order_by("anno_inizio")
        return super().get_context_data(piano=self.piano, precedenti=list(precedenti), **kwargs)


class PrimiPassiView(LoginRequiredMixin, TemplateView):
    """From an empty Ambito to its first Relazione: the guide of a new Ufficio di Piano."""

    template_name = "programmi/primi_passi.html"

"""Pages of the fondi app (namespace `fondi`). Scoping and write permission come from
the common mixins; every save is a service call; every figure comes from a selector."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
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
    dati_filtro,
    get_editable_or_403,
)
from ambito.roles import ruoli

from . import esportazioni, selectors, services
from .filtersets import AssegnazioneFilterSet, CandidaturaFilterSet, ProgettoFilterSet
from .forms import (
    AssegnazioneForm,
    AttoProgettoForm,
    AvanzamentoFinanziarioForm,
    CandidaturaForm,
    FinanziamentoProgettoForm,
    FonteFinanziamentoForm,
    LineaCandidaturaForm,
    LineaFinanziamentoForm,
    PartecipazioneCandidaturaForm,
    PartnerProgettoForm,
    ProgettoForm,
)
from .models import (
    Assegnazione,
    AvanzamentoFinanziario,
    Candidatura,
    FinanziamentoProgetto,
    FonteFinanziamento,
    LineaCandidatura,
    LineaFinanziamento,
    PartecipazioneCandidatura,
    PartnerProgetto,
    Progetto,
)


class FondiIndexView(LoginRequiredMixin, TemplateView):
    """Fondi in gestione. For one Ambito: allocations by line and year, totals per year,
    per source level and per source, and the check against the totals printed in the
    Piano. For a user who sees several (a Regione, the superuser): the totals of each
    Ambito, one page at a time and sortable, each linking down to its own table."""

    template_name = "fondi/index.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        user = self.request.user
        # The selector scopes the rows itself: filtering them unscoped writes the
        # visibility condition once in each of its queries, not twice.
        filterset = AssegnazioneFilterSet(
            dati_filtro(self.request), queryset=Assegnazione.objects.all(), request=self.request
        )
        # Unbound (no parameter), nothing is filtered: the selectors may run compiled.
        assegnazioni = filterset.qs if filterset.is_bound else None
        # Choosing the Ambito is not filtering its rows: its table keeps its totals.
        filtrato = filterset.is_bound and bool(set(filterset.form.changed_data) - {"ambito"})
        contesto = {"filterset": filterset, "filtrato": filtrato}
        scelto = filterset.is_valid() and filterset.form.cleaned_data.get("ambito")
        if not scelto and ruoli(user).piu_ambiti:
            contesto.update(self._per_ambito(user, assegnazioni))
        if contesto.get("page_obj") is None:
            contesto["prospetti"] = selectors.fondi_prospetto(
                fetched_by=user, assegnazioni=assegnazioni
            )
        return super().get_context_data(**contesto, **kwargs)

    def _per_ambito(self, user, assegnazioni):
        """The per-Ambito totals, or nothing when the rows are of one Ambito only."""
        ordina = self.request.GET.get("ordina", "nome")
        tabella = selectors.fondi_per_ambito(
            fetched_by=user, assegnazioni=assegnazioni, ordina=ordina
        )
        paginator = Paginator(tabella.righe, self.paginate_by)
        paginator.count = tabella.totali["ambiti"]  # counted with the totals
        if paginator.count <= 1:
            return {}
        page_obj = paginator.get_page(self.request.GET.get("page"))
        for riga in page_obj.object_list:
            riga["valori"] = tabella.valori(riga)
        parametri = self.request.GET.copy()
        for nome in ("ordina", "page", "ambito"):
            parametri.pop(nome, None)
        ordinamenti = {
            "nome": _("Ambito"),
            **{f"anno_{anno}": str(anno) for anno in tabella.anni},
            "totale": _("Totale"),
        }
        if len(tabella.anni) >= 2:
            ordinamenti["variazione"] = _("Variazione %(anno)s su %(precedente)s") % {
                "anno": tabella.anni[-1],
                "precedente": tabella.anni[-2],
            }
        return {
            "tabella": tabella,
            "totali": tabella.valori(tabella.totali),
            "page_obj": page_obj,
            "paginator": paginator,
            "is_paginated": page_obj.has_other_pages(),
            "ordinamenti": ordinamenti,
            "ordina": ordina,
            "query": parametri.urlencode(),
        }


class AssegnazioneListView(EsportaMixin, FilteredListMixin, ListView):
    model = Assegnazione
    filterset_class = AssegnazioneFilterSet
    paginate_by = 50
    titolo_esportazione = _("Assegnazioni di fondi")
    colonne_esportazione = esportazioni.ASSEGNAZIONI_COLONNE

    def riga_esportazione(self, obj):
        return esportazioni.assegnazione_riga(obj)

    def get_base_queryset(self):
        return Assegnazione.objects.select_related("ambito", "linea__fonte")

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            ambiti_editabili=set(Ambito.objects.editable_by(user).values_list("pk", flat=True)),
            **kwargs,
        )


class AssegnazioneFormMixin:
    model = Assegnazione
    form_class = AssegnazioneForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_success_url(self):
        return reverse("fondi:assegnazione_list")

    def perform_save(self, form):
        return services.assegnazione_save(assegnazione=form.instance)


class AssegnazioneCreateView(AssegnazioneFormMixin, ScopedCreateMixin, CreateView):
    permission_required = "fondi.crea_assegnazione"
    success_message = _("Assegnazione inserita.")


class AssegnazioneUpdateView(AssegnazioneFormMixin, ScopedUpdateMixin, UpdateView):
    success_message = _("Assegnazione aggiornata.")


class ProgettoListView(EsportaMixin, FilteredListMixin, ListView):
    model = Progetto
    filterset_class = ProgettoFilterSet
    paginate_by = 50
    template_name = "fondi/progetto_list.html"
    titolo_esportazione = _("Progetti finanziati")
    colonne_esportazione = esportazioni.PROGETTI_COLONNE

    def riga_esportazione(self, obj):
        return esportazioni.progetto_riga(obj)

    def get_queryset(self):
        # The selectors scope the projects themselves (fetched_by): the FilterSet filters
        # them unscoped, so each query writes the visibility condition once, not twice.
        self.filterset = self.filterset_class(
            dati_filtro(self.request), queryset=Progetto.objects.all(), request=self.request
        )
        return selectors.progetti_per_tabella(
            fetched_by=self.request.user, progetti=self.filterset.qs
        ).order_by("titolo", "pk")

    def get_context_data(self, **kwargs):
        # Unfiltered (an unbound FilterSet), the summary may run its queries compiled.
        progetti = self.filterset.qs if self.filterset.is_bound else None
        riepilogo = selectors.progetti_riepilogo(fetched_by=self.request.user, progetti=progetti)
        return super().get_context_data(riepilogo=riepilogo, **kwargs)


class ProgettoDetailView(ScopedMixin, DetailView):
    """The project sheet, modelled on the public monitoring portals."""

    model = Progetto

    def get_queryset(self):
        return selectors.progetti_con_avanzamento(fetched_by=self.request.user).select_related(
            "ambito", "linea__fonte", "soggetto_attuatore", "linea__parent"
        )

    def get_context_data(self, **kwargs):
        user = self.request.user
        progetto = self.object
        finanziamenti, totale = selectors.progetto_finanziamenti(fetched_by=user, progetto=progetto)
        con_avvisi = selectors.progetti_con_avvisi(
            fetched_by=user, progetti=Progetto.objects.filter(pk=progetto.pk)
        ).first()
        partner_enti, somme_partner_enti = selectors.progetto_partner_enti(
            fetched_by=user, progetto=progetto
        )
        return super().get_context_data(
            finanziamenti=finanziamenti,
            totale_finanziato=totale,
            atti=selectors.progetto_atti(fetched_by=user, progetto=progetto),
            avvisi=selectors.avvisi_di(con_avvisi),
            partner_enti=partner_enti,
            somme_partner_enti=somme_partner_enti,
            avanzamenti=selectors.progetto_avanzamenti(fetched_by=user, progetto=progetto),
            partner=progetto.ambiti_partner.order_by("nome"),
            comuni=progetto.comuni.order_by("nome"),
            **kwargs,
        )


class ProgettoFormMixin:
    model = Progetto
    form_class = ProgettoForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_success_url(self):
        return reverse("fondi:progetto_detail", args=[self.object.pk])


class ProgettoCreateView(ProgettoFormMixin, ScopedCreateMixin, CreateView):
    permission_required = "fondi.crea_progetto"
    success_message = _("Progetto inserito.")

    def perform_save(self, form):
        return services.progetto_create(
            progetto=form.instance,
            ambiti_partner=form.cleaned_data["ambiti_partner"],
            comuni=form.cleaned_data["comuni"],
        )


class ProgettoUpdateView(ProgettoFormMixin, ScopedUpdateMixin, UpdateView):
    success_message = _("Progetto aggiornato.")

    def perform_save(self, form):
        return services.progetto_update(
            progetto=form.instance,
            ambiti_partner=form.cleaned_data["ambiti_partner"],
            comuni=form.cleaned_data["comuni"],
        )


class ProgettoChildFormMixin(ServiceFormMixin):
    """Forms of a project's funding amounts and progress snapshots: only the lead
    Ambito's Ufficio di Piano writes (404 when the project is not visible, else 403)."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "progetto": self.progetto}

    def get_context_data(self, **kwargs):
        return super().get_context_data(progetto=self.progetto, **kwargs)

    def get_success_url(self):
        return reverse("fondi:progetto_detail", args=[self.progetto.pk])


class ProgettoChildCreateMixin(ProgettoChildFormMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.progetto = get_editable_or_403(Progetto, request.user, pk=kwargs["progetto_pk"])
        return super().dispatch(request, *args, **kwargs)


class ProgettoChildUpdateMixin(ProgettoChildFormMixin):
    def get_object(self, queryset=None):
        obj = get_editable_or_403(self.model, self.request.user, pk=self.kwargs["pk"])
        self.progetto = obj.progetto
        return obj


class FinanziamentoMixin:
    model = FinanziamentoProgetto
    form_class = FinanziamentoProgettoForm
    template_name = "fondi/finanziamento_form.html"

    def perform_save(self, form):
        return services.finanziamento_save(finanziamento=form.instance)


class FinanziamentoCreateView(FinanziamentoMixin, ProgettoChildCreateMixin, CreateView):
    success_message = _("Finanziamento inserito.")


class FinanziamentoUpdateView(FinanziamentoMixin, ProgettoChildUpdateMixin, UpdateView):
    success_message = _("Finanziamento aggiornato.")


class AvanzamentoMixin:
    model = AvanzamentoFinanziario
    form_class = AvanzamentoFinanziarioForm
    template_name = "fondi/avanzamento_form.html"

    def perform_save(self, form):
        return services.avanzamento_save(avanzamento=form.instance)


class AvanzamentoCreateView(AvanzamentoMixin, ProgettoChildCreateMixin, CreateView):
    success_message = _("Rilevazione dell'avanzamento inserita.")

    def get_initial(self):
        """Start from the latest snapshot: usually only some amounts change."""
        ultimo = self.progetto.avanzamenti.order_by("-data", "-pk").first()
        if ultimo is None:
            return super().get_initial()
        campi = ["programmato", "ammesso", "vincolante", "erogato"]
        return {**super().get_initial(), **{c: getattr(ultimo, c) for c in campi}}


class AvanzamentoUpdateView(AvanzamentoMixin, ProgettoChildUpdateMixin, UpdateView):
    success_message = _("Rilevazione dell'avanzamento aggiornata.")


class AttoProgettoCreateView(ProgettoChildCreateMixin, FormView):
    """Record an act on the project: a new one, or one already registered for other
    projects of the Ambito (a resolution topping up several projects)."""

    form_class = AttoProgettoForm
    template_name = "fondi/atto_form.html"
    success_message = _("Atto registrato.")

    def form_valid(self, form):
        return ServiceFormMixin.form_valid(self, form)

    def perform_save(self, form):
        esistente = form.cleaned_data.get("atto_esistente")
        if esistente is not None:
            return services.atto_progetto_add(atto=esistente, **form.effetto())
        return services.atto_register(atto=form.nuovo_atto(), effetti=[form.effetto()])


class FonteListView(LoginRequiredMixin, TemplateView):
    """Reference page: funding sources and the tree of their lines."""

    template_name = "fondi/fonte_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            albero=selectors.albero_linee(fetched_by=user),
            ambiti_editabili=set(Ambito.objects.editable_by(user).values_list("pk", flat=True)),
            **kwargs,
        )


class PartnerProgettoMixin:
    model = PartnerProgetto
    form_class = PartnerProgettoForm
    template_name = "fondi/partner_progetto_form.html"

    def perform_save(self, form):
        return services.partner_progetto_save(partner=form.instance)


class PartnerProgettoCreateView(PartnerProgettoMixin, ProgettoChildCreateMixin, CreateView):
    success_message = _("Ente del progetto inserito.")


class PartnerProgettoUpdateView(PartnerProgettoMixin, ProgettoChildUpdateMixin, UpdateView):
    success_message = _("Ente del progetto aggiornato.")


# --- Own funds ---------------------------------------------------------------------------


class FondoProprioMixin:
    """The pages of an Ambito's own sources and lines: one form, back to the tree."""

    template_name = "fondi/fondo_proprio_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_success_url(self):
        return reverse("fondi:fonte_list")


class FonteProprioMixin(FondoProprioMixin):
    model = FonteFinanziamento
    form_class = FonteFinanziamentoForm

    def perform_save(self, form):
        return services.fonte_save(fonte=form.instance)


class LineaPropriaMixin(FondoProprioMixin):
    model = LineaFinanziamento
    form_class = LineaFinanziamentoForm

    def perform_save(self, form):
        return services.linea_save(linea=form.instance)


class FonteFinanziamentoCreateView(FonteProprioMixin, ScopedCreateMixin, CreateView):
    """An own source of the Ambito (PON Metro axis, regional call, foundation grant)."""

    extra_context = {"titolo": _("Nuova fonte propria")}
    success_message = _("Fonte propria inserita.")


class FonteFinanziamentoUpdateView(FonteProprioMixin, ScopedUpdateMixin, UpdateView):
    extra_context = {"titolo": _("Modifica fonte propria")}
    success_message = _("Fonte propria aggiornata.")


class LineaFinanziamentoCreateView(LineaPropriaMixin, ScopedCreateMixin, CreateView):
    extra_context = {"titolo": _("Nuova linea propria")}
    success_message = _("Linea propria inserita.")


class LineaFinanziamentoUpdateView(LineaPropriaMixin, ScopedUpdateMixin, UpdateView):
    extra_context = {"titolo": _("Modifica linea propria")}
    success_message = _("Linea propria aggiornata.")


# --- Candidatures --------------------------------------------------------------------------


class CandidaturaListView(FilteredListMixin, ListView):
    model = Candidatura
    filterset_class = CandidaturaFilterSet
    paginate_by = 50
    template_name = "fondi/candidatura_list.html"

    def get_queryset(self):
        # As the projects' list: the selector scopes, the FilterSet filters unscoped.
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=Candidatura.objects.all(), request=self.request
        )
        return selectors.candidature_per_elenco(
            fetched_by=self.request.user, candidature=self.filterset.qs
        )

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            per_linea=selectors.candidature_per_linea(
                fetched_by=user, candidature=self.filterset.qs
            ),
            per_fonte=selectors.candidature_per_fonte(
                fetched_by=user, candidature=self.filterset.qs
            ),
            **kwargs,
        )


class CandidaturaDetailView(ScopedMixin, DetailView):
    """A candidature: its investments with amount, outcome and project; the totals
    per source and per Ambito; the decree's total against the computed one."""

    model = Candidatura

    def get_queryset(self):
        return selectors.candidature_per_elenco(fetched_by=self.request.user)

    def get_context_data(self, **kwargs):
        user = self.request.user
        candidatura = self.object
        return super().get_context_data(
            linee=selectors.candidatura_linee(fetched_by=user, candidatura=candidatura),
            per_fonte=selectors.candidatura_per_fonte(fetched_by=user, candidatura=candidatura),
            per_ambito=selectors.candidatura_per_ambito(fetched_by=user, candidatura=candidatura),
            puo_modificare=user.has_perm("fondi.modifica_candidatura", candidatura),
            **kwargs,
        )


class CandidaturaFormMixin:
    model = Candidatura
    form_class = CandidaturaForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_success_url(self):
        return reverse("fondi:candidatura_detail", args=[self.object.pk])

    def perform_save(self, form):
        return services.candidatura_save(candidatura=form.instance)


class CandidaturaCreateView(CandidaturaFormMixin, ScopedCreateMixin, CreateView):
    permission_required = "fondi.crea_candidatura"
    success_message = _("Candidatura inserita.")


class CandidaturaUpdateView(CandidaturaFormMixin, ScopedUpdateMixin, UpdateView):
    success_message = _("Candidatura aggiornata.")


class CandidaturaChildFormMixin(ServiceFormMixin):
    """Forms of a candidature's partners and investments: only the capofila's Ufficio
    di Piano writes (404 when the candidature is not visible, else 403)."""

    template_name = "fondi/candidatura_parte_form.html"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "candidatura": self.candidatura,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(candidatura=self.candidatura, **kwargs)

    def get_success_url(self):
        return reverse("fondi:candidatura_detail", args=[self.candidatura.pk])


class CandidaturaChildCreateMixin(CandidaturaChildFormMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.candidatura = get_editable_or_403(
                Candidatura, request.user, pk=kwargs["candidatura_pk"]
            )
        return super().dispatch(request, *args, **kwargs)


class CandidaturaChildUpdateMixin(CandidaturaChildFormMixin):
    def get_object(self, queryset=None):
        obj = get_editable_or_403(self.model, self.request.user, pk=self.kwargs["pk"])
        self.candidatura = obj.candidatura
        return obj


class LineaCandidaturaMixin:
    model = LineaCandidatura
    form_class = LineaCandidaturaForm
    extra_context = {"voce": _("Investimento")}

    def perform_save(self, form):
        return services.linea_candidatura_save(riga=form.instance)


class LineaCandidaturaCreateView(LineaCandidaturaMixin, CandidaturaChildCreateMixin, CreateView):
    success_message = _("Investimento inserito.")


class LineaCandidaturaUpdateView(LineaCandidaturaMixin, CandidaturaChildUpdateMixin, UpdateView):
    success_message = _("Investimento aggiornato.")


class PartecipazioneMixin:
    model = PartecipazioneCandidatura
    form_class = PartecipazioneCandidaturaForm
    extra_context = {"voce": _("Ambito partner")}

    def perform_save(self, form):
        return services.partecipazione_save(partecipazione=form.instance)


class PartecipazioneCreateView(PartecipazioneMixin, CandidaturaChildCreateMixin, CreateView):
    success_message = _("Ambito partner inserito.")


class PartecipazioneUpdateView(PartecipazioneMixin, CandidaturaChildUpdateMixin, UpdateView):
    success_message = _("Ambito partner aggiornato.")

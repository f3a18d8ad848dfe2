"""Pages of the indicators app: entry, review, completeness, progress, context.

Views stay thin: scoping comes from `get_visible_or_404` / the base mixins, data
from `selectors.py`, every write from `services.py`.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import (
    CreateView,
    DetailView,
    FormView,
    ListView,
    TemplateView,
    UpdateView,
)

from ambito.models import Ambito, Comune
from ambito.platform.mixins import (
    EsportaMixin,
    FilteredListMixin,
    ScopedDeleteMixin,
    ScopedMixin,
    ScopedUpdateMixin,
    ServiceFormMixin,
    add_service_error,
    check_perm,
    dati_filtro,
    filtri_applicati,
    get_editable_or_403,
    get_visible_or_404,
)
from ambito.platform.paginazione import PaginatoreLimitato
from ambito.platform.pdf import pdf_response
from ambito.roles import ruoli
from ambito.validators import e_un_id
from fondi.models import Progetto
from programmi.models import PianoDiZona

from . import cruscotto, esportazioni, regione, reports, selectors, services
from .filtersets import IndicatoreFilterSet, ValoreFilterSet
from .forms import (
    CalendarioPeriodiForm,
    CruscottoForm,
    GrigliaForm,
    IndicatoreForm,
    MotivoForm,
    PeriodoForm,
    SelezioneValoriForm,
)
from .models import (
    Indicatore,
    Periodo,
    RichiestaRegione,
    RichiestaRelazione,
    Valore,
)


def _messaggi_errore(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for errs in error.error_dict.values() for e in errs for m in e.messages]
    return list(error.messages)


class IndexView(LoginRequiredMixin, TemplateView):
    """Where to start: the periods, what is due for me, a summary of progress."""

    template_name = "indicatori/index.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        periodi = list(selectors.periodi_visibili(fetched_by=user))
        comune = ruoli(user).comune  # an Operatore's Comune (None for the other roles)
        miei = {}
        if comune is not None:
            for riga in (
                Valore.objects.filter(comune=comune, periodo__in=periodi)
                .values_list("periodo_id", "stato")
                .order_by()
            ):
                miei.setdefault(riga[0], {}).setdefault(riga[1], 0)
                miei[riga[0]][riga[1]] += 1
        for periodo in periodi:
            periodo.miei = miei.get(periodo.pk, {})
        avanzamenti = selectors.avanzamento_indicatori(fetched_by=user)
        return super().get_context_data(
            periodi=periodi,
            comune_operatore=comune,
            conteggi=selectors.conteggio_stati(avanzamenti),
            oggi=timezone.localdate(),
            **kwargs,
        )


class IndicatoreListView(FilteredListMixin, ListView):
    model = Indicatore
    filterset_class = IndicatoreFilterSet
    paginate_by = 100
    template_name = "indicatori/indicatore_list.html"

    def get_base_queryset(self):
        return Indicatore.objects.select_related("piano", "scheda", "servizio").order_by(
            "piano__anno_inizio", *selectors.ORDINE_INDICATORI
        )


class IndicatoreDetailView(ScopedMixin, DetailView):
    model = Indicatore
    template_name = "indicatori/indicatore_detail.html"

    def get_base_queryset(self):
        return Indicatore.objects.select_related(
            "piano", "scheda", "servizio", "progetto", "numeratore", "denominatore"
        ).prefetch_related("categorie")

    def get_context_data(self, **kwargs):
        user = self.request.user
        indicatore = self.object
        avanzamento = selectors.avanzamento_indicatori(fetched_by=user, indicatori=[indicatore])
        serie = selectors.serie_indicatore(fetched_by=user, indicatore=indicatore)
        valori = list(
            selectors.valori_visibili(fetched_by=user)
            .filter(indicatore=indicatore)
            .order_by("periodo__data_fine", "comune__nome", "categoria__ordine")
        )
        return super().get_context_data(
            avanzamento=avanzamento[0],
            serie=serie,
            valori=valori,
            **kwargs,
        )


class ValoreListView(EsportaMixin, FilteredListMixin, ListView):
    model = Valore
    filterset_class = ValoreFilterSet
    paginate_by = 50
    # A national list holds millions of values: counted and paged up to a limit.
    paginator_class = PaginatoreLimitato
    template_name = "indicatori/valore_list.html"
    titolo_esportazione = _l("Valori rilevati")
    colonne_esportazione = esportazioni.VALORI_COLONNE

    def get_queryset(self):
        queryset = selectors.valori_visibili(fetched_by=self.request.user)
        self.filterset = self.filterset_class(
            dati_filtro(self.request), queryset=queryset, request=self.request
        )
        return self.filterset.qs

    def riga_esportazione(self, obj):
        return esportazioni.valore_riga(obj)


class ValoreDetailView(ScopedMixin, DetailView):
    """One value with its history; the Ufficio di Piano approves or returns it here."""

    model = Valore
    template_name = "indicatori/valore_detail.html"

    def get_base_queryset(self):
        return Valore.objects.select_related(
            "indicatore", "periodo", "comune", "categoria", "inserito_da", "approvato_da"
        )

    def get_context_data(self, **kwargs):
        valore = self.object
        storia = valore.history.select_related("history_user").order_by("-history_date")
        return super().get_context_data(
            storia=storia,
            motivo_form=kwargs.pop("motivo_form", None) or MotivoForm(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        self.object = valore = self.get_object()
        azione = request.POST.get("azione")
        check_perm(
            request.user,
            "indicatori.restituisce_valore"
            if azione == "respingi"
            else "indicatori.approva_valore",
            valore,
            _("Solo l'Ufficio di Piano può approvare o restituire."),
        )
        motivo_form = MotivoForm(request.POST if azione == "respingi" else None)
        try:
            if azione == "approva":
                services.valori_approve(
                    user=request.user,
                    periodo=valore.periodo,
                    valori=Valore.objects.filter(pk=valore.pk),
                    scostamenti_approvati=[valore.pk],  # approving this one value is the tick
                )
                messages.success(request, _("Valore approvato."))
            elif azione == "respingi":
                if not motivo_form.is_valid():
                    return self.render_to_response(
                        self.get_context_data(object=valore, motivo_form=motivo_form)
                    )
                services.valori_reject(
                    user=request.user,
                    periodo=valore.periodo,
                    valori=Valore.objects.filter(pk=valore.pk),
                    motivo=motivo_form.cleaned_data["motivo"],
                )
                messages.success(request, _("Valore restituito a chi l'ha inserito."))
        except ValidationError as error:
            for messaggio in _messaggi_errore(error):
                messages.error(request, messaggio)
        return HttpResponseRedirect(valore.get_absolute_url())


class PeriodoMixin(LoginRequiredMixin):
    """Views of one period: 404 unless the user sees it."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            # With its Ambito: the pages' permission tags and links read it. A user's
            # roles were read with their Ambiti, so the one he sees this period through
            # is already there: joining it again cost 0,4 ms of CPU (ORM building of
            # the Ambito's columns). The superuser's come with the period.
            periodi = Periodo.objects.visible_to(request.user)
            if request.user.is_superuser:
                self.periodo = get_object_or_404(periodi.select_related("ambito"), pk=kwargs["pk"])
            else:
                self.periodo = get_object_or_404(periodi, pk=kwargs["pk"])
                ambito = ruoli(request.user).ambito_letto(self.periodo.ambito_id)
                if ambito is not None:  # always, while scoping reads the roles' Ambiti
                    self.periodo.ambito = ambito
            self.verifica_accesso(request, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def verifica_accesso(self, request, **kwargs):
        """What a page checks once its period is known (raising 404 or 403)."""

    def comune_del_periodo(self, request, comune_pk):
        """The Comune of the URL, in the period's Ambito (None: the Ambito itself)."""
        if comune_pk is None:
            return None
        return get_visible_or_404(
            Comune, request.user, pk=comune_pk, ambito_id=self.periodo.ambito_id
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(periodo=self.periodo, **kwargs)


class InserimentoView(PeriodoMixin, TemplateView):
    """The entry grid of one Comune (or of the Ambito) in one period.

    Save as draft, or save and send to the Ufficio di Piano. Every cell is checked by
    `services.valori_save`; an error anywhere saves nothing and is shown next to its
    cell. A value far from the history needs the explicit confirmation box.
    """

    template_name = "indicatori/inserimento.html"

    def verifica_accesso(self, request, **kwargs):
        self.comune = self.comune_del_periodo(request, kwargs.get("comune_pk"))
        self.puo_scrivere = request.user.has_perm(
            "indicatori.inserisce_valori", self.comune or self.periodo
        )
        if self.comune is None and not self.puo_scrivere:
            check_perm(
                request.user,
                "indicatori.consulta_revisione",
                self.periodo,
                _("I valori dell'Ambito li inserisce l'Ufficio di Piano."),
            )

    def get_gruppi(self):
        return selectors.griglia_inserimento(
            fetched_by=self.request.user, periodo=self.periodo, comune=self.comune
        )

    def get_form(self, gruppi, data=None):
        if not self.puo_scrivere:
            for gruppo in gruppi:
                for riga in gruppo.righe:
                    riga.modificabili = dict.fromkeys(riga.modificabili, False)
        return GrigliaForm(data, gruppi=gruppi)

    def get_context_data(self, **kwargs):
        form = kwargs.pop("form")
        da_inviare = sum(
            1
            for gruppo in form.gruppi
            for riga in gruppo.righe
            for cella in riga.celle
            if cella.valore and cella.valore.stato in services.MODIFICABILI
        )
        return super().get_context_data(
            form=form,
            gruppi=_righe_con_campi(form),
            comune=self.comune,
            puo_scrivere=self.puo_scrivere and self.periodo.aperto,
            da_inviare=da_inviare,
            url_ritorno=self.request.path,
            **kwargs,
        )

    def get(self, request, *args, **kwargs):
        form = self.get_form(self.get_gruppi())
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        if not self.puo_scrivere:
            check_perm(
                request.user,
                "indicatori.inserisce_valori",
                self.comune or self.periodo,
                _("Non hai i permessi per inserire questi valori."),
            )
        form = self.get_form(self.get_gruppi(), request.POST)
        azione = request.POST.get("azione", "salva")
        if form.is_valid():
            try:
                services.valori_save(
                    user=request.user,
                    periodo=self.periodo,
                    comune=self.comune,
                    celle=form.celle(),
                    conferma_anomalie=form.cleaned_data.get("conferma_anomalie", False),
                    invia=azione == "invia",
                )
            except services.ErroriValori as error:
                form.aggiungi_errori(error.errori)
            except ValidationError as error:
                for messaggio in _messaggi_errore(error):
                    form.add_error(None, messaggio)
            else:
                if azione == "invia":
                    messages.success(request, _("Valori salvati e inviati all'Ufficio di Piano."))
                else:
                    messages.success(request, _("Bozza salvata."))
                return HttpResponseRedirect(request.path)
        else:
            # Show every error at once: the cells that parsed go through the service
            # checks too (nothing is saved either way).
            try:
                services.valori_validate(
                    user=request.user,
                    periodo=self.periodo,
                    comune=self.comune,
                    celle=form.celle(),
                    conferma_anomalie=True,
                )
            except services.ErroriValori as error:
                form.aggiungi_errori(error.errori)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _righe_con_campi(form):
    """The grid's groups with each cell's bound field (None when read-only)."""
    from .forms import nome_commento, nome_valore, nome_versione

    gruppi = []
    for gruppo in form.gruppi:
        righe = []
        for riga in gruppo.righe:
            celle = []
            for posizione, cella in enumerate(riga.celle):
                nome = nome_valore(cella.chiave)
                campo = form[nome] if nome in form.fields else None
                versione = form[nome_versione(cella.chiave)] if campo else None
                commento_nome = nome_commento(cella.chiave)
                commento = form[commento_nome] if commento_nome in form.fields else None
                celle.append(
                    {
                        "cella": cella,
                        "campo": campo,
                        "versione": versione,
                        "commento": commento,
                        "primo": posizione == 0,
                        "anomalie": form.anomalie.get(cella.chiave, []),
                    }
                )
            righe.append({"riga": riga, "celle": celle})
        gruppi.append({"titolo": gruppo.titolo, "righe": righe})
    return gruppi


class GestioneMixin(PeriodoMixin):
    """Review pages: the Ufficio di Piano acts, the Revisore reads, operators 403."""

    #: The rule of each POST `azione` (others: approving).
    permessi_azione = {
        "respingi": "indicatori.restituisce_valore",
        "chiudi": "indicatori.chiude_periodo",
        "riapri": "indicatori.riapre_periodo",
    }

    def verifica_accesso(self, request, **kwargs):
        check_perm(
            request.user,
            "indicatori.consulta_revisione",
            self.periodo,
            _("La revisione è riservata all'Ufficio di Piano."),
        )

    def post(self, request, *args, **kwargs):
        perm = self.permessi_azione.get(request.POST.get("azione"), "indicatori.approva_valore")
        check_perm(request.user, perm, self.periodo, _("Solo l'Ufficio di Piano può farlo."))
        return self.azione(request)


class RevisioneView(EsportaMixin, GestioneMixin, TemplateView):
    """Comuni x indicators with the status of every cell; bulk approval per Comune;
    closing and reopening the period."""

    template_name = "indicatori/revisione.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        comunali, righe, di_ambito, ambito = selectors.griglia_revisione(
            fetched_by=user, periodo=self.periodo
        )
        return super().get_context_data(
            indicatori=comunali,
            righe=righe,
            indicatori_ambito=di_ambito,
            riga_ambito=ambito,
            eventi=selectors.eventi_del_periodo(self.periodo),
            motivo_form=kwargs.pop("motivo_form", None) or MotivoForm(),
            # A one-time token of the "Esporta" form: the same form posted twice is one job.
            richiesta=uuid.uuid4().hex,
            **kwargs,
        )

    def get_tabella_esportazione(self):
        _indicatori, righe, _di_ambito, ambito = selectors.griglia_revisione(
            fetched_by=self.request.user, periodo=self.periodo
        )
        return esportazioni.revisione_tabella(periodo=self.periodo, righe=righe, riga_ambito=ambito)

    def azione(self, request):
        azione = request.POST.get("azione")
        try:
            if azione == "approva_comune":
                comune_pk = request.POST.get("comune")
                comune = (
                    get_visible_or_404(
                        Comune, request.user, pk=comune_pk, ambito=self.periodo.ambito
                    )
                    if comune_pk
                    else None
                )
                n = services.valori_approve_comune(
                    user=request.user,
                    periodo=self.periodo,
                    comune=comune,
                    scostamenti_approvati=scostamenti_spuntati(request),
                )
                messages.success(
                    request,
                    ngettext(
                        "%(n)s valore di %(dove)s approvato.",
                        "%(n)s valori di %(dove)s approvati.",
                        n,
                    )
                    % {"n": n, "dove": comune or _("livello d'Ambito")},
                )
            elif azione in ("chiudi", "riapri"):
                form = MotivoForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(
                        self.get_context_data(motivo_form=form), status=400
                    )
                funzione = services.periodo_close if azione == "chiudi" else services.periodo_reopen
                funzione(
                    user=request.user, periodo=self.periodo, motivo=form.cleaned_data["motivo"]
                )
                messages.success(
                    request, _("Periodo chiuso.") if azione == "chiudi" else _("Periodo riaperto.")
                )
        except ValidationError as error:
            for messaggio in _messaggi_errore(error):
                messages.error(request, messaggio)
        return HttpResponseRedirect(request.path)


def scostamenti_spuntati(request) -> list[int]:
    """The ids of the values flagged as far from the history that the user ticked."""
    return [int(pk) for pk in request.POST.getlist("scostamenti") if pk.isdigit()]


class ApprovaTuttiView(GestioneMixin, TemplateView):
    """The confirmation of "Approva tutti": what it includes, with the values flagged as
    far from the history highlighted, each approved only if ticked."""

    template_name = "indicatori/approva_tutti.html"

    def verifica_accesso(self, request, **kwargs):
        self.comune = self.comune_del_periodo(request, kwargs.get("comune_pk"))
        super().verifica_accesso(request, **kwargs)

    def get_context_data(self, **kwargs):
        righe = selectors.valori_da_approvare(
            fetched_by=self.request.user, periodo=self.periodo, comune=self.comune
        )
        return super().get_context_data(
            comune=self.comune,
            righe=righe,
            segnalati=[r for r in righe if r.scostamento],
            spuntati=set(kwargs.pop("spuntati", ())),
            **kwargs,
        )

    def azione(self, request):
        spuntati = scostamenti_spuntati(request)
        try:
            n = services.valori_approve_comune(
                user=request.user,
                periodo=self.periodo,
                comune=self.comune,
                scostamenti_approvati=spuntati,
            )
        except ValidationError as error:
            context = self.get_context_data(errori=_messaggi_errore(error), spuntati=spuntati)
            return self.render_to_response(context, status=400)
        messages.success(
            request,
            ngettext(
                "%(n)s valore di %(dove)s approvato.", "%(n)s valori di %(dove)s approvati.", n
            )
            % {"n": n, "dove": self.comune or _("livello d'Ambito")},
        )
        return HttpResponseRedirect(reverse("indicatori:revisione", args=[self.periodo.pk]))


class RevisioneComuneView(GestioneMixin, TemplateView):
    """The values of one Comune (or of the Ambito) in a period: approve or return some."""

    template_name = "indicatori/revisione_comune.html"

    def verifica_accesso(self, request, **kwargs):
        # An unknown Comune answers 404 before the role is checked.
        self.comune = self.comune_del_periodo(request, kwargs.get("comune_pk"))
        super().verifica_accesso(request, **kwargs)

    def valori(self):
        return (
            selectors.valori_visibili(fetched_by=self.request.user)
            .filter(periodo=self.periodo, comune=self.comune)
            .order_by(*selectors.ORDINE_INDICATORI_VALORE)
        )

    def get_context_data(self, **kwargs):
        form = kwargs.pop("form", None) or SelezioneValoriForm(valori=self.valori())
        valori = list(self.valori())
        scelta = {str(v) for v in (form["valori"].value() or [])}
        return super().get_context_data(
            comune=self.comune,
            form=form,
            valori=valori,
            scelti=scelta,
            **kwargs,
        )

    def azione(self, request):
        form = SelezioneValoriForm(request.POST, valori=self.valori())
        azione = request.POST.get("azione")
        if form.is_valid():
            scelti = Valore.objects.filter(pk__in=[v.pk for v in form.cleaned_data["valori"]])
            try:
                if azione == "respingi":
                    n = services.valori_reject(
                        user=request.user,
                        periodo=self.periodo,
                        valori=scelti,
                        motivo=form.cleaned_data["motivo"],
                    )
                    messages.success(
                        request,
                        ngettext("%(n)s valore restituito.", "%(n)s valori restituiti.", n)
                        % {"n": n},
                    )
                else:
                    n = services.valori_approve(
                        user=request.user,
                        periodo=self.periodo,
                        valori=scelti,
                        # each value was ticked one by one on this page
                        scostamenti_approvati=[v.pk for v in form.cleaned_data["valori"]],
                    )
                    messages.success(
                        request,
                        ngettext("%(n)s valore approvato.", "%(n)s valori approvati.", n)
                        % {"n": n},
                    )
                return HttpResponseRedirect(request.path)
            except ValidationError as error:
                for campo, messaggi in getattr(error, "message_dict", {}).items():
                    for messaggio in messaggi:
                        form.add_error(campo if campo in form.fields else None, messaggio)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class CompletezzaView(PeriodoMixin, TemplateView):
    template_name = "indicatori/completezza.html"

    def get_context_data(self, **kwargs):
        righe = selectors.completezza_periodo(fetched_by=self.request.user, periodo=self.periodo)
        return super().get_context_data(
            righe=righe,
            totale=selectors.completezza_ambito(righe),
            oggi=timezone.localdate(),
            **kwargs,
        )


class AvanzamentoView(LoginRequiredMixin, TemplateView):
    """Progress of every indicator against its target, and a summary per scheda."""

    usa_replica = True  # read-only: from the replica, if any (ambito/platform/replica.py)

    template_name = "indicatori/avanzamento.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        piani = PianoDiZona.objects.visible_to(user).order_by("-anno_inizio")
        piano = (
            piani.filter(pk=self.request.GET.get("piano")).first()
            if e_un_id(self.request.GET.get("piano", ""))
            else None
        )
        piano = piano or piani.first()
        avanzamenti = (
            selectors.avanzamento_indicatori(fetched_by=user, piano=piano) if piano else []
        )
        return super().get_context_data(
            piani=piani,
            piano=piano,
            schede=selectors.riepilogo_schede(avanzamenti),
            conteggi=selectors.conteggio_stati(avanzamenti),
            oggi=timezone.localdate(),
            soglie={
                "in_linea": selectors.SOGLIA_IN_LINEA * 100,
                "a_rischio": selectors.SOGLIA_A_RISCHIO * 100,
            },
            **kwargs,
        )


class ContestoView(LoginRequiredMixin, TemplateView):
    """Section 2 tables: per Comune, the Ambito figure computed and as printed."""

    template_name = "indicatori/contesto.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        ambiti = list(Ambito.objects.visible_to(user).order_by("nome"))
        tabelle = [
            (ambito, selectors.tabelle_contesto(fetched_by=user, ambito=ambito))
            for ambito in ambiti
        ]
        return super().get_context_data(tabelle=tabelle, **kwargs)


class DaFareView(LoginRequiredMixin, TemplateView):
    """The "Da fare" list of the user: a page, or (htmx, from the home page) a fragment."""

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["indicatori/_da_fare.html"]
        return ["indicatori/da_fare.html"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            da_fare=selectors.da_fare(fetched_by=self.request.user), **kwargs
        )


class CruscottoView(EsportaMixin, LoginRequiredMixin, TemplateView):
    """Cruscotto dell'Ambito (UdP, Revisori); an Operatore gets his Comune's.

    The filter form works as a plain GET; with htmx it swaps only the figures.
    """

    usa_replica = True  # read-only: from the replica, if any (ambito/platform/replica.py)

    def get_template_names(self):
        return [
            "indicatori/cruscotto_comune.html"
            if self.comune_operatore
            else "indicatori/cruscotto.html"
        ]

    def get(self, request, *args, **kwargs):
        self.comune_operatore = (
            None
            if request.user.has_perm("indicatori.consulta_cruscotto_ambito")
            else ruoli(request.user).comune
        )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        if self.comune_operatore is not None:
            return super().get_context_data(
                dati=cruscotto.cruscotto_comune(fetched_by=user, comune=self.comune_operatore),
                **kwargs,
            )
        form = CruscottoForm(self.request.GET or None, user=user)
        filtri = form.cleaned_data if form.is_valid() else {}
        ambito = filtri.get("ambito") or form.ambito_predefinito
        if ambito is None:
            raise Http404
        dati = cruscotto.cruscotto_ambito(
            fetched_by=user,
            ambito=ambito,
            anno=filtri.get("anno"),
            periodo=filtri.get("periodo"),
            comune=filtri.get("comune"),
            area=filtri.get("area"),
            periodi=form.periodi_di(ambito),
        )
        # A one-time token of the Relazione form: the same form posted twice is one job.
        return super().get_context_data(form=form, dati=dati, richiesta=uuid.uuid4().hex, **kwargs)

    def get_tabella_esportazione(self):
        """`?esporta=xlsx&tabella=<chart id>|completezza`: one of the page's tables; an
        Operatore's page has one, his Comune's values over time."""
        contesto = self.get_context_data()
        if self.comune_operatore is not None:
            return esportazioni.cruscotto_comune_tabella(
                contesto["dati"], {_("Comune"): self.comune_operatore.nome}
            )
        tabella = esportazioni.cruscotto_tabella(
            contesto["dati"],
            self.request.GET.get("tabella", esportazioni.COMPLETEZZA),
            {_("Ambito"): contesto["dati"].ambito.nome, **filtri_applicati(contesto["form"])},
        )
        if tabella is None:
            raise Http404
        return tabella


class RelazionePdfView(LoginRequiredMixin, View):
    """POST: ask for the Relazione di monitoraggio (UdP and Revisori of the Ambito).

    The PDF is written by a worker (indicatori/tasks.py): the answer is at once a
    redirect to the job's page, which follows its progress.
    """

    def post(self, request):
        user = request.user
        form = CruscottoForm(request.POST, user=user)
        if not form.is_valid():
            raise Http404
        ambito = form.cleaned_data["ambito"] or form.ambito_predefinito
        if ambito is None:
            raise Http404
        job, _created = services.relazione_request(
            user=user,
            ambito=ambito,
            periodo=form.cleaned_data.get("periodo"),
            richiesta=request.POST.get("richiesta", "")[:64],
        )
        return HttpResponseRedirect(job.get_absolute_url(), status=303)


class RichiestaRelazioneDetailView(LoginRequiredMixin, DetailView):
    """A Relazione job of the user: its state, refreshed while it runs; retry (POST)."""

    template_name = "indicatori/richiestarelazione_detail.html"
    context_object_name = "job"

    def get_queryset(self):
        # A job is its requester's own page (the report itself is in the register).
        return RichiestaRelazione.objects.filter(richiesta_da=self.request.user).select_related(
            "ambito", "periodo", "report"
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            riprovabile=services.relazione_retryable(self.object), **kwargs
        )

    def post(self, request, pk):
        job = self.get_object()
        try:
            services.relazione_retry(user=request.user, job=job)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(job.get_absolute_url(), status=303)


class SchedaComunePdfView(LoginRequiredMixin, View):
    """POST: generate the Scheda Comune of a period (operators: their own Comune only)."""

    def post(self, request, comune_pk, periodo_pk):
        user = request.user
        comune = get_visible_or_404(Comune, user, pk=comune_pk)
        periodo = get_visible_or_404(Periodo, user, pk=periodo_pk, ambito_id=comune.ambito_id)
        return pdf_response(reports.scheda_comune_pdf(user=user, comune=comune, periodo=periodo))


class SchedaProgettoPdfView(LoginRequiredMixin, View):
    """POST: generate a project's sheet (whoever may see the project, partners included)."""

    def post(self, request, pk):
        progetto = get_visible_or_404(Progetto, request.user, pk=pk)
        return pdf_response(reports.scheda_progetto_pdf(user=request.user, progetto=progetto))


# --- The calendar of the periods -----------------------------------------------------------


class PeriodoListView(LoginRequiredMixin, ListView):
    """The periods of the user's Ambiti with their state and deadline; for the Ufficio di
    Piano, the links to create a year's calendar, edit, close or reopen, delete."""

    template_name = "indicatori/periodo_list.html"
    context_object_name = "periodi"

    def get_queryset(self):
        return (
            selectors.periodi_visibili(fetched_by=self.request.user)
            .annotate(numero_valori=Count("valori"))
            .order_by("ambito__nome", "-data_fine", "tipo")
        )

    def get_context_data(self, **kwargs):
        gestiti = {a.pk for a in ruoli(self.request.user).ambiti_gestiti()}
        for periodo in kwargs.get("object_list", self.object_list):
            periodo.gestibile = periodo.ambito_id in gestiti or self.request.user.is_superuser
        return super().get_context_data(
            puo_creare=bool(gestiti) or self.request.user.is_superuser,
            oggi=timezone.localdate(),
            **kwargs,
        )


class PeriodoCalendarioView(LoginRequiredMixin, FormView):
    """A year's periods of one periodicity, created together (all or none)."""

    form_class = CalendarioPeriodiForm
    template_name = "indicatori/periodo_calendario.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not ruoli(request.user).is_ufficio_piano:
            raise PermissionDenied(_("Solo l'Ufficio di Piano crea i periodi."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"anno": timezone.localdate().year, "tipo": "semestrale", "giorni_scadenza": 30}

    def form_valid(self, form):
        dati = form.cleaned_data
        try:
            creati = services.periodi_calendar_create(
                user=self.request.user,
                ambito=dati["ambito"],
                anno=dati["anno"],
                tipo=dati["tipo"],
                giorni_scadenza=dati["giorni_scadenza"],
                indicatori=dati["indicatori"],
            )
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            ngettext("%(n)s periodo creato.", "%(n)s periodi creati.", len(creati))
            % {"n": len(creati)},
        )
        return HttpResponseRedirect(reverse("indicatori:periodo_list"))


class PeriodoUpdateView(ScopedUpdateMixin, UpdateView):
    model = Periodo
    form_class = PeriodoForm
    template_name = "indicatori/form.html"
    success_message = _("Periodo aggiornato.")

    def perform_save(self, form):
        return services.periodo_update(user=self.request.user, periodo=form.instance)

    def get_success_url(self):
        return reverse("indicatori:periodo_list")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            titolo=_("Modifica %(periodo)s") % {"periodo": self.object},
            annulla=self.get_success_url(),
            **kwargs,
        )


class PeriodoDeleteView(ScopedDeleteMixin, TemplateView):
    model = Periodo
    success_message = _("Periodo eliminato.")

    def perform_delete(self, obj):
        services.periodo_delete(user=self.request.user, periodo=obj)

    def get_success_url(self):
        return reverse("indicatori:periodo_list")


# --- The catalogue of indicators -----------------------------------------------------------


class IndicatoreFormMixin:
    model = Indicatore
    form_class = IndicatoreForm
    template_name = "indicatori/form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "piano": self.piano}

    def perform_save(self, form):
        return services.indicatore_save(indicatore=form.instance)

    def get_success_url(self):
        return self.object.get_absolute_url()


class IndicatoreCreateView(IndicatoreFormMixin, ServiceFormMixin, CreateView):
    success_message = _("Indicatore inserito.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.piano = get_editable_or_403(
                PianoDiZona,
                request.user,
                perm="indicatori.crea_indicatore",
                pk=kwargs["piano_pk"],
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            titolo=_("Nuovo indicatore del %(piano)s") % {"piano": self.piano},
            annulla=self.piano.get_absolute_url(),
            **kwargs,
        )


class IndicatoreUpdateView(IndicatoreFormMixin, ScopedUpdateMixin, UpdateView):
    success_message = _("Indicatore aggiornato.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.object = self.get_object()
            self.piano = self.object.piano
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            titolo=_("Modifica indicatore %(codice)s") % {"codice": self.object.codice},
            annulla=self.object.get_absolute_url(),
            **kwargs,
        )


class IndicatoreDeleteView(ScopedDeleteMixin, TemplateView):
    model = Indicatore
    success_message = _("Indicatore eliminato.")

    def perform_delete(self, obj):
        services.indicatore_delete(indicatore=obj)

    def get_success_url(self):
        return self.object.piano.get_absolute_url()

    def get_cancel_url(self):
        return self.object.get_absolute_url()


# --- The regional dashboard ----------------------------------------------------------------


class CruscottoRegioneView(LoginRequiredMixin, TemplateView):
    """Every Ambito of a region side by side (Regione; the superuser sees all regions)."""

    usa_replica = True  # read-only: from the replica, if any (ambito/platform/replica.py)

    template_name = "indicatori/regione.html"

    def get_context_data(self, **kwargs):
        form, dati = regione.da_parametri(user=self.request.user, parametri=self.request.GET)
        parametri = self.request.GET.copy()
        parametri.pop("ordina", None)
        return super().get_context_data(
            form=form,
            dati=dati,
            ordinamenti=regione.ORDINAMENTI,
            ordina=self.request.GET.get("ordina", ""),
            query=parametri.urlencode(),
            # A one-time token of the PDF form: the same form posted twice is one job.
            richiesta=uuid.uuid4().hex,
            **kwargs,
        )


class CruscottoRegionePdfView(LoginRequiredMixin, View):
    """POST: ask for the regional dashboard as a PDF, with the page's filters (Regione).

    The PDF is drawn by a worker (indicatori/tasks.py): the answer is at once a redirect
    to the job's page, which follows its progress.
    """

    def post(self, request):
        parametri = request.POST.copy()
        richiesta = parametri.pop("richiesta", [""])[-1][:64]
        try:
            job, _created = services.regione_pdf_request(
                user=request.user, parametri=parametri, richiesta=richiesta
            )
        except ValidationError as error:  # filters the page never offers
            raise Http404 from error
        return HttpResponseRedirect(job.get_absolute_url(), status=303)


class RichiestaRegioneDetailView(LoginRequiredMixin, DetailView):
    """A regional PDF job of the user: its state, refreshed while it runs; retry (POST)."""

    template_name = "indicatori/richiestaregione_detail.html"
    context_object_name = "job"

    def get_queryset(self):
        # A job is its requester's own page (the report itself is in the register).
        return RichiestaRegione.objects.filter(richiesta_da=self.request.user).select_related(
            "ambito", "report"
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            riprovabile=services.regione_pdf_retryable(self.object), **kwargs
        )

    def post(self, request, pk):
        job = self.get_object()
        try:
            services.regione_pdf_retry(user=request.user, job=job)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(job.get_absolute_url(), status=303)

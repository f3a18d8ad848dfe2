import mimetypes

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
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
from .choices import FormatoEsportazione, Ruolo
from .filtersets import EnteFilterSet
from .forms import (
    AmbitoForm,
    CalendarioPromemoriaForm,
    CambioPasswordForm,
    ComuneForm,
    DatiDemograficiForm,
    EsportazioneForm,
    ImportazioneForm,
    IncaricoForm,
    InvitoForm,
    NuovaPasswordForm,
    PasswordDimenticataForm,
    PopolazioneForm,
    PreferenzeNotificheForm,
    ProfiloForm,
    TokenAPIForm,
    VerificaReportForm,
)
from .models import (
    Ambito,
    Comune,
    DatiDemografici,
    Ente,
    Esportazione,
    Importazione,
    Incarico,
    Notifica,
    ReportGenerato,
    TokenAPI,
)
from .platform import esportazioni, importazioni
from .platform.mixins import (
    EsportaMixin,
    FilteredListMixin,
    ScopedCreateMixin,
    ScopedMixin,
    ScopedUpdateMixin,
    ServiceFormMixin,
    add_service_error,
    check_perm,
    get_editable_or_403,
    get_visible_or_404,
)
from .rules import is_ufficio_piano_di
from .validators import e_un_id


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "ambito/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        ambiti = list(
            Ambito.objects.visible_to(user)
            .select_related("ente_capofila")
            .annotate(n_piani=Count("piani"))
            .order_by("nome")
        )
        popolazioni = selectors.popolazione_di_riferimento_per_ambito(ambiti=ambiti)
        riepilogo = [
            {
                "ambito": ambito,
                "anno": popolazioni[ambito.pk].anno,
                "residenti": popolazioni[ambito.pk].residenti,
                # An Ambito without a Piano: its Ufficio di Piano starts from the guide.
                "primi_passi": not ambito.n_piani
                and (user.is_superuser or is_ufficio_piano_di.test(user, ambito)),
            }
            for ambito in ambiti
        ]
        return super().get_context_data(riepilogo=riepilogo, **kwargs)


class TerritorioView(EsportaMixin, LoginRequiredMixin, TemplateView):
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

    def get_tabella_esportazione(self):
        """The page's tables in one sheet: a row per Comune, its residents per year,
        then each Ambito's total row (computed in SQL, as the page shows it)."""
        dati = self.get_context_data()
        anni = dati["anni"]
        righe = []
        for tabella in dati["tabelle"]:
            ambito = tabella["ambito"]
            for comune in tabella["comuni"]:
                righe.append(
                    [ambito.nome, comune.nome, comune.codice_istat]
                    + [comune.residenti.get(anno) for anno in anni]
                )
            righe.append(
                [ambito.nome, _("Totale dell'Ambito"), ""]
                + [tabella["totali"].get(anno) for anno in anni]
            )
        return esportazioni.Tabella(
            titolo=_("Comuni e popolazione residente"),
            colonne=[
                esportazioni.Colonna(_("Ambito")),
                esportazioni.Colonna(_("Comune")),
                esportazioni.Colonna(_("Codice ISTAT"), esportazioni.TESTO),
                *(
                    esportazioni.Colonna(
                        _("Residenti %(anno)s") % {"anno": anno}, esportazioni.INTERO
                    )
                    for anno in anni
                ),
            ],
            righe=righe,
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
    """GET: the stored file (PDF, CSV, .xlsx) of a registered report, for whoever may see
    the report."""

    def get(self, request, pk):
        report = get_visible_or_404(ReportGenerato, request.user, pk=pk)
        if not report.file:
            raise Http404(_("Il PDF di questo report non è stato conservato."))
        return FileResponse(
            report.file.open("rb"),
            as_attachment=True,
            filename=report.nome_file,
            content_type=mimetypes.guess_type(report.nome_file)[0],
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
        return HttpResponseRedirect(reverse("profilo") + "#notifiche")


# --- Users and roles of the Ambito (/utenti/) ----------------------------------------------


class UtentiMixin(LoginRequiredMixin):
    """Pages of the Ufficio di Piano about the users of his Ambiti."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            check_perm(
                request.user,
                "ambito.gestisce_utenti",
                message=_("Solo l'Ufficio di Piano gestisce gli utenti dell'Ambito."),
            )
        return super().dispatch(request, *args, **kwargs)

    def get_utente(self):
        """The user of the URL, if he holds a role in one of the viewer's Ambiti (else 404)."""
        return get_object_or_404(
            selectors.utenti_gestiti(fetched_by=self.request.user), pk=self.kwargs["pk"]
        )


class UtenteListView(UtentiMixin, ListView):
    template_name = "ambito/utente_list.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.utenti_gestiti(fetched_by=self.request.user)


class UtenteInviteView(UtentiMixin, FormView):
    form_class = InvitoForm
    template_name = "ambito/utente_invito.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        initial = super().get_initial()
        ambito = self.request.GET.get("ambito")
        if ambito and e_un_id(ambito):
            initial["ambito"] = ambito
        if self.request.GET.get("ruolo"):
            initial["ruolo"] = self.request.GET["ruolo"]
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            utente = services.utente_invite(
                invitato_da=self.request.user,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                ambito=data["ambito"],
                ruolo=data["ruolo"],
                comune=data["comune"],
            )
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Invito spedito a %(email)s: riceverà il collegamento per scegliere la password.")
            % {"email": utente.email},
        )
        return HttpResponseRedirect(reverse("utenti:utente_detail", args=[utente.pk]))


class UtenteDetailView(UtentiMixin, FormView):
    """A user: his roles in the viewer's Ambiti, a form to give one more, the buttons to
    take one away, to deactivate or reactivate him and to send the invitation again."""

    form_class = IncaricoForm
    template_name = "ambito/utente_detail.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_perm("ambito.gestisce_utenti"):
            self.utente = self.get_utente()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        stesso = self.utente.pk == self.request.user.pk
        return super().get_context_data(
            utente=self.utente,
            stesso=stesso,
            gestibile=self.request.user.has_perm("ambito.modifica_utente", self.utente),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.incarico_assign(
                assegnato_da=self.request.user,
                utente=self.utente,
                ambito=data["ambito"],
                ruolo=data["ruolo"],
                comune=data["comune"],
            )
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Incarico assegnato."))
        return HttpResponseRedirect(self.request.path)


class IncaricoRevokeView(UtentiMixin, TemplateView):
    """GET: what is about to be taken away; POST: take it away."""

    template_name = "ambito/incarico_revoca.html"

    def get_incarico(self):
        ambiti = Ambito.objects.editable_by(self.request.user)
        return get_object_or_404(
            Incarico.objects.select_related("user", "ambito", "comune").filter(ambito__in=ambiti),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(incarico=self.get_incarico(), **kwargs)

    def post(self, request, pk):
        incarico = self.get_incarico()
        try:
            services.incarico_revoke(revocato_da=request.user, incarico=incarico)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Incarico revocato."))
        return HttpResponseRedirect(reverse("utenti:utente_detail", args=[incarico.user_id]))


class UtenteAzioneView(UtentiMixin, View):
    """POST only: deactivate, reactivate, or send the invitation again."""

    azione = None

    def post(self, request, pk):
        utente = self.get_utente()
        check_perm(
            request.user,
            "ambito.modifica_utente",
            utente,
            _("Non puoi modificare il tuo stesso utente da qui: usa il tuo profilo."),
        )
        try:
            if self.azione == "disattiva":
                services.utente_deactivate(disattivato_da=request.user, utente=utente)
                messages.success(request, _("Utente disattivato: non può più accedere."))
            elif self.azione == "riattiva":
                services.utente_reactivate(riattivato_da=request.user, utente=utente)
                messages.success(request, _("Utente riattivato."))
            else:
                services.invito_send(utente=utente, invitato_da=request.user)
                messages.success(
                    request, _("Invito spedito di nuovo a %(email)s.") % {"email": utente.email}
                )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return HttpResponseRedirect(reverse("utenti:utente_detail", args=[utente.pk]))


# --- The user's own profile and password -----------------------------------------------------


class ProfiloView(LoginRequiredMixin, FormView):
    """Name, e-mail, e-mail preferences (posted to `ambito:preferenze`), password, tokens."""

    form_class = ProfiloForm
    template_name = "ambito/profilo.html"

    def get_initial(self):
        user = self.request.user
        return {"first_name": user.first_name, "last_name": user.last_name, "email": user.email}

    def get_context_data(self, **kwargs):
        preferenze = PreferenzeNotificheForm(instance=services.preferenze_of(self.request.user))
        return super().get_context_data(preferenze_form=preferenze, **kwargs)

    def form_valid(self, form):
        try:
            services.profilo_save(utente=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Profilo aggiornato."))
        return HttpResponseRedirect(reverse("profilo"))


class CambioPasswordView(auth_views.PasswordChangeView):
    form_class = CambioPasswordForm
    template_name = "registration/password_cambio.html"
    success_url = reverse_lazy("profilo")

    def form_valid(self, form):
        form.user._change_reason = gettext("Password cambiata")
        response = super().form_valid(form)
        messages.success(self.request, _("Password cambiata."))
        return response


class PasswordDimenticataView(auth_views.PasswordResetView):
    """The same answer whether the address is known or not (Django's view)."""

    form_class = PasswordDimenticataForm
    template_name = "registration/password_dimenticata.html"
    email_template_name = "registration/email/password_reimposta.txt"
    html_email_template_name = "registration/email/password_reimposta.html"
    subject_template_name = "registration/email/password_reimposta_oggetto.txt"
    success_url = reverse_lazy("password_reset_done")


class PasswordReimpostaView(auth_views.PasswordResetConfirmView):
    form_class = NuovaPasswordForm
    template_name = "registration/password_reimposta.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        form.user._change_reason = gettext("Password reimpostata")
        return super().form_valid(form)


class InvitoConfermaView(auth_views.PasswordResetConfirmView):
    """The link of an invitation: the new user chooses his password, then logs in."""

    form_class = NuovaPasswordForm
    template_name = "registration/invito_conferma.html"
    token_generator = services.invito_token
    success_url = reverse_lazy("login")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        form.user._change_reason = gettext("Password scelta dall'invito")
        response = super().form_valid(form)
        messages.success(
            self.request,
            _("Password salvata. Ora accedi con il tuo nome utente: %(username)s")
            % {"username": form.user.username},
        )
        return response


# --- Setting up an Ambito (superuser) ---------------------------------------------------------


class SuperuserMixin(LoginRequiredMixin):
    permission_required = "ambito.crea_ambito"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            check_perm(
                request.user,
                self.permission_required,
                message=_("Solo l'amministratore imposta un nuovo Ambito."),
            )
        return super().dispatch(request, *args, **kwargs)


class AmbitoListView(SuperuserMixin, ListView):
    template_name = "ambito/ambito_list.html"

    def get_queryset(self):
        return Ambito.objects.annotate(
            n_comuni=Count("comuni", distinct=True),
            n_udp=Count("incarichi", filter=Q(incarichi__ruolo=Ruolo.UFFICIO_PIANO), distinct=True),
        ).order_by("nome")


class AmbitoCreateView(SuperuserMixin, CreateView):
    form_class = AmbitoForm
    template_name = "ambito/ambito_form.html"

    def form_valid(self, form):
        try:
            self.object = services.ambito_create(ambito=form.instance)
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Ambito creato: ora scegli i suoi Comuni."))
        return HttpResponseRedirect(reverse("impostazione:ambito_detail", args=[self.object.pk]))


class AmbitoDetailView(SuperuserMixin, TemplateView):
    """The set-up of one Ambito: its Comuni (search the ISTAT list, add), its residents
    (upload the ISTAT file) and its first Ufficio di Piano (invite)."""

    template_name = "ambito/ambito_impostazione.html"

    def get_ambito(self):
        return get_object_or_404(Ambito, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        from .istat import cerca_comuni

        ambito = self.get_ambito()
        cerca = self.request.GET.get("q", "")[:100]
        risultati = cerca_comuni(cerca)
        presenti = {
            c.codice_istat: c
            for c in Comune.objects.select_related("ambito").filter(
                codice_istat__in=[r.codice_istat for r in risultati]
            )
        }
        return super().get_context_data(
            ambito=ambito,
            cerca=cerca,
            risultati=[(r, presenti.get(r.codice_istat)) for r in risultati],
            comuni=ambito.comuni.annotate(n_anni=Count("dati_demografici")).order_by("nome"),
            uffici=Incarico.objects.filter(ambito=ambito, ruolo=Ruolo.UFFICIO_PIANO)
            .select_related("user")
            .order_by("user__last_name"),
            popolazione_form=kwargs.pop("popolazione_form", None) or PopolazioneForm(),
            **kwargs,
        )

    def post(self, request, pk):
        ambito = self.get_ambito()
        codici = [c for c in request.POST.getlist("codice") if c.isdigit()]
        try:
            aggiunti = services.comuni_add(ambito=ambito, codici=codici)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Comuni aggiunti: %(n)d.") % {"n": len(aggiunti)}
                if aggiunti
                else _("Nessun Comune nuovo da aggiungere."),
            )
        return HttpResponseRedirect(reverse("impostazione:ambito_detail", args=[ambito.pk]))


class AmbitoRuleMixin(LoginRequiredMixin):
    """A page of one Ambito (`pk` in the URL): 404 unless the user sees it, 403 unless
    `permission_required` holds on it; the Ambito is `self.ambito` and in the context."""

    permission_required = None
    permission_message = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.ambito = get_visible_or_404(Ambito, request.user, pk=kwargs["pk"])
            check_perm(request.user, self.permission_required, self.ambito, self.permission_message)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(ambito=self.ambito, **kwargs)


class PopolazioneView(AmbitoRuleMixin, FormView):
    """Upload the ISTAT resident population file of a year for the Ambito's Comuni: one
    more entry to the population import (ambito/importazioni.py), whose dry run shows
    what would change before anything is saved."""

    form_class = PopolazioneForm
    template_name = "ambito/popolazione_form.html"

    permission_required = "ambito.carica_popolazione"
    permission_message = _("Solo l'Ufficio di Piano carica la popolazione dell'Ambito.")

    def form_valid(self, form):
        prova = importazioni.importazione_carica(
            user=self.request.user,
            ambito=self.ambito,
            tipo="popolazione",
            file=form.cleaned_data["file"],
            parametri={"anno": form.cleaned_data["anno"]},
        )
        return HttpResponseRedirect(prova.importazione.get_absolute_url(), status=303)


class CalendarioPromemoriaView(AmbitoRuleMixin, FormView):
    """When the Ambito's Operatori are reminded of a deadline (its Ufficio di Piano)."""

    form_class = CalendarioPromemoriaForm
    template_name = "ambito/calendariopromemoria_form.html"

    permission_required = "ambito.modifica_calendariopromemoria"
    permission_message = _("Il calendario dei promemoria è dell'Ufficio di Piano dell'Ambito.")

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": services.calendario_promemoria_of(self.ambito),
        }

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
            formato=form.cleaned_data["formato"] or FormatoEsportazione.CSV,
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


# --- Imports from .xlsx (ambito/platform/importazioni.py) --------------------------------


class ImportazioneMixin(LoginRequiredMixin):
    """Pages of one importer: 404 for an unknown kind or an Ambito the user cannot see,
    403 without the importer's permission on the Ambito."""

    def dispatch(self, request, *args, **kwargs):
        self.importatore = importazioni.importatore_of(kwargs["tipo"])
        if self.importatore is None:
            raise Http404
        if request.user.is_authenticated:
            self.ambito = self.get_ambito(request)
            check_perm(
                request.user,
                self.importatore.permesso,
                self.ambito,
                _("Non hai i permessi per importare questi dati."),
            )
        return super().dispatch(request, *args, **kwargs)

    def get_ambito(self, request):
        scelto = request.POST.get("ambito") or request.GET.get("ambito")
        ambiti = Ambito.objects.visible_to(request.user).order_by("nome")
        if scelto:
            if not e_un_id(scelto):
                raise Http404
            return get_object_or_404(ambiti, pk=scelto)
        ambito = ambiti.first()
        if ambito is None:
            raise Http404
        return ambito

    def get_context_data(self, **kwargs):
        return super().get_context_data(importatore=self.importatore, ambito=self.ambito, **kwargs)


class ImportazioneView(ImportazioneMixin, FormView):
    """Upload a file: the answer is its dry run (nothing is written but the upload)."""

    form_class = ImportazioneForm
    template_name = "ambito/importazione_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, importatore=self.importatore, ambito=self.ambito)
        if self.request.method == "GET":
            kwargs["initial"] = {**kwargs.get("initial", {}), **self.request.GET.dict()}
        return kwargs

    def form_valid(self, form):
        parametri = self.importatore.parametri(
            user=self.request.user, ambito=self.ambito, dati=form.cleaned_data
        )
        prova = importazioni.importazione_carica(
            user=self.request.user,
            ambito=self.ambito,
            tipo=self.importatore.tipo,
            file=form.cleaned_data["file"],
            parametri=parametri,
        )
        return HttpResponseRedirect(prova.importazione.get_absolute_url(), status=303)


class ImportazioneModelloView(ImportazioneMixin, View):
    """GET: the pre-filled template (.xlsx) of the importer, for the parameters asked."""

    def get(self, request, *args, **kwargs):
        form = ImportazioneForm(
            request.GET, user=request.user, importatore=self.importatore, ambito=self.ambito
        )
        form.fields.pop("file")
        if not form.is_valid():
            raise Http404
        parametri = self.importatore.parametri(
            user=request.user, ambito=self.ambito, dati=form.cleaned_data
        )
        tabella = self.importatore.modello(ambito=self.ambito, user=request.user, **parametri)
        contenuto = esportazioni.FORMATI["xlsx"](tabella)
        risposta = HttpResponse(
            contenuto,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        nome = slugify(tabella.titolo)[:80] or self.importatore.tipo
        risposta["Content-Disposition"] = f'attachment; filename="{nome}.xlsx"'
        return risposta


class ImportazioneDetailView(LoginRequiredMixin, TemplateView):
    """The dry run of an upload (against the database of now), and its confirmation."""

    template_name = "ambito/importazione_detail.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.importatore = importazioni.importatore_of(kwargs["tipo"])
            self.importazione = get_object_or_404(
                Importazione.objects.select_related("ambito", "utente"),
                pk=kwargs["pk"],
                tipo=kwargs["tipo"],
                utente=request.user,
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        if "prova" not in kwargs:
            kwargs["prova"] = importazioni.importazione_prova(importazione=self.importazione)
        gia_applicata = (
            Importazione.objects.filter(
                ambito=self.importazione.ambito,
                tipo=self.importazione.tipo,
                sha256=self.importazione.sha256,
                stato=Importazione.Stato.APPLICATA,
            )
            .exclude(pk=self.importazione.pk)
            .order_by("-applicata_il")
            .first()
        )
        return super().get_context_data(
            importatore=self.importatore,
            importazione=self.importazione,
            parametri=self.importatore.descrivi(**self.importazione.parametri),
            gia_applicata=gia_applicata,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        conferma = request.POST.get("conferma") == "on"
        try:
            prova = importazioni.importazione_applica(
                user=request.user, importazione=self.importazione, conferma=conferma
            )
        except ValidationError as error:
            self.importazione.refresh_from_db()
            return self.render_to_response(
                self.get_context_data(
                    prova=importazioni.importazione_prova(
                        importazione=self.importazione, conferma=conferma
                    ),
                    errore=" ".join(error.messages),
                )
            )
        messages.success(
            request,
            ngettext(
                "Importazione completata: %(n)s riga applicata.",
                "Importazione completata: %(n)s righe applicate.",
                prova.modifiche,
            )
            % {"n": prova.modifiche},
        )
        return HttpResponseRedirect(self.importazione.get_absolute_url(), status=303)

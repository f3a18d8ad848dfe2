"""Root URL configuration, and the territory app's pages (namespace `ambito`).

Each app's pages and API come in through `include()` of its own URLconf, named by
string: the project package imports no app (the import-linter contract checks it)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views
from .platform.audit import admin as audit_admin
from .platform.audit import urls as audit_urls

territorio_patterns = [
    path("", views.TerritorioView.as_view(), name="comune_list"),
    path("comuni/nuovo/", views.ComuneCreateView.as_view(), name="comune_create"),
    path("comuni/<int:pk>/", views.ComuneDetailView.as_view(), name="comune_detail"),
    path("comuni/<int:pk>/modifica/", views.ComuneUpdateView.as_view(), name="comune_update"),
    path(
        "comuni/<int:comune_pk>/dati-demografici/nuovo/",
        views.DatiDemograficiCreateView.as_view(),
        name="datidemografici_create",
    ),
    path(
        "dati-demografici/<int:pk>/modifica/",
        views.DatiDemograficiUpdateView.as_view(),
        name="datidemografici_update",
    ),
    path("enti/", views.EnteListView.as_view(), name="ente_list"),
    path(
        "ambiti/<int:pk>/promemoria/",
        views.CalendarioPromemoriaView.as_view(),
        name="calendariopromemoria",
    ),
    path("notifiche/", views.NotificaListView.as_view(), name="notifica_list"),
    path("notifiche/preferenze/", views.PreferenzeView.as_view(), name="preferenze"),
    path(
        "notifiche/da-leggere/",
        views.NotificaConteggioView.as_view(),
        name="notifica_conteggio",
    ),
]

utenti_patterns = [
    path("", views.UtenteListView.as_view(), name="utente_list"),
    path("invita/", views.UtenteInviteView.as_view(), name="utente_invite"),
    path("<int:pk>/", views.UtenteDetailView.as_view(), name="utente_detail"),
    path(
        "<int:pk>/disattiva/",
        views.UtenteAzioneView.as_view(azione="disattiva"),
        name="utente_deactivate",
    ),
    path(
        "<int:pk>/riattiva/",
        views.UtenteAzioneView.as_view(azione="riattiva"),
        name="utente_reactivate",
    ),
    path(
        "<int:pk>/reinvia-invito/",
        views.UtenteAzioneView.as_view(azione="invito"),
        name="utente_reinvite",
    ),
    path("incarichi/<int:pk>/revoca/", views.IncaricoRevokeView.as_view(), name="incarico_revoke"),
]

impostazione_patterns = [
    path("", views.AmbitoListView.as_view(), name="ambito_list"),
    path("nuovo/", views.AmbitoCreateView.as_view(), name="ambito_create"),
    path("<int:pk>/", views.AmbitoDetailView.as_view(), name="ambito_detail"),
]

# Imports from .xlsx: upload and dry run, template, confirmation (platform/importazioni.py).
importazioni_patterns = [
    path("<slug:tipo>/", views.ImportazioneView.as_view(), name="importazione_create"),
    path("<slug:tipo>/modello/", views.ImportazioneModelloView.as_view(), name="modello"),
    path(
        "<slug:tipo>/<int:pk>/",
        views.ImportazioneDetailView.as_view(),
        name="importazione_detail",
    ),
]

# The user's personal API tokens (under his profile).
token_patterns = [
    path("", views.TokenAPIListView.as_view(), name="tokenapi_list"),
    path("nuovo/", views.TokenAPICreateView.as_view(), name="tokenapi_create"),
    path("<int:pk>/rigenera/", views.TokenAPIRotateView.as_view(), name="tokenapi_rotate"),
    path("<int:pk>/revoca/", views.TokenAPIRevokeView.as_view(), name="tokenapi_revoke"),
]

report_patterns = [
    path("", views.ReportGeneratoListView.as_view(), name="index"),
    path("verifica/", views.VerificaReportView.as_view(), name="verifica"),
    path("<int:pk>/pdf/", views.ReportDownloadView.as_view(), name="download"),
    path("esportazioni/", views.EsportazioneCreateView.as_view(), name="esportazione_create"),
    path(
        "esportazioni/<int:pk>/",
        views.EsportazioneDetailView.as_view(),
        name="esportazione_detail",
    ),
    # The PDFs of the indicators app join this namespace through their own URLconf.
    path("", include("indicatori.report_urls")),
]

# Unknown /api/ URLs answer the API's JSON problem; others the 404 page.
handler404 = "ambito.platform.api.errors.api_not_found"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    # The guide of a new Ufficio di Piano (a page of programmi, named without namespace).
    path("primi-passi/", include("programmi.primi_passi_urls")),
    path("accesso/", auth_views.LoginView.as_view(), name="login"),
    path("uscita/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accesso/password-dimenticata/",
        views.PasswordDimenticataView.as_view(),
        name="password_reset",
    ),
    path(
        "accesso/password-dimenticata/inviata/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_dimenticata_inviata.html"
        ),
        name="password_reset_done",
    ),
    path(
        "accesso/reimposta/<uidb64>/<token>/",
        views.PasswordReimpostaView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accesso/reimposta/fatto/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reimpostata.html"
        ),
        name="password_reset_complete",
    ),
    path(
        "accesso/invito/<uidb64>/<token>/",
        views.InvitoConfermaView.as_view(),
        name="invito_conferma",
    ),
    path("profilo/", views.ProfiloView.as_view(), name="profilo"),
    path("profilo/password/", views.CambioPasswordView.as_view(), name="password_change"),
    path("utenti/", include((utenti_patterns, "utenti"))),
    path("ambiti/", include((impostazione_patterns, "impostazione"))),
    path(
        "ambiti/<int:pk>/popolazione/",
        views.PopolazioneView.as_view(),
        name="popolazione_load",
    ),
    path("territorio/", include((territorio_patterns, "ambito"))),
    path("fondi/", include("fondi.urls")),
    path("servizi/", include("servizi.urls")),
    path("programmazione/", include("programmi.urls")),
    path("indicatori/", include("indicatori.urls")),
    path("report/", include((report_patterns, "report"))),
    path("profilo/token/", include((token_patterns, "token"))),
    path("importazioni/", include((importazioni_patterns, "importazioni"))),
    path("api/v1/", include("ambito.api.urls")),
    path("registro/", include((audit_urls.urlpatterns, "registro"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI with its init script as a separate file: no inline script (CSP).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="api_docs",
    ),
    path("admin/", audit_admin.admin_storico_in_sola_lettura(admin.site.urls)),
]

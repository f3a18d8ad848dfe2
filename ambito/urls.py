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
    path("notifiche/", views.NotificaListView.as_view(), name="notifica_list"),
    path("notifiche/preferenze/", views.PreferenzeView.as_view(), name="preferenze"),
    path(
        "notifiche/da-leggere/",
        views.NotificaConteggioView.as_view(),
        name="notifica_conteggio",
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
    # The PDFs of the indicators app join this namespace through their own URLconf.
    path("", include("indicatori.report_urls")),
]

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("accesso/", auth_views.LoginView.as_view(), name="login"),
    path("uscita/", auth_views.LogoutView.as_view(), name="logout"),
    path("territorio/", include((territorio_patterns, "ambito"))),
    path("fondi/", include("fondi.urls")),
    path("servizi/", include("servizi.urls")),
    path("programmazione/", include("programmi.urls")),
    path("indicatori/", include("indicatori.urls")),
    path("report/", include((report_patterns, "report"))),
    path("profilo/token/", include((token_patterns, "token"))),
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

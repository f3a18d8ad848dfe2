from django.urls import path

from . import views

app_name = "servizi"

urlpatterns = [
    path("", views.ServizioListView.as_view(), name="index"),
    path("nuovo/", views.ServizioCreateView.as_view(), name="servizio_create"),
    path("<int:pk>/", views.ServizioDetailView.as_view(), name="servizio_detail"),
    path("<int:pk>/modifica/", views.ServizioUpdateView.as_view(), name="servizio_update"),
    path(
        "<int:servizio_pk>/dati/nuovo/",
        views.DatoAnnualeCreateView.as_view(),
        name="dato_create",
    ),
    path("dati/<int:pk>/modifica/", views.DatoAnnualeUpdateView.as_view(), name="dato_update"),
    path(
        "<int:servizio_pk>/avvisi/nuovo/",
        views.AvvisoCreateView.as_view(),
        name="avviso_create",
    ),
    path("avvisi/<int:pk>/modifica/", views.AvvisoUpdateView.as_view(), name="avviso_update"),
    path("unita/", views.UnitaOffertaListView.as_view(), name="unita_list"),
    path("unita/nuova/", views.UnitaOffertaCreateView.as_view(), name="unita_create"),
    path("unita/<int:pk>/modifica/", views.UnitaOffertaUpdateView.as_view(), name="unita_update"),
    path("unita/riepilogo/", views.RiepilogoUnitaView.as_view(), name="unita_riepilogo"),
    path("verifica/", views.VerificaView.as_view(), name="verifica"),
    path("tabelle/", views.TabellaListView.as_view(), name="tabella_list"),
    path("tabelle/capitolo/", views.CapitoloContestoView.as_view(), name="capitolo_contesto"),
    path(
        "tabelle/capitolo/pdf/",
        views.CapitoloContestoPdfView.as_view(),
        name="capitolo_contesto_pdf",
    ),
    path("tabelle/nuova/", views.TabellaCreateView.as_view(), name="tabella_create"),
    path("tabelle/<int:pk>/", views.TabellaDetailView.as_view(), name="tabella_detail"),
    path("tabelle/<int:pk>/importa/", views.TabellaImportaView.as_view(), name="tabella_importa"),
]

"""Pages of the indicators app (namespace `indicatori`)."""

from django.urls import path

from . import views

app_name = "indicatori"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("cruscotto/", views.CruscottoView.as_view(), name="cruscotto"),
    path("regione/", views.CruscottoRegioneView.as_view(), name="regione"),
    path("da-fare/", views.DaFareView.as_view(), name="da_fare"),
    path("catalogo/", views.IndicatoreListView.as_view(), name="indicatore_list"),
    path("catalogo/<int:pk>/", views.IndicatoreDetailView.as_view(), name="indicatore_detail"),
    path(
        "piani/<int:piano_pk>/indicatori/nuovo/",
        views.IndicatoreCreateView.as_view(),
        name="indicatore_create",
    ),
    path(
        "catalogo/<int:pk>/modifica/",
        views.IndicatoreUpdateView.as_view(),
        name="indicatore_update",
    ),
    path(
        "catalogo/<int:pk>/elimina/",
        views.IndicatoreDeleteView.as_view(),
        name="indicatore_delete",
    ),
    path("periodi/", views.PeriodoListView.as_view(), name="periodo_list"),
    path("periodi/nuovi/", views.PeriodoCalendarioView.as_view(), name="periodo_calendario"),
    path("periodi/<int:pk>/modifica/", views.PeriodoUpdateView.as_view(), name="periodo_update"),
    path("periodi/<int:pk>/elimina/", views.PeriodoDeleteView.as_view(), name="periodo_delete"),
    path("valori/", views.ValoreListView.as_view(), name="valore_list"),
    path("valori/<int:pk>/", views.ValoreDetailView.as_view(), name="valore_detail"),
    path(
        "periodi/<int:pk>/comuni/<int:comune_pk>/",
        views.InserimentoView.as_view(),
        name="inserimento",
    ),
    path("periodi/<int:pk>/ambito/", views.InserimentoView.as_view(), name="inserimento_ambito"),
    path("periodi/<int:pk>/revisione/", views.RevisioneView.as_view(), name="revisione"),
    path(
        "periodi/<int:pk>/revisione/comuni/<int:comune_pk>/",
        views.RevisioneComuneView.as_view(),
        name="revisione_comune",
    ),
    path(
        "periodi/<int:pk>/revisione/ambito/",
        views.RevisioneComuneView.as_view(),
        name="revisione_ambito",
    ),
    path(
        "periodi/<int:pk>/revisione/comuni/<int:comune_pk>/approva-tutti/",
        views.ApprovaTuttiView.as_view(),
        name="approva_tutti",
    ),
    path(
        "periodi/<int:pk>/revisione/ambito/approva-tutti/",
        views.ApprovaTuttiView.as_view(),
        name="approva_tutti_ambito",
    ),
    path("periodi/<int:pk>/completezza/", views.CompletezzaView.as_view(), name="completezza"),
    path("avanzamento/", views.AvanzamentoView.as_view(), name="avanzamento"),
    path("contesto/", views.ContestoView.as_view(), name="contesto"),
]

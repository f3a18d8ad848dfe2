"""The PDF reports the indicators app writes, routed by the root URLconf inside the
`report` namespace (next to the report archive), so the project package never imports
this app's views."""

from django.urls import path

from . import views

urlpatterns = [
    path("relazione/", views.RelazionePdfView.as_view(), name="relazione"),
    path(
        "relazione/richieste/<int:pk>/",
        views.RichiestaRelazioneDetailView.as_view(),
        name="richiesta_detail",
    ),
    path(
        "comuni/<int:comune_pk>/periodi/<int:periodo_pk>/",
        views.SchedaComunePdfView.as_view(),
        name="scheda_comune",
    ),
    path("regione/", views.CruscottoRegionePdfView.as_view(), name="regione"),
    path(
        "regione/richieste/<int:pk>/",
        views.RichiestaRegioneDetailView.as_view(),
        name="richiesta_regione_detail",
    ),
    path("progetti/<int:pk>/", views.SchedaProgettoPdfView.as_view(), name="scheda_progetto"),
]

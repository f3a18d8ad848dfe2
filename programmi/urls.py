from django.urls import path

from . import views

app_name = "programmi"

urlpatterns = [
    path("", views.PianoIndexView.as_view(), name="index"),
    path("piani/", views.PianoListView.as_view(), name="piano_list"),
    path("piani/nuovo/", views.PianoCreateView.as_view(), name="piano_create"),
    path("piani/primo/", views.PrimoPianoView.as_view(), name="piano_primo"),
    path("piani/<int:pk>/copia/", views.PianoCopiaView.as_view(), name="piano_copia"),
    path("piani/<int:pk>/attiva/", views.PianoAttivaView.as_view(), name="piano_attiva"),
    path("piani/<int:pk>/", views.PianoDetailView.as_view(), name="piano_detail"),
    path("piani/<int:pk>/modifica/", views.PianoUpdateView.as_view(), name="piano_update"),
    path(
        "piani/<int:pk>/valutazione/",
        views.ValutazioneListView.as_view(),
        name="valutazione_list",
    ),
    path(
        "piani/<int:piano_pk>/macro-aree/nuova/",
        views.MacroAreaCreateView.as_view(),
        name="macroarea_create",
    ),
    path(
        "macro-aree/<int:pk>/modifica/",
        views.MacroAreaUpdateView.as_view(),
        name="macroarea_update",
    ),
    path(
        "macro-aree/<int:pk>/elimina/",
        views.MacroAreaDeleteView.as_view(),
        name="macroarea_delete",
    ),
    path(
        "piani/<int:piano_pk>/obiettivi/nuovo/",
        views.ObiettivoCreateView.as_view(),
        name="obiettivo_create",
    ),
    path("obiettivi/<int:pk>/", views.ObiettivoDetailView.as_view(), name="obiettivo_detail"),
    path(
        "obiettivi/<int:pk>/modifica/",
        views.ObiettivoUpdateView.as_view(),
        name="obiettivo_update",
    ),
    path(
        "obiettivi/<int:pk>/elimina/",
        views.ObiettivoDeleteView.as_view(),
        name="obiettivo_delete",
    ),
    path(
        "obiettivi/<int:obiettivo_pk>/valutazione/",
        views.ValutazioneUpdateView.as_view(),
        name="valutazione_update",
    ),
    path(
        "piani/<int:piano_pk>/schede/nuova/",
        views.SchedaCreateView.as_view(),
        name="scheda_create",
    ),
    path("schede/<int:pk>/", views.SchedaDetailView.as_view(), name="scheda_detail"),
    path("schede/<int:pk>/modifica/", views.SchedaUpdateView.as_view(), name="scheda_update"),
    path("schede/<int:pk>/elimina/", views.SchedaDeleteView.as_view(), name="scheda_delete"),
]

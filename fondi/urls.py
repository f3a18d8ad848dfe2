from django.urls import path

from . import views, views_regis

app_name = "fondi"

urlpatterns = [
    path("", views.FondiIndexView.as_view(), name="index"),
    path("fonti/", views.FonteListView.as_view(), name="fonte_list"),
    path("assegnazioni/", views.AssegnazioneListView.as_view(), name="assegnazione_list"),
    path(
        "assegnazioni/nuova/",
        views.AssegnazioneCreateView.as_view(),
        name="assegnazione_create",
    ),
    path(
        "assegnazioni/<int:pk>/modifica/",
        views.AssegnazioneUpdateView.as_view(),
        name="assegnazione_update",
    ),
    path("progetti/", views.ProgettoListView.as_view(), name="progetto_list"),
    path("progetti/nuovo/", views.ProgettoCreateView.as_view(), name="progetto_create"),
    path("progetti/<int:pk>/", views.ProgettoDetailView.as_view(), name="progetto_detail"),
    path(
        "progetti/<int:pk>/modifica/",
        views.ProgettoUpdateView.as_view(),
        name="progetto_update",
    ),
    path(
        "progetti/<int:progetto_pk>/finanziamenti/nuovo/",
        views.FinanziamentoCreateView.as_view(),
        name="finanziamento_create",
    ),
    path(
        "progetti/<int:progetto_pk>/atti/nuovo/",
        views.AttoProgettoCreateView.as_view(),
        name="atto_create",
    ),
    path(
        "finanziamenti/<int:pk>/modifica/",
        views.FinanziamentoUpdateView.as_view(),
        name="finanziamento_update",
    ),
    path(
        "progetti/<int:progetto_pk>/avanzamenti/nuovo/",
        views.AvanzamentoCreateView.as_view(),
        name="avanzamento_create",
    ),
    path(
        "avanzamenti/<int:pk>/modifica/",
        views.AvanzamentoUpdateView.as_view(),
        name="avanzamento_update",
    ),
    # PNRR reporting (ReGiS)
    path("progetti/<int:pk>/regis/", views_regis.RegisProgettoView.as_view(), name="regis"),
    path(
        "progetti/<int:progetto_pk>/obiettivi/nuovo/",
        views_regis.ObiettivoCreateView.as_view(),
        name="obiettivo_create",
    ),
    path(
        "obiettivi/<int:pk>/modifica/",
        views_regis.ObiettivoUpdateView.as_view(),
        name="obiettivo_update",
    ),
    path(
        "obiettivi/<int:obiettivo_pk>/valori/nuovo/",
        views_regis.AvanzamentoObiettivoCreateView.as_view(),
        name="avanzamento_obiettivo_create",
    ),
    path(
        "valori-obiettivi/<int:pk>/modifica/",
        views_regis.AvanzamentoObiettivoUpdateView.as_view(),
        name="avanzamento_obiettivo_update",
    ),
    path(
        "progetti/<int:progetto_pk>/giustificativi/nuovo/",
        views_regis.GiustificativoCreateView.as_view(),
        name="giustificativo_create",
    ),
    path(
        "giustificativi/<int:pk>/modifica/",
        views_regis.GiustificativoUpdateView.as_view(),
        name="giustificativo_update",
    ),
    path(
        "progetti/<int:progetto_pk>/rendicontazioni/nuova/",
        views_regis.RendicontazioneCreateView.as_view(),
        name="rendicontazione_create",
    ),
    path(
        "rendicontazioni/<int:pk>/",
        views_regis.RendicontazioneDetailView.as_view(),
        name="rendicontazione_detail",
    ),
    path(
        "rendicontazioni/<int:pk>/modifica/",
        views_regis.RendicontazioneUpdateView.as_view(),
        name="rendicontazione_update",
    ),
    path(
        "progetti/<int:progetto_pk>/enti/nuovo/",
        views.PartnerProgettoCreateView.as_view(),
        name="partner_progetto_create",
    ),
    path(
        "enti-progetto/<int:pk>/modifica/",
        views.PartnerProgettoUpdateView.as_view(),
        name="partner_progetto_update",
    ),
    path("fonti/nuova/", views.FonteFinanziamentoCreateView.as_view(), name="fonte_create"),
    path(
        "fonti/<int:pk>/modifica/",
        views.FonteFinanziamentoUpdateView.as_view(),
        name="fonte_update",
    ),
    path("linee/nuova/", views.LineaFinanziamentoCreateView.as_view(), name="linea_create"),
    path(
        "linee/<int:pk>/modifica/",
        views.LineaFinanziamentoUpdateView.as_view(),
        name="linea_update",
    ),
    path("candidature/", views.CandidaturaListView.as_view(), name="candidatura_list"),
    path("candidature/nuova/", views.CandidaturaCreateView.as_view(), name="candidatura_create"),
    path(
        "candidature/<int:pk>/",
        views.CandidaturaDetailView.as_view(),
        name="candidatura_detail",
    ),
    path(
        "candidature/<int:pk>/modifica/",
        views.CandidaturaUpdateView.as_view(),
        name="candidatura_update",
    ),
    path(
        "candidature/<int:candidatura_pk>/investimenti/nuovo/",
        views.LineaCandidaturaCreateView.as_view(),
        name="linea_candidatura_create",
    ),
    path(
        "investimenti-candidatura/<int:pk>/modifica/",
        views.LineaCandidaturaUpdateView.as_view(),
        name="linea_candidatura_update",
    ),
    path(
        "candidature/<int:candidatura_pk>/partner/nuovo/",
        views.PartecipazioneCreateView.as_view(),
        name="partecipazione_create",
    ),
    path(
        "partner-candidatura/<int:pk>/modifica/",
        views.PartecipazioneUpdateView.as_view(),
        name="partecipazione_update",
    ),
]

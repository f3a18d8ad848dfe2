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
]

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import regis, views

router = SimpleRouter()
router.register("fonti", views.FonteFinanziamentoViewSet)
router.register("linee-finanziamento", views.LineaFinanziamentoViewSet)
router.register("assegnazioni", views.AssegnazioneViewSet)
router.register("progetti", views.ProgettoViewSet)
router.register("finanziamenti-progetto", views.FinanziamentoProgettoViewSet)
router.register("avanzamenti", views.AvanzamentoFinanziarioViewSet)
router.register("atti", views.AttoViewSet)
# PNRR reporting (ReGiS)
router.register("milestone-target", regis.ObiettivoProgettoViewSet)
router.register("valori-milestone-target", regis.AvanzamentoObiettivoViewSet)
router.register("giustificativi-spesa", regis.GiustificativoViewSet)
router.register("rendicontazioni", regis.RendicontazioneViewSet)
router.register("candidature", views.CandidaturaViewSet)
router.register("partecipazioni-candidatura", views.PartecipazioneCandidaturaViewSet)
router.register("linee-candidatura", views.LineaCandidaturaViewSet)
router.register("partner-progetto", views.PartnerProgettoViewSet)

urlpatterns = [
    path("fondi/totali/", views.FondiTotaliView.as_view(), name="fondi-totali"),
    path(
        "fondi/avanzamento-progetti/",
        views.ProgettiAvanzamentoView.as_view(),
        name="fondi-avanzamento-progetti",
    ),
    *router.urls,
]

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("aree-intervento", views.AreaInterventoViewSet)
router.register("tipi-unita-offerta", views.TipoUnitaOffertaViewSet)
router.register("servizi", views.ServizioViewSet)
router.register("dati-servizi", views.DatoAnnualeViewSet)
router.register("avvisi", views.AvvisoViewSet)
router.register("unita-offerta", views.UnitaOffertaViewSet)

urlpatterns = [
    path(
        "servizi/unita-riepilogo/",
        views.RiepilogoUnitaView.as_view(),
        name="servizi-unita-riepilogo",
    ),
    path("servizi/posti-per-mille/", views.PostiPerMilleView.as_view(), name="servizi-posti"),
    *router.urls,
]

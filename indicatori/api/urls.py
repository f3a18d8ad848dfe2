from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("indicatori", views.IndicatoreViewSet)
router.register("periodi", views.PeriodoViewSet)
router.register("valori", views.ValoreViewSet)
router.register("avanzamento", views.AvanzamentoViewSet, basename="avanzamento")
router.register("regione", views.RegioneViewSet, basename="regione")
router.register("completezza", views.CompletezzaViewSet, basename="completezza")
router.register("beneficiari", views.BeneficiariViewSet, basename="beneficiari")

urlpatterns = router.urls

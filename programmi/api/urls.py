from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("piani", views.PianoDiZonaViewSet, basename="piano")
router.register("macro-aree", views.MacroAreaViewSet, basename="macroarea")
router.register("obiettivi", views.ObiettivoViewSet, basename="obiettivo")
router.register("valutazioni", views.ValutazioneViewSet, basename="valutazione")
router.register("schede", views.SchedaViewSet, basename="scheda")
router.register("progetti-premiali", views.ProgettoPremialeViewSet, basename="progettopremiale")

urlpatterns = router.urls

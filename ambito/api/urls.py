"""All API routes under /api/v1/: the territory's, then each app's own router."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("ambiti", views.AmbitoViewSet)
router.register("comuni", views.ComuneViewSet)
router.register("dati-demografici", views.DatiDemograficiViewSet)
router.register("enti", views.EnteViewSet)

urlpatterns = [
    path("", views.RadiceApiView.as_view(), name="api-root"),
    *router.urls,
    path("", include("fondi.api.urls")),
    path("", include("servizi.api.urls")),
    path("", include("programmi.api.urls")),
    path("", include("indicatori.api.urls")),
]

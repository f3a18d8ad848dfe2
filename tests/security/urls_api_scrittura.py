"""The project's URLs plus a writable API for DatiDemografici, built on the base viewset.

The territory API is read-only today; this proves that a write through any
ScopedModelViewSet (session or token) lands in the audit trail with its user, as the
apps' own write endpoints will.
"""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from ambito import services
from ambito.api.serializers import DatiDemograficiSerializer
from ambito.models import DatiDemografici
from ambito.platform.api.viewsets import ScopedModelViewSet
from ambito.urls import urlpatterns as project_urlpatterns


class DatiDemograficiScritturaViewSet(ScopedModelViewSet):
    queryset = DatiDemografici.objects.select_related("comune")
    serializer_class = DatiDemograficiSerializer

    def perform_save(self, serializer):
        dati = serializer.instance or DatiDemografici()
        for name, value in serializer.validated_data.items():
            setattr(dati, name, value)
        return services.dati_demografici_save(dati=dati)


router = SimpleRouter()
router.register("dati-demografici", DatiDemograficiScritturaViewSet, basename="scrittura")

urlpatterns = [path("prova-scrittura/", include(router.urls)), *project_urlpatterns]

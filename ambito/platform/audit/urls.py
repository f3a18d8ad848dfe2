"""The audit pages' routes, included by the root URLconf under /registro/."""

from __future__ import annotations

from django.urls import path

from .views import CronologiaOggettoView, ElencoModificheView, ModificheUtenteView

urlpatterns = [
    path("", ElencoModificheView.as_view(), name="index"),
    path("utenti/<int:pk>/", ModificheUtenteView.as_view(), name="utente"),
    path("<str:modello>/<int:pk>/", CronologiaOggettoView.as_view(), name="oggetto"),
]

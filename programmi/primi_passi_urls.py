"""The "Primi passi" guide at /primi-passi/ (URL name `primi-passi`, no namespace)."""

from django.urls import path

from . import views

urlpatterns = [path("", views.PrimiPassiView.as_view(), name="primi-passi")]

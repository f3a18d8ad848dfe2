"""Every FilterSet's choice lists name only what the user may see, and another Ambito's
id in a filter is refused (pages and API share these FilterSets)."""

from importlib import import_module

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from ambito.filtersets import AmbitoFilterSet
from ambito.models import Comune
from tests.problemi import errori

APPS = ["ambito", "fondi", "servizi", "programmi", "indicatori"]


def _filtersets(cls=AmbitoFilterSet):
    for sub in cls.__subclasses__():
        yield sub
        yield from _filtersets(sub)


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


for app in APPS:
    import_module(f"{app}.filtersets")


@pytest.mark.parametrize("filterset_class", list(_filtersets()), ids=lambda c: c.__name__)
def test_choices_of_another_ambito_are_not_listed(
    filterset_class, ufficio_piano_altro, visconteo, altro_ambito
):
    filterset = filterset_class(
        queryset=filterset_class._meta.model.objects.all(), request=_request(ufficio_piano_altro)
    )
    scoped = [
        (nome, filtro)
        for nome, filtro in filterset.filters.items()
        if hasattr(getattr(filtro, "queryset", None), "visible_to")
    ]
    assert scoped, "every FilterSet has at least the Ambito filter"
    for nome, filtro in scoped:
        visibili = filtro.queryset.model.objects.visible_to(ufficio_piano_altro)
        scelte = set(filtro.queryset.values_list("pk", flat=True))
        assert scelte <= set(visibili.values_list("pk", flat=True)), nome
    assert list(filterset.filters["ambito"].queryset) == [altro_ambito]


def test_another_ambitos_comune_in_a_filter_is_refused(ufficio_piano_altro, rozzano):
    """The id of a Comune of Visconteo, asked for by the Ufficio di Piano of Lodi."""
    api_client = APIClient()
    api_client.force_authenticate(ufficio_piano_altro)
    for url in ("/api/v1/valori/", "/api/v1/unita-offerta/", "/api/v1/servizi/"):
        response = api_client.get(url, {"comune": rozzano.pk})
        assert response.status_code == 400, url
        assert "comune" in errori(response)
    lodi = Comune.objects.get(ambito__codice="lodi")
    assert api_client.get("/api/v1/valori/", {"comune": lodi.pk}).status_code == 200

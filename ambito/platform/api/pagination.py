from django.core.paginator import InvalidPage, Paginator
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination


class PaginatoreSenzaConteggioInutile(Paginator):
    """Counts the rows only when the first page does not already tell.

    A first page shorter than a page is the whole list: its length is the count, and the
    separate COUNT query is skipped (most of our lists fit in one page).
    """

    def page(self, number):
        if str(number) != "1" or self.orphans:
            return super().page(number)
        righe = list(self.object_list[: self.per_page])
        if len(righe) < self.per_page:
            self.count = len(righe)  # fills the cached property: no COUNT query
        self.validate_number(1)
        return self._get_page(righe, 1, self)


class ElencoAPagine:
    """A list that the Paginator pages as it pages a queryset (`count()`, then the slice
    of the page), read by two functions: `conta()` and `righe(inizio, quante)`. The rows
    of a list compiled once (`Compilata.righe(..., pagina=)`) come a page at a time,
    with the count, the links and the 404 past the last page of the ORM's list."""

    def __init__(self, conta, righe):
        self._conta, self._righe = conta, righe

    def count(self) -> int:
        return self._conta()

    def __getitem__(self, fetta):
        if not isinstance(fetta, slice) or fetta.step is not None or fetta.stop is None:
            raise TypeError("a page of the list: [inizio:fine]")
        inizio = fetta.start or 0
        return self._righe(inizio, max(fetta.stop - inizio, 0))


def _intero_positivo(request, nome, massimo=None):
    """The query parameter `nome` as a whole number from 1 (to `massimo`), else 400."""
    testo = request.query_params.get(nome)
    if testo is None:
        return None
    try:
        numero = int(testo)
    except ValueError:
        numero = 0
    if numero < 1 or (massimo is not None and numero > massimo):
        if massimo is None:
            messaggio = _("Indicare un numero intero da 1 in su.")
        else:
            messaggio = _("Indicare un numero intero da 1 a %(massimo)d.") % {"massimo": massimo}
        raise ValidationError({nome: [messaggio]}, code="invalid")
    return numero


class Paginazione(PageNumberPagination):
    """Pages of 50 rows; clients may ask from 1 to 500 with ?page_size= (another value
    answers 400, as a page that is not a number; a page past the last answers 404)."""

    django_paginator_class = PaginatoreSenzaConteggioInutile
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        richiesta = _intero_positivo(request, self.page_size_query_param, self.max_page_size)
        return richiesta or self.page_size

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        paginator = self.django_paginator_class(queryset, page_size)
        if request.query_params.get(self.page_query_param) in self.last_page_strings:
            numero = paginator.num_pages
        else:
            numero = _intero_positivo(request, self.page_query_param) or 1
        try:
            self.page = paginator.page(numero)
        except InvalidPage as error:
            raise NotFound(
                _("La pagina %(numero)d non esiste: le pagine sono %(pagine)d.")
                % {"numero": numero, "pagine": paginator.num_pages}
            ) from error
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        parametri = super().get_schema_operation_parameters(view)
        for parametro in parametri:
            parametro["schema"]["minimum"] = 1
            if parametro["name"] == self.page_size_query_param:
                parametro["schema"]["maximum"] = self.max_page_size
                parametro["description"] = _(
                    "Righe per pagina, da 1 a %(massimo)d (50 se omesso)."
                ) % {"massimo": self.max_page_size}
        return parametri

from django.core.paginator import Paginator
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


class Paginazione(PageNumberPagination):
    """Pages of 50 rows; clients may ask up to 500 with ?page_size=."""

    django_paginator_class = PaginatoreSenzaConteggioInutile
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

"""Pages of lists that may hold millions of rows (the national values, 6,3 M)."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class PaginatoreLimitato(Paginator):
    """Counts the rows up to `limite` and pages through those only.

    An exact COUNT over millions of joined rows costs half a second on every page,
    and the number it gives helps nobody: past a few thousand rows a reader narrows
    the list with its filters (or exports it, which streams every row). So the count
    stops at `limite` + 1 rows (a few milliseconds whatever the size), the pages reach
    the first `limite` rows (the deepest page stays cheap), and `troncato` tells the
    page to say "more than `limite`". A list within the limit is counted and paged
    exactly as by Django's Paginator; a page past the end answers 404 as there.
    """

    limite = 10_000

    @cached_property
    def conteggio_limitato(self) -> int:
        """The rows, counted up to `limite` + 1 (the order does not change a count)."""
        if hasattr(self.object_list, "values"):
            return self.object_list.order_by().values("pk")[: self.limite + 1].count()
        return len(self.object_list[: self.limite + 1])

    @property
    def troncato(self) -> bool:
        return self.conteggio_limitato > self.limite

    @cached_property
    def count(self) -> int:
        return min(self.conteggio_limitato, self.limite)

from rest_framework.pagination import PageNumberPagination


class Paginazione(PageNumberPagination):
    """Pages of 50 rows; clients may ask up to 500 with ?page_size=."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

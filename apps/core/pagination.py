from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """`?page=` and `?page_size=` (at most 200) on every API list."""

    page_size_query_param = "page_size"
    max_page_size = 200

"""Pagination that reports its state in `meta.pagination` rather than in `data`."""

from rest_framework.pagination import CursorPagination
from rest_framework.response import Response


def paginated_response(results, pagination: dict) -> Response:
    """Return `results` as `data`, with `pagination` placed in the envelope's meta."""
    response = Response(results)
    response.envelope_meta = {"pagination": pagination}
    return response


class EnvelopeCursorPagination(CursorPagination):
    """Cursor pagination for lists that change while being read (pipelines, errors)."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-created_at"

    def get_paginated_response(self, data):
        return paginated_response(
            data,
            {
                "type": "cursor",
                "page_size": self.page_size,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
            },
        )

    def get_paginated_response_schema(self, schema):
        return schema

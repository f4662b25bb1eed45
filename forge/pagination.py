"""Pagination that reports its state in `meta.pagination` rather than in `data`.

Cursor lists validate their parameters as strictly as the page-numbered gallery does: a
`page_size` outside 1..`max_page_size`, a `page` (these lists have no page numbers) or a
cursor that does not decode is a 400 `validation_failed` naming the parameter.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
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
    invalid_cursor_message = "Invalid cursor: pass back a `next` or `previous` link unchanged."

    def paginate_queryset(self, queryset, request, view=None):
        if "page" in request.query_params:
            raise ValidationError(
                {"page": ["This list is paginated by cursor: follow `meta.pagination.next`."]}
            )
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        field = serializers.IntegerField(min_value=1, max_value=self.max_page_size)
        try:
            return field.run_validation(raw)
        except ValidationError as exc:
            raise ValidationError({self.page_size_query_param: exc.detail}) from None

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError(
                {self.cursor_query_param: [self.invalid_cursor_message]}
            ) from None

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

    @classmethod
    def schema_parameters(cls) -> list[OpenApiParameter]:
        """Describe `cursor` and `page_size` for views that paginate by hand (APIView)."""
        return [
            OpenApiParameter(
                cls.cursor_query_param,
                OpenApiTypes.STR,
                description="An opaque cursor from `meta.pagination.next` or `previous`.",
            ),
            OpenApiParameter(
                cls.page_size_query_param,
                {"type": "integer", "minimum": 1, "maximum": cls.max_page_size},
                description=f"Items per page, 1 to {cls.max_page_size} (default {cls.page_size}).",
            ),
        ]

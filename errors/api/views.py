"""Staff API for errors: groups, occurrences, status actions, aggregations, stats."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from errors import selectors, services
from errors.api import serializers as s
from forge.exceptions import NotFoundError
from forge.pagination import EnvelopeCursorPagination
from forge.shared_serializers import query_params_validate, represent, represent_many

RECENT_OCCURRENCES = 20


class IsStaff(permissions.BasePermission):
    """Staff only: anonymous callers get 401, signed-in non-staff 403."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class StaffApi(APIView):
    permission_classes = [IsStaff]


class GroupPagination(EnvelopeCursorPagination):
    ordering = ("-last_seen", "-id")


class OccurrencePagination(EnvelopeCursorPagination):
    ordering = ("-occurred_at", "-id")


def _group_or_404(group_id: int):
    group = selectors.error_group_get(group_id=group_id)
    if group is None:
        raise NotFoundError("No such error group.")
    return group


class ErrorGroupListApi(StaffApi):
    @extend_schema(
        parameters=[s.ErrorGroupListInputSerializer, *GroupPagination.schema_parameters()],
        responses=s.ErrorGroupOutputSerializer(many=True),
    )
    def get(self, request):
        params = query_params_validate(s.ErrorGroupListInputSerializer, request.query_params)
        qs = selectors.error_group_list(**params)
        paginator = GroupPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(represent_many(s.ErrorGroupOutputSerializer, page))


class ErrorGroupDetailApi(StaffApi):
    @extend_schema(
        responses=s.ErrorGroupOutputSerializer,
        description="The group with its recent occurrences, activity log and 24-hour counts.",
    )
    def get(self, request, group_id: int):
        group = _group_or_404(group_id)
        occurrences = selectors.error_occurrence_list(group_id=group.pk)[:RECENT_OCCURRENCES]
        data = represent(s.ErrorGroupOutputSerializer, group)
        data["recent_occurrences"] = represent_many(s.ErrorOccurrenceOutputSerializer, occurrences)
        data["activity"] = s.ErrorGroupActivityOutputSerializer(
            selectors.error_group_activity(group=group), many=True
        ).data
        data["last_24h"] = selectors.error_group_sparklines(group_ids=[group.pk])[group.pk]
        return Response(data)


class _ErrorGroupNoteActionApi(StaffApi):
    """A status change that takes an optional note; subclasses name the service."""

    service = None

    @extend_schema(request=s.ErrorGroupNoteInputSerializer, responses=s.ErrorGroupOutputSerializer)
    def post(self, request, group_id: int):
        body = s.ErrorGroupNoteInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        group = type(self).service(
            group=_group_or_404(group_id), actor=request.user, note=body.validated_data["note"]
        )
        return Response(s.ErrorGroupOutputSerializer(group).data)


class ErrorGroupResolveApi(_ErrorGroupNoteActionApi):
    service = staticmethod(services.error_group_resolve)


class ErrorGroupReopenApi(_ErrorGroupNoteActionApi):
    service = staticmethod(services.error_group_reopen)


class ErrorGroupIgnoreApi(StaffApi):
    @extend_schema(
        request=s.ErrorGroupIgnoreInputSerializer, responses=s.ErrorGroupOutputSerializer
    )
    def post(self, request, group_id: int):
        body = s.ErrorGroupIgnoreInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        group = services.error_group_ignore(
            group=_group_or_404(group_id),
            actor=request.user,
            condition=data["ignore_condition"],
            reason=data["note"],
            until=data["ignore_until"],
            threshold=data["ignore_threshold"],
        )
        return Response(s.ErrorGroupOutputSerializer(group).data)


class ErrorOccurrenceListApi(StaffApi):
    @extend_schema(
        parameters=[
            s.ErrorOccurrenceListInputSerializer,
            *OccurrencePagination.schema_parameters(),
        ],
        responses=s.ErrorOccurrenceOutputSerializer(many=True),
    )
    def get(self, request):
        data = dict(
            query_params_validate(s.ErrorOccurrenceListInputSerializer, request.query_params)
        )
        qs = selectors.error_occurrence_list(group_id=data.pop("group", None), **data)
        paginator = OccurrencePagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(
            represent_many(s.ErrorOccurrenceOutputSerializer, page)
        )


class ErrorOccurrenceDetailApi(StaffApi):
    @extend_schema(responses=s.ErrorOccurrenceOutputSerializer)
    def get(self, request, occurrence_id: int):
        occurrence = selectors.error_occurrence_list().filter(pk=occurrence_id).first()
        if occurrence is None:
            raise NotFoundError("No such error occurrence.")
        return Response(represent(s.ErrorOccurrenceOutputSerializer, occurrence))


class ErrorAggregationListApi(StaffApi):
    @extend_schema(
        parameters=[s.ErrorAggregationInputSerializer],
        responses=OpenApiTypes.OBJECT,
        description="Counts per hour or day bucket and per `split` value.",
    )
    def get(self, request):
        params = query_params_validate(s.ErrorAggregationInputSerializer, request.query_params)
        rows = selectors.error_counts(**params)
        return Response(
            [{**row, "bucket": row["bucket"].isoformat().replace("+00:00", "Z")} for row in rows]
        )


class ErrorStatsApi(StaffApi):
    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        description="Groups by status, new groups and regressions today, occurrences in the last 24 hours, top groups.",
    )
    def get(self, request):
        from datetime import timedelta

        from django.utils import timezone

        stats = selectors.error_stats()
        top = selectors.error_top_groups(since=timezone.now() - timedelta(hours=24), limit=10)
        stats["top_groups_24h"] = [
            {**s.ErrorGroupOutputSerializer(group).data, "count_24h": n} for group, n in top
        ]
        return Response(stats)

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from forge.pagination import EnvelopeCursorPagination
from forge.shared_serializers import query_params_validate, represent, represent_many
from pipelines.api.serializers import (
    PipelineCreateInputSerializer,
    PipelineListInputSerializer,
    PipelineOutputSerializer,
    PipelineStatsInputSerializer,
)
from pipelines.selectors import pipeline_get_for_user, pipeline_list_prepared, pipeline_stats
from pipelines.services import pipeline_cancel, pipeline_create, pipeline_retry

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Repeat a request safely: the same key and body return the same pipeline; "
    "the same key with another body is a 409.",
)


CONFLICT = OpenApiResponse(
    description="The pipeline's status does not allow this (`conflict`).",
)


class PipelineCursorPagination(EnvelopeCursorPagination):
    ordering = ("-created_at", "-id")


def _accepted(pipeline, *, replayed: bool = False) -> Response:
    response = Response(PipelineOutputSerializer(pipeline).data, status=status.HTTP_202_ACCEPTED)
    response["Location"] = f"/api/v1/pipelines/{pipeline.id}/"
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


class PipelineListCreateApi(APIView):
    """List your pipelines (staff: everyone's), newest first; or start a new one."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[PipelineListInputSerializer, *PipelineCursorPagination.schema_parameters()],
        responses=PipelineOutputSerializer(many=True),
        operation_id="pipelines_list",
    )
    def get(self, request):
        params = query_params_validate(PipelineListInputSerializer, request.query_params)
        queryset = pipeline_list_prepared(user=request.user, status=params.get("status"))
        paginator = PipelineCursorPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(represent_many(PipelineOutputSerializer, page))

    @extend_schema(
        request=PipelineCreateInputSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={
            202: PipelineOutputSerializer,
            409: OpenApiResponse(
                description="The Idempotency-Key was used with another body (`conflict`)."
            ),
        },
        operation_id="pipelines_create",
    )
    def post(self, request):
        pipeline, created = pipeline_create(
            user=request.user,
            config=request.data,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            request_id=request.request_id,
        )
        pipeline = pipeline_get_for_user(user=request.user, pipeline_id=pipeline.id)
        return _accepted(pipeline, replayed=not created)


class PipelineDetailApi(APIView):
    """One pipeline with its stages."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PipelineOutputSerializer, operation_id="pipelines_retrieve")
    def get(self, request, pipeline_id):
        pipeline = pipeline_get_for_user(user=request.user, pipeline_id=pipeline_id)
        return Response(represent(PipelineOutputSerializer, pipeline))


class PipelineCancelApi(APIView):
    """Cancel a pipeline: at once when queued, at the worker's next check when running."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={202: PipelineOutputSerializer, 409: CONFLICT},
        operation_id="pipelines_cancel",
    )
    def post(self, request, pipeline_id):
        pipeline = pipeline_get_for_user(user=request.user, pipeline_id=pipeline_id)
        pipeline_cancel(pipeline=pipeline)
        return _accepted(pipeline_get_for_user(user=request.user, pipeline_id=pipeline_id))


class PipelineRetryApi(APIView):
    """Retry a failed pipeline as a new attempt, continuing from the stage that failed."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={202: PipelineOutputSerializer, 409: CONFLICT},
        operation_id="pipelines_retry",
    )
    def post(self, request, pipeline_id):
        pipeline = pipeline_get_for_user(user=request.user, pipeline_id=pipeline_id)
        pipeline_retry(pipeline=pipeline)
        return _accepted(pipeline_get_for_user(user=request.user, pipeline_id=pipeline_id))


class PipelineStatsApi(APIView):
    """Counts by status, success rate and p50/p95 durations (overall and per stage)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[PipelineStatsInputSerializer],
        responses=OpenApiTypes.OBJECT,
        operation_id="pipelines_stats",
    )
    def get(self, request):
        params = query_params_validate(PipelineStatsInputSerializer, request.query_params)
        return Response(pipeline_stats(user=request.user, days=params["days"]))

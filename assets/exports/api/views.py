"""The exports API (`/api/v1/exports/`): thin views over the exports services and selectors."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from assets.exports.api.serializers import (
    ExportCreateInputSerializer,
    ExportEstimateInputSerializer,
    ExportEstimateOutputSerializer,
    ExportOutputSerializer,
    ExportPresetInputSerializer,
    ExportPresetOutputSerializer,
    ExportPresetUpdateInputSerializer,
)
from assets.exports.selectors import (
    export_estimate,
    export_get_for_user,
    export_list_prepared,
    export_preset_get_for_user,
    export_preset_list,
)
from assets.exports.services import (
    export_cancel,
    export_create,
    export_preset_create,
    export_preset_delete,
    export_preset_update,
    export_retry,
)
from forge.pagination import EnvelopeCursorPagination
from forge.shared_serializers import represent, represent_many
from pipelines.api.views import IDEMPOTENCY_HEADER


class ExportCursorPagination(EnvelopeCursorPagination):
    ordering = ("-created_at", "-pipeline_id")


def _accepted(job, request, *, replayed: bool = False, reload: bool = True) -> Response:
    if reload:
        job = export_get_for_user(user=request.user, export_id=job.pk)
    response = Response(ExportOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)
    response["Location"] = f"/api/v1/exports/{job.pk}/"
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


class ExportListCreateApi(APIView):
    """List your exports, newest first; or start one (one asset, or a batch of up to 50)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, description="Only this run status."),
            # Not `format`: DRF reads that query parameter as the response's format.
            OpenApiParameter("file_format", OpenApiTypes.STR, description="Only this format."),
        ],
        responses=ExportOutputSerializer(many=True),
        operation_id="exports_list",
    )
    def get(self, request):
        queryset = export_list_prepared(
            user=request.user,
            status=request.query_params.get("status"),
            format=request.query_params.get("file_format"),
        )
        paginator = ExportCursorPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(represent_many(ExportOutputSerializer, page))

    @extend_schema(
        request=ExportCreateInputSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={
            202: ExportOutputSerializer,
            429: OpenApiResponse(description="Too many exports this hour; see Retry-After."),
        },
        operation_id="exports_create",
        description="Answers 202 with `Location` and `websocket_url` (the run's live status). "
        "At most FORGE_EXPORT_RATE_LIMIT (5) per user per hour; the next gets 429 with "
        "`Retry-After`. A repeated `Idempotency-Key` is not counted again.",
    )
    def post(self, request):
        serializer = ExportCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        preset_id = data.pop("preset", None)
        preset = (
            export_preset_get_for_user(user=request.user, preset_id=preset_id)
            if preset_id is not None
            else None
        )
        job, created = export_create(
            user=request.user,
            preset=preset,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            request_id=request.request_id,
            **data,
        )
        # The service returns the job with its run as written: no second read on the hot path.
        return _accepted(job, request, replayed=not created, reload=False)


class ExportEstimateApi(APIView):
    """Triangles and file size an export would have, before starting it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ExportEstimateInputSerializer,
        responses=ExportEstimateOutputSerializer,
        operation_id="exports_estimate",
    )
    def post(self, request):
        serializer = ExportEstimateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        estimate = export_estimate(
            user=request.user,
            assets=[str(a) for a in data["assets"]],
            format=data["format"],
            quality=data["quality"],
            texture_size=data["texture_size"],
        )
        return Response(ExportEstimateOutputSerializer(estimate).data)


class ExportDetailApi(APIView):
    """One export with its stages, files and (while the files live) a signed download link."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ExportOutputSerializer, operation_id="exports_retrieve")
    def get(self, request, export_id):
        job = export_get_for_user(user=request.user, export_id=export_id)
        return Response(represent(ExportOutputSerializer, job))


class ExportCancelApi(APIView):
    """Cancel an export: at once when queued, at the worker's next check when running."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses={202: ExportOutputSerializer}, operation_id="exports_cancel"
    )
    def post(self, request, export_id):
        job = export_get_for_user(user=request.user, export_id=export_id)
        export_cancel(job=job)
        return _accepted(job, request)


class ExportRetryApi(APIView):
    """Retry a failed export from the stage that failed."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses={202: ExportOutputSerializer}, operation_id="exports_retry"
    )
    def post(self, request, export_id):
        job = export_get_for_user(user=request.user, export_id=export_id)
        export_retry(job=job)
        return _accepted(job, request)


class ExportPresetListCreateApi(APIView):
    """Forge's shipped export presets and your own; or save a new one."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=ExportPresetOutputSerializer(many=True), operation_id="export_presets_list"
    )
    def get(self, request):
        presets = export_preset_list(user=request.user)
        return Response(represent_many(ExportPresetOutputSerializer, presets))

    @extend_schema(
        request=ExportPresetInputSerializer,
        responses={201: ExportPresetOutputSerializer},
        operation_id="export_presets_create",
    )
    def post(self, request):
        serializer = ExportPresetInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        preset = export_preset_create(owner=request.user, **serializer.validated_data)
        return Response(ExportPresetOutputSerializer(preset).data, status=status.HTTP_201_CREATED)


class ExportPresetDetailApi(APIView):
    """One export preset: read any you may apply; change or delete your own."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ExportPresetOutputSerializer, operation_id="export_presets_retrieve")
    def get(self, request, preset_id):
        preset = export_preset_get_for_user(user=request.user, preset_id=preset_id)
        return Response(represent(ExportPresetOutputSerializer, preset))

    @extend_schema(
        request=ExportPresetUpdateInputSerializer,
        responses=ExportPresetOutputSerializer,
        operation_id="export_presets_update",
    )
    def patch(self, request, preset_id):
        preset = export_preset_get_for_user(user=request.user, preset_id=preset_id)
        serializer = ExportPresetUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        preset = export_preset_update(
            preset=preset, actor=request.user, **serializer.validated_data
        )
        return Response(represent(ExportPresetOutputSerializer, preset))

    @extend_schema(responses={204: None}, operation_id="export_presets_destroy")
    def delete(self, request, preset_id):
        preset = export_preset_get_for_user(user=request.user, preset_id=preset_id)
        export_preset_delete(preset=preset, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

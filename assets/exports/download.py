"""Serve an export's file: only to its owner (or staff), with its type and file name.

After the owner check the file is streamed by the app, or (FORGE_STORAGE=s3) the reader is
redirected to a short-lived presigned URL; the `exports/` folder is never served as public
media. Both the API's download and the signed link end here.
"""

import structlog
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from assets.exports.links import export_link_read
from assets.exports.selectors import export_get_for_user
from forge.exceptions import NotFoundError
from forge.storage import file_response

log = structlog.get_logger("assets.exports")


def export_file_response(job) -> HttpResponse:
    """Return the response that streams `job`'s file as an attachment."""
    if not job.files_available:
        raise NotFoundError(
            "The files of this export have expired and were deleted. Export the asset again."
        )
    file = job.files[0]
    try:
        response = file_response(
            file["key"], content_type=file["content_type"], filename=file["name"], size=file["size"]
        )
    except FileNotFoundError:
        raise NotFoundError("This export's file is missing. Export the asset again.") from None
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    log.info("export_downloaded", export_id=str(job.pk), size=file["size"])
    return response


class ExportDownloadApi(APIView):
    """Download an export's file (the owner or staff)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        operation_id="exports_download",
    )
    def get(self, request, export_id):
        job = export_get_for_user(user=request.user, export_id=export_id)
        return export_file_response(job)


class ExportSignedDownloadView(APIView):
    """`/exports/download/<token>/`: a signed, expiring link, honoured for the owner (or staff)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(exclude=True)
    def get(self, request, token):
        export_id = export_link_read(token)
        job = export_get_for_user(user=request.user, export_id=export_id)
        return export_file_response(job)

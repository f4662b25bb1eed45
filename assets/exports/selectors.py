"""Every read of exports and export presets, scoped to what the reader may see."""

from django.db.models import Q, QuerySet

from assets.exports.models import FORMAT_CHOICES, ExportJob, ExportPreset
from forge.exceptions import NotFoundError, ValidationFailedError
from forge.prepared import PreparedList
from pipelines.models import PipelineStatus

FORMAT_KEYS = [key for key, _ in FORMAT_CHOICES]


def _choice(field: str, value: str | None, choices: list[str]) -> str | None:
    if value and value not in choices:
        message = f"Must be one of: {', '.join(choices)}."
        raise ValidationFailedError(f"{field}: {message}", details={field: [message]})
    return value or None


def export_list(*, user, status: str | None = None, format: str | None = None) -> QuerySet:  # noqa: A002
    """Return the exports `user` may see (their own), newest first, with their runs."""
    return _exports(**_export_filters(user=user, status=status, format=format))


def export_list_prepared(*, user, status: str | None = None, format: str | None = None):  # noqa: A002
    """`export_list` for the API's cursor pages, each page a prepared query."""
    filters = _export_filters(user=user, status=status, format=format)
    return PreparedList(_exports, model=ExportJob, values=filters)


def _export_filters(*, user, status: str | None, format: str | None) -> dict:  # noqa: A002
    filters = {"owner_id": user.pk}
    status = _choice("status", status, PipelineStatus.values)
    if status:
        filters["status"] = status
    # The list's query parameter is `file_format` (DRF reads `format` as the response's).
    format = _choice("file_format", format, FORMAT_KEYS)  # noqa: A001
    if format:
        filters["format"] = format
    return filters


def _exports(*, owner_id: int, status: str | None = None, format: str | None = None):  # noqa: A002
    queryset = (
        ExportJob.objects.filter(owner_id=owner_id)
        .select_related("pipeline", "preset")
        .prefetch_related("assets", "pipeline__stages")
    )
    if status:
        queryset = queryset.filter(pipeline__status=status)
    if format:
        queryset = queryset.filter(format=format)
    return queryset.order_by("-created_at", "-pipeline_id")


def export_get_for_user(*, user, export_id) -> ExportJob:
    """Return export `export_id` if `user` owns it (or is staff); otherwise raise NotFoundError.

    Someone else's export is reported as missing, never as forbidden.
    """
    queryset = ExportJob.objects.select_related("pipeline", "preset", "owner").prefetch_related(
        "assets", "pipeline__stages"
    )
    if not (user and user.is_authenticated):
        raise NotFoundError("No such export.")
    if not user.is_staff:
        queryset = queryset.filter(owner=user)
    try:
        job = queryset.filter(pk=export_id).first()
    except (ValueError, ValidationFailedError):
        job = None
    if job is None:
        raise NotFoundError("No such export.")
    return job


def export_preset_list(*, user) -> QuerySet:
    """Return the presets `user` may apply: Forge's shipped ones, then their own."""
    return ExportPreset.objects.filter(Q(owner=None) | Q(owner=user)).order_by(
        "owner_id", "name", "id"
    )


def export_preset_get_for_user(*, user, preset_id) -> ExportPreset:
    """Return preset `preset_id` if `user` may apply it; otherwise raise NotFoundError."""
    preset = export_preset_list(user=user).filter(pk=preset_id).first()
    if preset is None:
        raise NotFoundError("No such export preset.")
    return preset


GENERIC_FAILURE = (
    "The export failed on our side. Retry it; if it fails again, choose another format or "
    "quality, or contact support with the request ID."
)
USER_MESSAGES = {
    "database_unavailable": "A temporary problem interrupted the export. Retry it in a minute.",
    "invalid_mesh": "This asset's model file cannot be read, so it cannot be exported. "
    "Upload the model again or generate a new one, then export that.",
    "canceled": "You canceled this export. Start it again from the asset page when you need it.",
}
# Codes whose stored message was written for users (by the converters' input checks).
USER_WRITTEN_CODES = {"validation_failed", "service_unavailable", "not_found"}


def export_error_for_user(job: ExportJob) -> dict | None:
    """Return the run's error as users see it: what happened and what to do next, no internals."""
    pipeline = job.pipeline
    if not pipeline.error_code or pipeline.status not in (
        PipelineStatus.FAILED,
        PipelineStatus.QUEUED,
    ):
        return None
    code = pipeline.error_code
    if code in USER_WRITTEN_CODES:
        message = pipeline.error_message
    else:
        message = USER_MESSAGES.get(code, GENERIC_FAILURE)
    if pipeline.status == PipelineStatus.QUEUED:
        message = "A step failed; the export is retried automatically. " + message
    return {"code": code, "message": message, "retryable": pipeline.error_retryable}


def export_estimate(
    *,
    user,
    assets: list[str],
    format: str,  # noqa: A002
    quality: str = "full",
    texture_size: str = "original",
):
    """Estimate an export of `assets` the user may see: triangles before/after and file sizes."""
    from assets.exports.estimate import ExportEstimate, export_estimate_one
    from assets.models import Asset
    from assets.selectors import asset_can_view

    _choice("format", format, FORMAT_KEYS)
    if len({str(a) for a in assets}) != len(assets):  # as the export itself refuses
        message = "An asset is listed twice."
        raise ValidationFailedError(f"assets: {message}", details={"assets": [message]})
    rows = {str(a.pk): a for a in Asset.objects.filter(pk__in=assets).defer("search_vector")}
    parts = []
    for asset_id in assets:
        asset = rows.get(str(asset_id))
        if asset is None or not asset_can_view(asset=asset, user=user) or not asset.model_file:
            raise NotFoundError("No such asset.", details={"assets": [str(asset_id)]})
        with asset.model_file.open("rb") as handle:
            glb = handle.read()
        parts.append(
            export_estimate_one(
                glb,
                triangles=asset.triangle_count,
                fmt=format,
                quality=quality,
                texture_size=texture_size,
            )
        )
    return ExportEstimate(
        triangles_before=sum(p.triangles_before for p in parts),
        triangles_after=sum(p.triangles_after for p in parts),
        size_before=sum(p.size_before for p in parts),
        size_after=sum(p.size_after for p in parts),
    )

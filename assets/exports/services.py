"""Every write of exports: create (rate-limited, idempotent), complete, cancel, retry, presets.

The run is the engine's (`pipelines.services.run_create`, kind `export`); the export job is
written in the same transaction, so a worker never sees a run without its job.
"""

from datetime import timedelta
from typing import Any

import structlog
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from redis.exceptions import RedisError

from assets.exports.models import ExportJob, ExportPreset
from assets.models import Asset, AssetVariant, AssetVariantStatus
from assets.selectors import asset_can_view
from forge.auththrottle import wait_phrase
from forge.exceptions import (
    ConflictError,
    NotFoundError,
    RateLimitedError,
    ValidationFailedError,
)
from forge.ownership import owned_rows_room_check
from forge.ratelimit import rate_limit_refund, rate_limit_take
from pipelines.models import GenerationPipeline, PipelineKind
from pipelines.services import pipeline_cancel, pipeline_retry, run_create

log = structlog.get_logger("assets.exports")

RATE_SCOPE = "exports"


def export_file_key(job_id, filename: str) -> str:
    """Return the storage key of an export's file: one folder per export, never public."""
    hex_id = job_id.hex if hasattr(job_id, "hex") else str(job_id).replace("-", "")
    return f"exports/{hex_id}/{filename}"


def _settings_from(preset: ExportPreset | None, given: dict[str, Any]) -> dict[str, Any]:
    chosen = {
        "format": given.get("format"),
        "quality": given.get("quality"),
        "texture_size": given.get("texture_size"),
    }
    if preset is not None:
        # A preset fills what the request leaves out; a field given explicitly wins.
        chosen["format"] = chosen["format"] or preset.format
        chosen["quality"] = chosen["quality"] or preset.quality
        chosen["texture_size"] = chosen["texture_size"] or preset.texture_size
    chosen["quality"] = chosen["quality"] or "full"
    chosen["texture_size"] = chosen["texture_size"] or "original"
    return chosen


def _assets_check(*, user, asset_ids: list[str]) -> list[Asset]:
    assets = {str(a.pk): a for a in Asset.objects.filter(pk__in=asset_ids)}
    for asset_id in asset_ids:
        asset = assets.get(asset_id)
        if asset is None or not asset_can_view(asset=asset, user=user):
            raise NotFoundError("No such asset.", details={"assets": [asset_id]})
        if asset.status != "ready":
            raise ValidationFailedError(
                f"assets: {asset.name!r} is not ready yet; export it once it is.",
                details={"assets": [f"{asset_id} is not ready."]},
            )
    return [assets[a] for a in asset_ids]


def _variants_check(*, asset: Asset, slugs: list[str]) -> None:
    # The worker checks again when it loads them: a variant may go away after this.
    ready = set(
        AssetVariant.objects.filter(
            asset=asset, preset__slug__in=slugs, status=AssetVariantStatus.READY
        ).values_list("preset__slug", flat=True)
    )
    missing = [slug for slug in slugs if slug not in ready]
    if missing:
        names = ", ".join(missing)
        raise ValidationFailedError(
            f"variants: This asset has no ready variant {names}; choose another.",
            details={"variants": [f"No ready variant {slug}." for slug in missing]},
        )


def _rate_limit_take(user) -> None:
    if user.is_staff:
        return
    window = settings.FORGE_EXPORT_RATE_WINDOW_SECONDS
    try:
        wait = rate_limit_take(
            scope=RATE_SCOPE,
            ident=str(user.pk),
            limit=settings.FORGE_EXPORT_RATE_LIMIT,
            window_seconds=window,
        )
    except RedisError:
        # An outage of Redis must not stop every export; the limit resumes with it.
        log.warning("export_rate_limit_unavailable", exc_info=True)
        return
    if wait:
        log.warning("export_rate_limited", user_id=user.pk, wait_seconds=wait)
        raise RateLimitedError(
            f"You started {settings.FORGE_EXPORT_RATE_LIMIT} exports in the last "
            f"{window // 60} minutes, the most allowed. Try again {wait_phrase(wait)}; "
            "exports you already started keep running.",
            wait=wait,
        )


def _rate_limit_refund(user) -> None:
    if user.is_staff:
        return
    try:
        rate_limit_refund(scope=RATE_SCOPE, ident=str(user.pk))
    except RedisError:
        log.warning("export_rate_limit_unavailable", exc_info=True)


def export_create(
    *,
    user,
    assets: list[str],
    format: str | None = None,  # noqa: A002 - the API field's name
    quality: str | None = None,
    texture_size: str | None = None,
    variants: list[str] | None = None,
    preset: ExportPreset | None = None,
    idempotency_key: str = "",
    request_id: str = "",
) -> tuple[ExportJob, bool]:
    """Start an export of `assets` the user may see; return it and whether it was created.

    At most FORGE_EXPORT_RATE_LIMIT per user per window (staff exempt). A repeated
    `idempotency_key` with the same body returns the first export and is not counted again.
    """
    from pipelines.kinds import run_kind_get

    asset_ids = [str(a) for a in assets] if isinstance(assets, list) else assets
    config = {
        **_settings_from(
            preset, {"format": format, "quality": quality, "texture_size": texture_size}
        ),
        "assets": asset_ids,
        "variants": variants or [],
    }
    cleaned = run_kind_get(PipelineKind.EXPORT).config_validate(config)
    asset_rows = _assets_check(user=user, asset_ids=cleaned["assets"])
    if cleaned["variants"]:  # `config_validate` allows variants for one asset only
        _variants_check(asset=asset_rows[0], slugs=cleaned["variants"])
    key = (idempotency_key or "").strip()
    if key and GenerationPipeline.objects.filter(user=user, idempotency_key=key).exists():
        pipeline, _ = run_create(
            user=user, kind=PipelineKind.EXPORT, config=cleaned, idempotency_key=key
        )
        return ExportJob.objects.get(pk=pipeline.pk), False

    _rate_limit_take(user)
    try:
        with transaction.atomic():
            pipeline, created = run_create(
                user=user,
                kind=PipelineKind.EXPORT,
                config=cleaned,
                idempotency_key=key,
                request_id=request_id,
            )
            if not created:  # a racing request with the same key won
                job = ExportJob.objects.get(pk=pipeline.pk)
            else:
                job = ExportJob(
                    pipeline=pipeline,
                    owner=user,
                    asset_count=len(asset_rows),
                    variants=cleaned["variants"],
                    format=cleaned["format"],
                    quality=cleaned["quality"],
                    texture_size=cleaned["texture_size"],
                    preset=preset,
                )
                job.full_clean(  # the database enforces the constraints on insert
                    exclude=["pipeline", "owner", "preset"],
                    validate_unique=False,
                    validate_constraints=False,
                )
                job.save(force_insert=True)  # a new row: no UPDATE tried first
                ExportJob.assets.through.objects.bulk_create(  # one INSERT, nothing to diff
                    ExportJob.assets.through(exportjob_id=job.pk, asset_id=asset.pk)
                    for asset in asset_rows
                )
    except BaseException:
        _rate_limit_refund(user)
        raise
    if not created:
        _rate_limit_refund(user)
    log.info(
        "export_created",
        export_id=str(job.pk),
        format=job.format,
        quality=job.quality,
        texture_size=job.texture_size,
        assets=job.asset_count,
        created=created,
    )
    return job, created


def export_job_complete(*, pipeline, package: dict[str, Any], content: bytes) -> ExportJob:
    """Store the export's file and record it on its job (inside the run's success transaction).

    The key is fixed per export and an earlier file there is replaced, so a run resumed after
    a crash leaves exactly one file.
    """
    job = ExportJob.objects.select_for_update().get(pk=pipeline.pk)
    key = export_file_key(job.pk, package["filename"])
    if default_storage.exists(key):
        default_storage.delete(key)
    stored = default_storage.save(key, ContentFile(content))
    now = timezone.now()
    job.files = [
        {
            "name": package["filename"],
            "size": package["size"],
            "sha256": package["sha256"],
            "content_type": package["content_type"],
            "key": stored,
        }
    ]
    job.size_before = package["size_before"]
    job.size_after = package["size"]
    job.triangles_before = package["triangles_before"]
    job.triangles_after = package["triangles_after"]
    job.expires_at = now + timedelta(days=settings.FORGE_EXPORT_LINK_DAYS)
    job.files_deleted_at = None
    job.save(
        update_fields=[
            "files",
            "size_before",
            "size_after",
            "triangles_before",
            "triangles_after",
            "expires_at",
            "files_deleted_at",
        ]
    )
    log.info("export_stored", export_id=str(job.pk), size=package["size"], key=stored)
    return job


def export_cancel(*, job: ExportJob) -> ExportJob:
    """Cancel `job`'s run: at once when queued, at the worker's next check when running."""
    pipeline_cancel(pipeline=job.pipeline)
    return job


def export_retry(*, job: ExportJob) -> ExportJob:
    """Run a failed export again from the stage that failed (not counted against the limit)."""
    pipeline_retry(pipeline=job.pipeline)
    return job


# -- presets -----------------------------------------------------------------------------


def _preset_save(preset: ExportPreset) -> ExportPreset:
    preset.full_clean(exclude=["owner"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            preset.save()
    except IntegrityError:
        raise ConflictError(
            f"You already have a preset called {preset.name!r}; choose another name.",
            details={"name": ["Already used."]},
        ) from None
    return preset


def export_preset_create(
    *,
    owner,
    name: str,
    format: str,
    quality: str,
    texture_size: str,  # noqa: A002
) -> ExportPreset:
    """Save named export settings for `owner` (at most FORGE_EXPORT_PRESETS_MAX each)."""
    preset = ExportPreset(
        owner=owner, name=name.strip(), format=format, quality=quality, texture_size=texture_size
    )
    limit = settings.FORGE_EXPORT_PRESETS_MAX
    with transaction.atomic():
        owned_rows_room_check(
            owner=owner,
            rows=ExportPreset.objects.filter(owner=owner),
            limit=limit,
            message=f"You already have {limit} export presets; delete one first.",
        )
        preset = _preset_save(preset)
    log.info("export_preset_created", preset_id=preset.pk)
    return preset


def export_preset_update(*, preset: ExportPreset, actor, **fields: Any) -> ExportPreset:
    """Change `actor`'s own preset (shipped presets are read-only)."""
    if preset.owner_id != actor.pk:
        raise ConflictError("Shipped presets cannot be changed; save your own copy instead.")
    for name, value in fields.items():
        setattr(preset, name, value.strip() if name == "name" else value)
    return _preset_save(preset)


def export_preset_delete(*, preset: ExportPreset, actor) -> None:
    """Delete `actor`'s own preset; exports made with it keep their settings."""
    if preset.owner_id != actor.pk:
        raise ConflictError("Shipped presets cannot be deleted.")
    preset.delete()
    log.info("export_preset_deleted", preset_id=preset.pk)


SHIPPED_PRESETS = [
    ("Unity mobile", "fbx", "low", "1k"),
    ("Unreal desktop", "fbx", "full", "2k"),
    ("Web viewer", "glb", "medium", "1k"),
    ("AR Quick Look", "usdz", "medium", "1k"),
    ("3D printing", "stl", "full", "original"),
]


def export_presets_seed() -> int:
    """Create the presets Forge ships (for everyone) that are missing; return how many."""
    made = 0
    for name, fmt, quality, textures in SHIPPED_PRESETS:
        _, created = ExportPreset.objects.get_or_create(
            owner=None,
            name=name,
            defaults={"format": fmt, "quality": quality, "texture_size": textures},
        )
        made += created
    return made

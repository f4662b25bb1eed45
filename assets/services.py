"""Every write to assets, variants and their statistics.

Invariants kept here:
- A row never points at a missing file: files are written before the row is saved and
  deleted (after commit) only with the row; files written by a transaction that rolls back
  are deleted with it (`assets.files`).
- `VariantStatistics` is exact: every variant create, status change and delete updates it in
  the same transaction with `F()` expressions, under a lock on the variant row.
- Every change to what the gallery lists bumps the gallery version after commit, so cached
  counts and page boundaries are never reused for changed data (`assets.gallery`).
"""

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from assets import files, gallery
from assets.glb import glb_inspect
from assets.models import (
    Asset,
    AssetSource,
    AssetStatus,
    AssetVariant,
    AssetVariantStatus,
    MaterialPreset,
    VariantStatistics,
    asset_model_path,
    asset_thumbnail_path,
    variant_model_path,
    variant_thumbnail_path,
)
from assets.thumbnails import thumbnail_render
from forge.exceptions import (
    ConflictError,
    PayloadTooLargeError,
    PermissionDeniedError,
    ValidationFailedError,
)
from forge.storage import storage_tree_delete, storage_tree_newest
from pipelines.providers import provider_get
from pipelines.providers.base import PresetSpec, ProviderError
from pipelines.stages.texture_variants import texture_variants
from pipelines.stages.thumbnail import THUMBNAIL_SIZE

log = structlog.get_logger("assets.services")

TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9 _-]{0,39}$")
MAX_TAGS = 20
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

_UNSET: Any = object()


@dataclass(frozen=True)
class VariantInput:
    """One ready variant to create with its asset: the preset and the restyled files."""

    preset: MaterialPreset
    glb: bytes
    thumbnail_png: bytes
    external_task_id: str = ""


def _size_label(size: int) -> str:
    if size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MB"
    return f"{size} bytes"


def upload_limit_check(*, size: int) -> None:
    """Raise `PayloadTooLargeError` naming the limit when `size` exceeds the upload limit."""
    limit = settings.FORGE_UPLOAD_MAX_BYTES
    if size > limit:
        message = f"The file is {size} bytes; the limit is {_size_label(limit)} ({limit} bytes)."
        raise PayloadTooLargeError(
            message, details={"file": [message], "reason": "too_large", "limit_bytes": limit}
        )


def tags_normalize(tags: list[str] | None) -> list[str]:
    """Return `tags` lower-cased, trimmed and de-duplicated, or raise naming the bad one."""
    result: list[str] = []
    for raw in tags or []:
        tag = " ".join(str(raw).strip().lower().split())
        if not tag:
            continue
        if not TAG_PATTERN.match(tag):
            message = (
                f"Tag “{tag[:50]}” is not valid: use up to 40 letters, digits, spaces, "
                "hyphens or underscores."
            )
            raise ValidationFailedError(message, details={"tags": [message]})
        if tag not in result:
            result.append(tag)
    if len(result) > MAX_TAGS:
        message = f"At most {MAX_TAGS} tags are allowed; got {len(result)}."
        raise ValidationFailedError(message, details={"tags": [message]})
    return result


def _png_check(data: bytes, *, field: str) -> None:
    if not data.startswith(PNG_MAGIC):
        message = "The thumbnail is not a PNG image."
        raise ValidationFailedError(message, details={field: [message]})


def _variant_bucket(status: str) -> str:
    if status == AssetVariantStatus.READY:
        return "ready"
    if status == AssetVariantStatus.FAILED:
        return "failed"
    return "pending"


def _statistics_apply(*, asset_id: uuid.UUID, add: str | None, remove: str | None) -> None:
    """Move one variant between statistics buckets (`add`/`remove` None = in/out of total)."""
    if add == remove:
        return
    now = timezone.now()
    updates: dict[str, Any] = {"updated_at": now}
    if add:
        updates[add] = F(add) + 1
        if add == "ready":
            updates["last_generated_at"] = now
    if remove:
        updates[remove] = F(remove) - 1
    if add and not remove:
        updates["total"] = F("total") + 1
    elif remove and not add:
        updates["total"] = F("total") - 1
    if VariantStatistics.objects.filter(asset_id=asset_id).update(**updates):
        return
    # No row yet (an asset created before this service existed): build it from the truth.
    variant_statistics_recount(asset_id=asset_id)


def _asset_files_write(asset: Asset, *, glb: bytes, thumbnail_png: bytes) -> list[str]:
    model_name = files.file_write(name=asset_model_path(asset, "model.glb"), data=glb)
    files.files_guard_rollback([model_name])
    thumb_name = files.file_write(
        name=asset_thumbnail_path(asset, "thumbnail.png"), data=thumbnail_png
    )
    files.files_guard_rollback([thumb_name])
    asset.model_file.name = model_name
    asset.thumbnail.name = thumb_name
    return [model_name, thumb_name]


def _variant_files_write(variant: AssetVariant, *, glb: bytes, thumbnail_png: bytes) -> None:
    model_name = files.file_write(name=variant_model_path(variant, "model.glb"), data=glb)
    files.files_guard_rollback([model_name])
    thumb_name = files.file_write(
        name=variant_thumbnail_path(variant, "thumbnail.png"), data=thumbnail_png
    )
    files.files_guard_rollback([thumb_name])
    variant.model_file.name = model_name
    variant.thumbnail.name = thumb_name
    variant.file_size = len(glb)


def _asset_build(
    *,
    owner,
    name: str,
    description: str,
    kind: str,
    art_style: str,
    tags: list[str],
    visibility: str,
    source: str,
    glb: bytes,
    generation_params: dict,
) -> Asset:
    info = glb_inspect(glb, max_size=settings.FORGE_UPLOAD_MAX_BYTES)
    return Asset(
        id=uuid.uuid4(),
        owner=owner,
        name=(name or "").strip(),
        description=(description or "").strip(),
        kind=kind,
        art_style=art_style,
        tags=tags_normalize(tags),
        visibility=visibility,
        status=AssetStatus.READY,
        source=source,
        file_size=info.file_size,
        sha256=info.sha256,
        vertex_count=info.vertex_count,
        triangle_count=info.triangle_count,
        bounding_box=info.bounding_box,
        generation_params=generation_params or {},
    )


def _asset_fields_check(asset: Asset) -> None:
    """Validate `asset`'s own fields before any file is written (constraints come later)."""
    asset.full_clean(exclude=["model_file", "thumbnail"], validate_constraints=False)


@transaction.atomic
def asset_create_generated(
    *,
    owner,
    name: str,
    description: str = "",
    kind: str,
    art_style: str,
    tags: list[str],
    visibility: str = "private",
    glb: bytes,
    thumbnail_png: bytes,
    generation_params: dict,
    variants: list[VariantInput],
) -> Asset:
    """Create a ready generated asset with its ready variants and their statistics.

    Everything happens in one transaction (a savepoint when the caller has one open); the
    files written are deleted if it rolls back.
    """
    asset = _asset_build(
        owner=owner,
        name=name,
        description=description,
        kind=kind,
        art_style=art_style,
        tags=tags,
        visibility=visibility,
        source=AssetSource.GENERATED,
        glb=glb,
        generation_params=generation_params,
    )
    _png_check(thumbnail_png, field="thumbnail_png")
    _asset_fields_check(asset)
    presets = [variant.preset.pk for variant in variants]
    if len(set(presets)) != len(presets):
        message = "Each preset may be used by only one variant of an asset."
        raise ValidationFailedError(message, details={"variants": [message]})
    for variant in variants:
        glb_inspect(variant.glb, max_size=settings.FORGE_UPLOAD_MAX_BYTES)
        _png_check(variant.thumbnail_png, field="variants")
    _asset_files_write(asset, glb=glb, thumbnail_png=thumbnail_png)
    asset.full_clean()
    asset.save(force_insert=True)
    now = timezone.now()
    created = []
    for order, item in enumerate(variants):
        variant = AssetVariant(
            id=uuid.uuid4(),
            asset=asset,
            preset=item.preset,
            status=AssetVariantStatus.READY,
            external_task_id=item.external_task_id,
            display_order=order,
        )
        _variant_files_write(variant, glb=item.glb, thumbnail_png=item.thumbnail_png)
        variant.full_clean(exclude=["asset"], validate_constraints=False)
        created.append(variant)
    AssetVariant.objects.bulk_create(created)
    VariantStatistics.objects.create(
        asset=asset,
        total=len(created),
        ready=len(created),
        last_generated_at=now if created else None,
    )
    gallery.gallery_version_bump_on_commit()
    log.info("asset_created", asset_id=str(asset.id), source="generated", variants=len(created))
    return asset


@transaction.atomic
def asset_upload(
    *,
    owner,
    name: str,
    description: str = "",
    kind: str = "other",
    art_style: str = "realistic",
    tags: list[str] | None = None,
    visibility: str = "private",
    glb: bytes,
) -> Asset:
    """Check the uploaded GLB, render its thumbnail and create a ready asset owned by `owner`.

    A bad file raises before anything is written; nothing is kept if any later step fails.
    """
    upload_limit_check(size=len(glb))
    asset = _asset_build(
        owner=owner,
        name=name,
        description=description,
        kind=kind,
        art_style=art_style,
        tags=tags or [],
        visibility=visibility,
        source=AssetSource.UPLOADED,
        glb=glb,
        generation_params={},
    )
    _asset_fields_check(asset)
    thumbnail_png = thumbnail_render(glb, size=512)
    _asset_files_write(asset, glb=glb, thumbnail_png=thumbnail_png)
    asset.full_clean()
    asset.save(force_insert=True)
    VariantStatistics.objects.create(asset=asset)
    gallery.gallery_version_bump_on_commit()
    log.info("asset_created", asset_id=str(asset.id), source="uploaded", size=asset.file_size)
    return asset


def _asset_change_check(*, asset: Asset, actor, allow_staff: bool) -> None:
    if asset.owner_id == getattr(actor, "pk", None):
        return
    if allow_staff and getattr(actor, "is_staff", False):
        return
    raise PermissionDeniedError("Only the owner may change this asset.")


@transaction.atomic
def asset_update(
    *,
    asset: Asset,
    actor,
    name: str = _UNSET,
    description: str = _UNSET,
    tags: list[str] = _UNSET,
    visibility: str = _UNSET,
    kind: str = _UNSET,
    art_style: str = _UNSET,
    status: str = _UNSET,
    as_staff: bool = False,
) -> Asset:
    """Change the name, description, tags or visibility of `asset` (its owner only).

    Staff screens pass `as_staff=True`: a staff `actor` may then change anyone's asset,
    including its kind, style and status.
    """
    _asset_change_check(asset=asset, actor=actor, allow_staff=as_staff)
    staff_only = {"kind": kind, "art_style": art_style, "status": status}
    if not as_staff and any(value is not _UNSET for value in staff_only.values()):
        raise PermissionDeniedError("Only staff may change the kind, style or status here.")
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    changed = []
    for field, value in staff_only.items():
        if value is not _UNSET:
            setattr(asset, field, value)
            changed.append(field)
    if name is not _UNSET:
        asset.name = (name or "").strip()
        changed.append("name")
    if description is not _UNSET:
        asset.description = (description or "").strip()
        changed.append("description")
    if tags is not _UNSET:
        asset.tags = tags_normalize(tags)
        changed.append("tags")
    if visibility is not _UNSET:
        asset.visibility = visibility
        changed.append("visibility")
    if not changed:
        return asset
    asset.full_clean()
    asset.save(update_fields=[*changed, "updated_at"])
    gallery.gallery_version_bump_on_commit()
    log.info("asset_updated", asset_id=str(asset.id), fields=changed)
    return asset


@transaction.atomic
def asset_delete(*, asset: Asset, actor) -> None:
    """Delete `asset`, its variants and statistics (owner or staff); files go after commit."""
    _asset_change_check(asset=asset, actor=actor, allow_staff=True)
    names = [asset.model_file.name, asset.thumbnail.name]
    for model_name, thumb_name in AssetVariant.objects.filter(asset_id=asset.pk).values_list(
        "model_file", "thumbnail"
    ):
        names += [model_name, thumb_name]
    asset_id = asset.pk
    Asset.objects.filter(pk=asset_id).delete()
    files.files_delete_on_commit(names)
    gallery.gallery_version_bump_on_commit()
    log.info("asset_deleted", asset_id=str(asset_id), actor_id=getattr(actor, "pk", None))


@transaction.atomic
def asset_variant_create(
    *,
    asset: Asset,
    preset: MaterialPreset,
    status: str = AssetVariantStatus.PENDING,
    glb: bytes | None = None,
    thumbnail_png: bytes | None = None,
    external_task_id: str = "",
    error_message: str = "",
    display_order: int | None = None,
) -> AssetVariant:
    """Create a variant of `asset` in `preset` and count it in the statistics.

    A ready variant needs its files (`glb` and `thumbnail_png`); other states may have none.
    """
    if status == AssetVariantStatus.READY and (glb is None or thumbnail_png is None):
        message = "A ready variant needs its GLB and thumbnail."
        raise ValidationFailedError(message, details={"glb": [message]})
    if display_order is None:
        display_order = AssetVariant.objects.filter(asset_id=asset.pk).aggregate(
            m=Max("display_order")
        )["m"]
        display_order = 0 if display_order is None else display_order + 1
    variant = AssetVariant(
        id=uuid.uuid4(),
        asset=asset,
        preset=preset,
        status=status,
        external_task_id=external_task_id,
        error_message=error_message,
        display_order=display_order,
    )
    variant.full_clean(exclude=["model_file", "thumbnail"], validate_constraints=False)
    if glb is not None and thumbnail_png is not None:
        glb_inspect(glb, max_size=settings.FORGE_UPLOAD_MAX_BYTES)
        _png_check(thumbnail_png, field="thumbnail_png")
        _variant_files_write(variant, glb=glb, thumbnail_png=thumbnail_png)
    try:
        with transaction.atomic():
            variant.save(force_insert=True)
    except IntegrityError as exc:
        raise ConflictError(
            f"This asset already has a variant in preset “{preset.slug}”.",
            details={"preset": ["This asset already has a variant in this preset."]},
        ) from exc
    _statistics_apply(asset_id=asset.pk, add=_variant_bucket(status), remove=None)
    log.info("asset_variant_created", variant_id=str(variant.id), status=status)
    return variant


def _preset_spec(preset: MaterialPreset) -> PresetSpec:
    return PresetSpec(
        slug=preset.slug,
        name=preset.name,
        base_color=preset.base_color,
        metallic=preset.metallic,
        roughness=preset.roughness,
        emissive=preset.emissive or None,
        texture_prompt=preset.texture_prompt,
    )


def asset_variant_add(*, asset: Asset, actor, preset: MaterialPreset) -> AssetVariant:
    """Make a ready variant of `asset` in `preset` now (its owner only), with its thumbnail.

    The GLB is recoloured by the pipelines' own stage (`texture_variants`) with the local
    provider, which is offline and deterministic, so an uploaded asset gets variants too.
    """
    _asset_change_check(asset=asset, actor=actor, allow_staff=False)
    if not preset.is_active:
        message = f"The preset “{preset.name}” is not available."
        raise ValidationFailedError(message, details={"preset": [message]})
    if asset.status != AssetStatus.READY or not asset.model_file:
        message = "Only a ready asset with a model can get variants."
        raise ConflictError(message, details={"preset": [message]})
    if AssetVariant.objects.filter(asset_id=asset.pk, preset=preset).exists():
        message = f"This asset already has a variant in “{preset.name}”."
        raise ConflictError(message, details={"preset": [message]})
    with asset.model_file.open("rb") as handle:
        source = handle.read()
    seed = (asset.generation_params or {}).get("seed")  # a generated asset keeps its look
    made: list[bytes] = []
    try:
        texture_variants(
            glb=source,
            presets=[_preset_spec(preset)],
            seed=seed if isinstance(seed, int) else 0,
            provider=provider_get("local"),
            should_cancel=lambda: False,
            on_variant=lambda _preset, result: made.append(result.glb),
        )
    except ProviderError as exc:
        message = f"This model cannot be recoloured: {exc.message}"
        raise ValidationFailedError(message, details={"preset": [message]}) from exc
    glb = made[0]
    return asset_variant_create(
        asset=asset,
        preset=preset,
        status=AssetVariantStatus.READY,
        glb=glb,
        thumbnail_png=thumbnail_render(glb, size=THUMBNAIL_SIZE),
    )


@transaction.atomic
def asset_variant_set_status(
    *,
    variant: AssetVariant,
    status: str,
    glb: bytes | None = None,
    thumbnail_png: bytes | None = None,
    error_message: str = "",
    external_task_id: str | None = None,
) -> AssetVariant:
    """Move `variant` to `status` (storing its files when it becomes ready) and recount.

    Replaced files are deleted after commit. A ready variant must have files: pass them or
    have them already.
    """
    if status not in AssetVariantStatus.values:
        message = f"“{status}” is not a variant status."
        raise ValidationFailedError(message, details={"status": [message]})
    locked = AssetVariant.objects.select_for_update().get(pk=variant.pk)
    old_status = locked.status
    old_files = [locked.model_file.name, locked.thumbnail.name]
    if glb is not None and thumbnail_png is not None:
        glb_inspect(glb, max_size=settings.FORGE_UPLOAD_MAX_BYTES)
        _png_check(thumbnail_png, field="thumbnail_png")
        _variant_files_write(locked, glb=glb, thumbnail_png=thumbnail_png)
        files.files_delete_on_commit(
            name
            for name in old_files
            if name and name not in (locked.model_file.name, locked.thumbnail.name)
        )
    if status == AssetVariantStatus.READY and not locked.model_file.name:
        message = "A ready variant needs its GLB and thumbnail."
        raise ValidationFailedError(message, details={"glb": [message]})
    locked.status = status
    locked.error_message = error_message if status == AssetVariantStatus.FAILED else ""
    if external_task_id is not None:
        locked.external_task_id = external_task_id
    locked.save()
    if status == AssetVariantStatus.READY and old_status == AssetVariantStatus.READY:
        # Regenerated in place: still one ready variant, but a newer generation.
        VariantStatistics.objects.filter(asset_id=locked.asset_id).update(
            last_generated_at=timezone.now(), updated_at=timezone.now()
        )
    else:
        _statistics_apply(
            asset_id=locked.asset_id,
            add=_variant_bucket(status),
            remove=_variant_bucket(old_status),
        )
    log.info(
        "asset_variant_status_set",
        variant_id=str(locked.id),
        old_status=old_status,
        status=status,
    )
    return locked


@transaction.atomic
def asset_variant_reorder(*, variant: AssetVariant, display_order: int) -> AssetVariant:
    """Move `variant` to `display_order` in its asset's switcher."""
    variant.display_order = display_order
    variant.full_clean(exclude=["asset", "preset", "model_file", "thumbnail"])
    variant.save(update_fields=["display_order", "updated_at"])
    log.info("asset_variant_reordered", variant_id=str(variant.pk), display_order=display_order)
    return variant


@transaction.atomic
def asset_variant_delete(*, variant: AssetVariant) -> None:
    """Delete `variant`, uncount it, and delete its files after commit."""
    locked = AssetVariant.objects.select_for_update().filter(pk=variant.pk).first()
    if locked is None:
        return
    locked.delete()
    _statistics_apply(asset_id=locked.asset_id, add=None, remove=_variant_bucket(locked.status))
    files.files_delete_on_commit([locked.model_file.name, locked.thumbnail.name])
    log.info("asset_variant_deleted", variant_id=str(variant.pk))


def _statistics_truth(asset_ids=None):
    qs = Asset.objects.all()
    if asset_ids is not None:
        qs = qs.filter(pk__in=asset_ids)
    return qs.annotate(
        t_total=Count("variants"),
        t_ready=Count("variants", filter=Q(variants__status=AssetVariantStatus.READY)),
        t_failed=Count("variants", filter=Q(variants__status=AssetVariantStatus.FAILED)),
        t_last=Max("variants__updated_at", filter=Q(variants__status=AssetVariantStatus.READY)),
    ).values("id", "t_total", "t_ready", "t_failed", "t_last")


@transaction.atomic
def variant_statistics_recount(*, asset_id: uuid.UUID) -> VariantStatistics:
    """Recompute `asset_id`'s statistics from its variants and store them."""
    Asset.objects.select_for_update().filter(pk=asset_id).values_list("pk").first()
    truth = _statistics_truth([asset_id]).get()
    stats, _ = VariantStatistics.objects.select_for_update().get_or_create(asset_id=asset_id)
    stats.total = truth["t_total"]
    stats.ready = truth["t_ready"]
    stats.failed = truth["t_failed"]
    stats.pending = truth["t_total"] - truth["t_ready"] - truth["t_failed"]
    if stats.last_generated_at is None:
        stats.last_generated_at = truth["t_last"]
    stats.save()
    return stats


def variant_statistics_drift(*, fix: bool = False, batch_size: int = 2000) -> list[dict]:
    """Return every asset whose statistics differ from its variants; repair them if `fix`.

    Each returned item holds `asset_id`, `stored` and `actual` counts (None when the row is
    missing). Repairs lock and recount one asset at a time, so concurrent writers stay exact.
    """
    drift = []
    stored = {
        row["asset_id"]: row
        for row in VariantStatistics.objects.values(
            "asset_id", "total", "ready", "failed", "pending"
        )
    }
    for row in _statistics_truth().iterator(chunk_size=batch_size):
        actual = {
            "total": row["t_total"],
            "ready": row["t_ready"],
            "failed": row["t_failed"],
            "pending": row["t_total"] - row["t_ready"] - row["t_failed"],
        }
        have = stored.get(row["id"])
        have_counts = (
            None
            if have is None
            else {key: have[key] for key in ("total", "ready", "failed", "pending")}
        )
        if have_counts != actual:
            drift.append({"asset_id": row["id"], "stored": have_counts, "actual": actual})
    if fix:
        for item in drift:
            variant_statistics_recount(asset_id=item["asset_id"])
        if drift:
            log.warning("variant_statistics_repaired", count=len(drift))
    return drift


ORPHAN_SWEEP_GRACE = timedelta(hours=1)


def asset_orphan_files_sweep(*, grace: timedelta = ORPHAN_SWEEP_GRACE) -> dict[str, int]:
    """Delete stored asset and variant folders that no row owns, once older than `grace`.

    A crash between writing an asset's files and committing its row (the rollback guard
    cannot run in a dead process) leaves such folders. Folders of existing rows are never
    touched, and nothing newer than `grace` is, so an upload still in flight is safe.
    """
    cutoff = timezone.now() - grace
    swept = {"assets": 0, "variants": 0, "files": 0}
    try:
        asset_dirs, _ = default_storage.listdir("assets")
    except (FileNotFoundError, NotADirectoryError):
        return swept
    asset_ids = {d: _uuid_or_none(d) for d in asset_dirs}
    existing = set(
        Asset.objects.filter(id__in=[i for i in asset_ids.values() if i]).values_list(
            "id", flat=True
        )
    )
    for directory, asset_id in asset_ids.items():
        path = f"assets/{directory}"
        if asset_id is None:
            continue  # not ours: leave anything unexpected alone
        if asset_id not in existing:
            if _older_than(path, cutoff):
                swept["files"] += storage_tree_delete(path)
                swept["assets"] += 1
            continue
        try:
            variant_dirs, _ = default_storage.listdir(f"{path}/variants")
        except (FileNotFoundError, NotADirectoryError):
            continue
        variant_ids = {d: _uuid_or_none(d) for d in variant_dirs}
        kept = set(
            AssetVariant.objects.filter(
                asset_id=asset_id, id__in=[i for i in variant_ids.values() if i]
            ).values_list("id", flat=True)
        )
        for variant_dir, variant_id in variant_ids.items():
            variant_path = f"{path}/variants/{variant_dir}"
            if variant_id and variant_id not in kept and _older_than(variant_path, cutoff):
                swept["files"] += storage_tree_delete(variant_path)
                swept["variants"] += 1
    if swept["files"]:
        log.info("asset_orphan_files_swept", **swept)
    return swept


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _older_than(path: str, cutoff) -> bool:
    newest = storage_tree_newest(path)
    return newest is None or newest < cutoff

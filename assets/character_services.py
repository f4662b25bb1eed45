"""Writes of character configurations: create, change (a new version), delete, build, retarget."""

from dataclasses import dataclass
from typing import Any

import structlog
from django.conf import settings
from django.db import transaction

from assets.api.character_serializers import MAX_BORROWED_CLIPS, character_data_clean
from assets.models import Asset, CharacterConfiguration, CharacterConfigurationVersion
from forge.exceptions import NotFoundError, ValidationFailedError
from forge.ownership import owned_rows_room_check
from pipelines.stages.character.build import configuration_hash

log = structlog.get_logger(__name__)


def _references_check(*, owner, data: dict[str, Any], exclude=None) -> None:
    """Check what the configuration points at: gallery pieces and the characters clips come from."""
    try:
        armor_meshes_check(owner=owner, gallery_armor=data["gallery_armor"])
    except NotFoundError as exc:
        raise ValidationFailedError(str(exc), details={"gallery_armor": [str(exc)]}) from exc
    sources = {b["source"] for b in data["borrowed_clips"]}
    if sources:
        owned = CharacterConfiguration.objects.filter(owner=owner, pk__in=sources)
        found = {str(pk) for pk in owned.values_list("pk", flat=True)}
        missing = sorted(sources - found)
        if missing:
            message = f"No such character of yours: {', '.join(missing)}."
            raise ValidationFailedError(f"borrowed_clips: {message}",
                                        details={"borrowed_clips": [message]})  # fmt: skip
        humanoids = set(
            str(pk) for pk in owned.filter(data__species="humanoid").values_list("pk", flat=True)
        )
        if sources - humanoids:
            message = "Clips can only be borrowed from humanoid characters."
            raise ValidationFailedError(message, details={"borrowed_clips": [message]})


def armor_meshes_check(*, owner, gallery_armor: dict[str, str]) -> None:
    """Raise NotFoundError unless every gallery piece is an armor/weapon asset `owner` may see."""
    ids = list(gallery_armor.values())
    if not ids:
        return
    from assets.character_selectors import ARMOR_ASSET_KINDS
    from assets.selectors import asset_can_view

    assets = {str(a.pk): a for a in Asset.objects.filter(pk__in=ids, kind__in=ARMOR_ASSET_KINDS,
                                                         status="ready")}  # fmt: skip
    for asset_id in ids:
        asset = assets.get(asset_id)
        if asset is None or not asset_can_view(asset=asset, user=owner):
            raise NotFoundError(f"gallery_armor: no armor or weapon asset {asset_id}.")


@transaction.atomic
def character_create(
    *, owner, name: str, data: Any, visibility: str = "private"
) -> CharacterConfiguration:
    """Create `owner`'s character from `data` (cleaned and completed) as version 1.

    A user owns at most FORGE_CHARACTERS_MAX characters (the list has no pages).
    """
    cleaned = character_data_clean(data)
    _references_check(owner=owner, data=cleaned)
    limit = settings.FORGE_CHARACTERS_MAX
    owned_rows_room_check(
        owner=owner,
        rows=CharacterConfiguration.objects.filter(owner=owner),
        limit=limit,
        message=f"You already have {limit} characters; delete one first.",
    )
    character = CharacterConfiguration(
        owner=owner,
        name=(name or "").strip(),
        visibility=visibility,
        data=cleaned,
        version=1,
        config_hash=configuration_hash(cleaned),
    )
    character.full_clean()
    character.save(force_insert=True)
    CharacterConfigurationVersion.objects.create(
        configuration=character, version=1, data=cleaned, config_hash=character.config_hash
    )
    log.info("character_created", character_id=str(character.id))
    return character


@transaction.atomic
def character_update(
    *,
    character: CharacterConfiguration,
    name: str | None = None,
    visibility: str | None = None,
    data: Any = None,
    data_patch: Any = None,
) -> CharacterConfiguration:
    """Change `character`; a changed configuration becomes a new version, an equal one does not.

    `data` replaces the configuration whole; `data_patch` is a JSON merge patch (RFC 7386)
    applied to the stored one under the row lock, so concurrent patches of different keys
    both land. Either way the result is validated whole.
    """
    character = CharacterConfiguration.objects.select_for_update().get(pk=character.pk)
    if data_patch is not None:
        data = json_merge_patch(character.data, data_patch)
    fields = ["updated_at"]
    if name is not None:
        character.name = name.strip()
        fields.append("name")
    if visibility is not None:
        character.visibility = visibility
        fields.append("visibility")
    if data is not None:
        cleaned = character_data_clean(data)
        _references_check(owner=character.owner, data=cleaned)
        new_hash = configuration_hash(cleaned)
        if new_hash != character.config_hash:
            character.version += 1
            character.data = cleaned
            character.config_hash = new_hash
            fields += ["version", "data", "config_hash"]
            CharacterConfigurationVersion.objects.create(
                configuration=character, version=character.version, data=cleaned,
                config_hash=new_hash,
            )  # fmt: skip
    character.full_clean()
    character.save(update_fields=fields)
    log.info("character_updated", character_id=str(character.id), version=character.version)
    return character


def json_merge_patch(target: Any, patch: Any) -> Any:
    """Return `target` with the JSON merge patch `patch` applied (RFC 7386).

    An object patch merges key by key and a null removes its key; anything else (a list,
    a string, a number) replaces the target whole.
    """
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = json_merge_patch(merged.get(key), value)
    return merged


@transaction.atomic
def character_delete(*, character: CharacterConfiguration) -> None:
    """Delete the configuration and its versions; an asset already built stays in the gallery."""
    log.info("character_deleted", character_id=str(character.id))
    character.delete()


@dataclass(frozen=True)
class BuildStarted:
    """What asking for a build did: reused the cached asset, or started (or joined) a run."""

    character: CharacterConfiguration
    cached: bool
    pipeline: Any = None


@transaction.atomic
def character_build_start(
    *, character: CharacterConfiguration, request_id: str = ""
) -> BuildStarted:
    """Build `character`'s current version, unless its asset was built from the same configuration.

    A build of this version already queued or running is joined, not started twice (the
    row lock serialises concurrent requests); after a failed or canceled build, or once
    the built asset is deleted, a new build starts.
    """
    from pipelines.models import ACTIVE_STATUSES, GenerationPipeline, PipelineKind
    from pipelines.services import run_create

    character = CharacterConfiguration.objects.select_for_update().get(pk=character.pk)
    if character.asset_id and character.built_hash == character.config_hash:
        log.info("character_build_cached", character_id=str(character.id))
        return BuildStarted(character, cached=True)
    running = (
        GenerationPipeline.objects.filter(
            kind=PipelineKind.CHARACTER,
            user=character.owner,
            status__in=ACTIVE_STATUSES,
            config__character_id=str(character.id),
            config__version=character.version,
        )
        .order_by("-created_at")
        .first()
    )
    if running is not None:
        return BuildStarted(character, cached=False, pipeline=running)
    pipeline, _ = run_create(
        user=character.owner,
        kind=PipelineKind.CHARACTER,
        config={"character_id": str(character.id), "version": character.version},
        request_id=request_id,
    )
    return BuildStarted(character, cached=False, pipeline=pipeline)


@transaction.atomic
def character_built(*, character_id, version: int, asset: Asset) -> None:
    """Record `asset` as the build of `character_id`'s `version` (called as the run succeeds)."""
    from assets.character_selectors import character_version_get

    built = character_version_get(character_id=character_id, version=version)
    character = CharacterConfiguration.objects.select_for_update().get(pk=character_id)
    character.asset = asset
    character.built_hash = built.config_hash
    character.save(update_fields=["asset", "built_hash", "updated_at"])


def character_clip_borrow(
    *, character: CharacterConfiguration, source: CharacterConfiguration, clip: str,
    name: str = "",
) -> CharacterConfiguration:  # fmt: skip
    """Retarget `source`'s clip `clip` onto `character` (kept as a borrowed clip, a new version)."""
    if source.owner_id != character.owner_id:
        raise NotFoundError("No such character.")
    name = name or f"{clip}_from_{_slug(source.name)}"[:40]
    data = dict(character.data)
    borrowed = [b for b in data.get("borrowed_clips", []) if b["name"] != name]
    if len(borrowed) >= MAX_BORROWED_CLIPS:
        message = f"A character can borrow at most {MAX_BORROWED_CLIPS} clips."
        raise ValidationFailedError(message, details={"borrowed_clips": [message]})
    borrowed.append({"name": name, "source": str(source.id), "clip": clip})
    data["borrowed_clips"] = borrowed
    return character_update(character=character, data=data)


def _slug(text: str) -> str:
    import re

    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return slug if slug and slug[0].isalpha() else f"c_{slug}"


def rigged_asset_clips_add(*, asset: Asset, actor, clips: list[str], source=None) -> Asset:
    """Retarget Forge clips onto a rigged asset's skeleton; save the result as a new asset of `actor`.

    The clips are made for `source` (one of the actor's characters) or, without one, for the
    standard Forge humanoid. The asset must hold a skin whose joints name a humanoid.
    """
    from assets.services import asset_upload
    from pipelines.stages.character.build import skeleton_for
    from pipelines.stages.character.clips import make_clip
    from pipelines.stages.character.retarget import (
        RigError,
        glb_with_clips,
        retarget_clip,
        rig_report,
        rigged_skeleton,
    )
    from pipelines.stages.character.skeleton import humanoid_skeleton

    with asset.model_file.open("rb") as handle:
        glb = handle.read()
    try:
        report = rig_report(glb)
        if not report["humanoid"]:
            raise RigError("The skin's joints do not name a humanoid (hips, spine, head, limbs).")
        target, _ = rigged_skeleton(glb)
        skeleton = skeleton_for(source.data) if source is not None else humanoid_skeleton()
        if skeleton.kind != "humanoid":
            raise RigError("Clips can only come from a humanoid character.")
        moved = [retarget_clip(make_clip(name, skeleton), skeleton, target) for name in clips]
        out = glb_with_clips(glb, moved)
    except RigError as exc:
        raise ValidationFailedError(f"asset: {exc}", details={"asset": [str(exc)]}) from exc
    return asset_upload(
        owner=actor,
        name=f"{asset.name} + {', '.join(clips)}"[:200],
        description=f"{asset.name} with Forge clips retargeted onto its skeleton.",
        kind=asset.kind,
        art_style=asset.art_style,
        tags=[*asset.tags, "rigged", "animated"][:20],
        glb=out,
    )

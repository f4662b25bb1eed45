"""Reads of character configurations: access-scoped getters and what a build needs."""

import uuid

import numpy as np
import structlog
from django.db.models import Q, QuerySet

from assets.glb import glb_parts
from assets.models import (
    Asset,
    AssetKind,
    AssetStatus,
    CharacterConfiguration,
    CharacterConfigurationVersion,
)
from assets.selectors import asset_can_view
from forge.exceptions import NotFoundError
from pipelines.stages.character.armor import ArmorMesh
from pipelines.stages.character.build import clip_names, skeleton_for
from pipelines.stages.character.clips import make_clip

log = structlog.get_logger(__name__)

#: The asset kinds a character can wear or hold from the gallery.
ARMOR_ASSET_KINDS = (AssetKind.ARMOR, AssetKind.WEAPON)


def character_list_for_user(*, user) -> QuerySet:
    """Return `user`'s character configurations, most recently changed first."""
    return CharacterConfiguration.objects.filter(owner=user).select_related("asset")


def character_get_for_user(*, user, character_id: uuid.UUID | str) -> CharacterConfiguration:
    """Return `user`'s own configuration `character_id`; anyone else's is reported missing.

    A `character_id` that is not a UUID (from a query string: "abc", a NUL) is missing too.
    """
    try:
        character_id = uuid.UUID(str(character_id))
        return CharacterConfiguration.objects.select_related("asset").get(
            pk=character_id, owner=user
        )
    except (CharacterConfiguration.DoesNotExist, ValueError) as exc:
        raise NotFoundError("No such character.") from exc


def character_version_get(*, character_id, version: int) -> CharacterConfigurationVersion:
    """Return one saved version of a configuration."""
    try:
        return CharacterConfigurationVersion.objects.select_related("configuration__owner").get(
            configuration_id=character_id, version=version
        )
    except CharacterConfigurationVersion.DoesNotExist as exc:
        raise NotFoundError("No such character version.") from exc


def armor_assets_for_user(*, user) -> QuerySet:
    """Return the ready armor and weapon assets `user` owns or may see publicly, newest first."""
    visible = Q(owner=user) if user.is_authenticated else Q(pk__in=[])
    visible |= Q(visibility="public")
    return (
        Asset.objects.filter(visible, kind__in=ARMOR_ASSET_KINDS, status=AssetStatus.READY)
        .defer("search_vector")
        .order_by("-created_at")[:60]
    )


def armor_meshes(*, user, gallery_armor: dict[str, str]) -> dict[str, ArmorMesh]:
    """Return the geometry of each gallery piece a configuration wears, by slot.

    Each asset must be a ready armor or weapon asset `user` may see; others are missing.
    """
    out = {}
    for slot, asset_id in gallery_armor.items():
        try:
            asset = Asset.objects.get(pk=asset_id, kind__in=ARMOR_ASSET_KINDS, status="ready")
        except (Asset.DoesNotExist, ValueError) as exc:
            raise NotFoundError(f"gallery_armor: no armor or weapon asset {asset_id}.") from exc
        if not asset_can_view(asset=asset, user=user):
            raise NotFoundError(f"gallery_armor: no armor or weapon asset {asset_id}.")
        with asset.model_file.open("rb") as handle:
            parts = glb_parts(handle.read())
        offsets = np.cumsum([0] + [len(p.positions) for p in parts[:-1]])
        out[slot] = ArmorMesh(
            np.concatenate([p.positions for p in parts]),
            np.concatenate([p.triangles + o for p, o in zip(parts, offsets, strict=True)]),
        )
    return out


def character_clips(character) -> list[dict]:
    """Return the clips the character's build holds: its own, then the borrowed ones."""
    skeleton = skeleton_for(character.data)
    out = []
    for name in clip_names(character.data):
        clip = make_clip(name, skeleton)
        out.append({"name": name, "duration": clip.duration, "loop": clip.loop, "source": "forge"})
    for borrowed in character.data.get("borrowed_clips", []):
        clip = make_clip(borrowed["clip"], skeleton)
        out.append({"name": borrowed["name"], "duration": clip.duration, "loop": clip.loop,
                    "source": borrowed["source"]})  # fmt: skip
    return out

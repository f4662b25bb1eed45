"""Stage `build_character`: a character configuration becomes a rigged, armored, animated GLB.

`character_build` is pure: the configuration (already validated), the gallery meshes it
names and the clips it borrows from other characters in, GLB bytes and figures out. A
draft build (the editor's live preview) uses coarser capsules; the rig, armor and clips
are the same.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pipelines.providers.procedural.glb import MaterialSpec
from pipelines.providers.procedural.materials import hex_to_linear
from pipelines.stages.character.armor import ArmorMesh, fit_armor
from pipelines.stages.character.body import humanoid_body, quadruped_body
from pipelines.stages.character.clips import ARMED_CLIPS, Clip, make_clip
from pipelines.stages.character.gltf import character_glb
from pipelines.stages.character.retarget import retarget_clip
from pipelines.stages.character.skeleton import (
    MIXAMO_NAMES,
    Proportions,
    Skeleton,
    humanoid_skeleton,
    quadruped_skeleton,
)

#: Material name -> (role, colour key in the configuration, metallic, roughness).
MATERIALS = {
    "skin": ("skin", "skin", 0.0, 0.6),
    "hair": ("hair", "hair", 0.0, 0.8),
    "eye": ("eye", "eyes", 0.0, 0.2),
    "shirt": ("cloth", "shirt", 0.0, 0.9),
    "trousers": ("cloth", "trousers", 0.0, 0.9),
    "boots": ("leather", "boots", 0.0, 0.7),
    "fur": ("fur", "fur", 0.0, 0.9),
    "armor": ("metal", "armor", 1.0, 0.35),
    "armor_trim": ("trim", "trim", 1.0, 0.3),
    "armor_shield": ("metal", "armor", 1.0, 0.4),
    "armor_weapon": ("metal", "armor", 1.0, 0.25),
}


def skeleton_for(data: dict[str, Any]) -> Skeleton:
    """Return the skeleton of configuration `data` (its species and body proportions)."""
    proportions = Proportions(**data["body"])
    if data["species"] == "quadruped":
        return quadruped_skeleton(proportions)
    return humanoid_skeleton(proportions)


def configuration_hash(data: dict[str, Any]) -> str:
    """Return the SHA-256 of the canonical JSON of `data`: equal configurations, equal hash."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def clip_names(data: dict[str, Any]) -> list[str]:
    """Return the clips a configuration gets: its choice, `attack` only when it holds a weapon."""
    armed = "weapon" in data.get("held", [])
    return [c for c in data["clips"] if armed or c not in ARMED_CLIPS]


@dataclass(frozen=True)
class BorrowedClip:
    """A clip made for another character's configuration, to retarget onto this one."""

    name: str
    source: dict[str, Any]
    clip: str


@dataclass
class CharacterBuild:
    """A built character: the GLB and what a user (or a test) wants to know about it."""

    glb: bytes
    stats: dict[str, Any] = field(default_factory=dict)


def _materials(data: dict[str, Any], pieces) -> dict[str, MaterialSpec]:
    used = []
    for p in pieces:
        if p.material not in used:
            used.append(p.material)
    area = {name: 0.0 for name in used}
    for p in pieces:
        tri = p.positions[p.indices]
        area[p.material] += float(
            np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1).sum()
        )
    total = sum(area.values()) or 1.0
    out = {}
    for name in used:
        role, colour, metallic, roughness = MATERIALS[name]
        r, g, b = hex_to_linear(data["colours"][colour])
        out[name] = MaterialSpec(name, (r, g, b, 1.0), metallic, roughness, role=role,
                                 share=area[name] / total)  # fmt: skip
    return out


def character_build(
    data: dict[str, Any],
    *,
    draft: bool = False,
    gallery: dict[str, ArmorMesh] | None = None,
    borrowed: list[BorrowedClip] | None = None,
) -> CharacterBuild:
    """Build the GLB of configuration `data`: skeleton, skinned body, fitted armor and clips."""
    started = time.perf_counter()
    skeleton = skeleton_for(data)
    detail = "draft" if draft else "full"
    if skeleton.kind == "humanoid":
        segments: dict = {}
        body = humanoid_body(skeleton, detail=detail, segments=segments)
        slots = list(data.get("armor", [])) + list(data.get("held", []))
        armor = fit_armor(skeleton, body, slots, gallery=gallery, segments=segments)
    else:
        body = quadruped_body(skeleton, detail=detail)
        armor = []
    clips: list[Clip] = [make_clip(name, skeleton) for name in clip_names(data)]
    for item in borrowed or []:
        source = skeleton_for(item.source)
        clip = retarget_clip(make_clip(item.clip, source), source, skeleton)
        clip.name = item.name
        clips.append(clip)
    pieces = body + [a.piece for a in armor]
    glb = character_glb(
        skeleton,
        body,
        armor,
        clips,
        _materials(data, pieces),
        extras={
            "forge_character": {
                "species": skeleton.kind,
                "joint_names": "vrm-1.0-humanoid" if skeleton.kind == "humanoid" else "forge",
                "clips": [c.name for c in clips],
                "armor": [a.name for a in armor],
            }
        },
    )
    triangles = sum(len(p.indices) for p in pieces)
    vertices = sum(len(p.positions) for p in pieces)
    positions = np.concatenate([p.positions for p in body])
    lo, hi = positions.min(axis=0), positions.max(axis=0)
    return CharacterBuild(
        glb,
        {
            "species": skeleton.kind,
            "joint_count": len(skeleton.names),
            "clips": [c.name for c in clips],
            "armor": [a.name for a in armor],
            "triangle_count": triangles,
            "vertex_count": vertices,
            "file_size": len(glb),
            "bounding_box": {"min": [float(v) for v in lo], "max": [float(v) for v in hi]},
            "build_ms": round((time.perf_counter() - started) * 1000, 1),
            "mixamo_mapped": sum(1 for n in skeleton.names if n in MIXAMO_NAMES),
        },
    )

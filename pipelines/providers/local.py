"""The offline, deterministic "local" provider: procedural meshes from prompt keywords."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import structlog

from pipelines.providers.base import (
    NO_REMOTE_TASKS,
    MeshResult,
    PresetSpec,
    ProgressCallback,
    ProviderCanceled,
    ProviderError,
    RemoteTasks,
    RetextureResult,
)
from pipelines.providers.procedural import geometry as g
from pipelines.providers.procedural.catalogue import KINDS, Ctx
from pipelines.providers.procedural.catalogue.compose import compose
from pipelines.providers.procedural.glb import (
    ROLE_KEY,
    SHARE_KEY,
    MaterialSpec,
    build_glb,
    material_json,
    pack_glb,
    unpack_glb,
)
from pipelines.providers.procedural.materials import (
    PROTECTED_ROLES,
    STYLES,
    hex_to_linear,
    linear_to_srgb,
    styled,
)
from pipelines.providers.procedural.prompt import Reading, read_prompt
from pipelines.providers.procedural.texture import pattern_png, texture_category

log = structlog.get_logger("pipelines.providers.local")

GENERATOR = "Forge local provider 1.0"
QUALITIES = ("draft", "standard", "high")

# Segments around a revolved part, per quality; low-poly stays faceted at every quality.
SEGMENTS = {
    "smooth": {"draft": 10, "standard": 24, "high": 48},
    "low_poly": {"draft": 6, "standard": 7, "high": 8},
    "voxel": {"draft": 10, "standard": 12, "high": 16},
}
# Rock subdivision levels and voxel grid cells along the longest side, per quality.
DETAIL = {"draft": 1, "standard": 2, "high": 3}
VOXELS = {"draft": 14, "standard": 26, "high": 42}

MODIFIER_NOTES = (
    ("ornate", "ornate details"),
    ("broken", "broken or worn"),
    ("round", "rounded shape"),
    ("glow", "glowing material"),
    ("two_handed", "two-handed proportions"),
    ("double", "doubled head"),
)

# Which material roles a preset fits, by the words of its slug, name and texture prompt.
PRESET_ROLES: tuple[tuple[frozenset[str], frozenset[str]], ...] = (
    (
        frozenset(
            "gold golden gilded iron steel bronze silver copper brass chrome metal metallic rust rusty platinum".split()
        ),
        frozenset({"metal", "trim"}),
    ),
    (
        frozenset(
            "oak ebony wood wooden walnut mahogany pine birch cedar bamboo timber plank".split()
        ),
        frozenset({"wood"}),
    ),
    (
        frozenset(
            "granite marble stone rock obsidian concrete brick cobble sandstone slate basalt".split()
        ),
        frozenset({"stone"}),
    ),
    (
        frozenset("leather velvet silk cloth fabric wool linen cotton denim canvas".split()),
        frozenset({"cloth", "leather"}),
    ),
    (
        frozenset("amethyst ruby sapphire emerald crystal jade diamond gem glass topaz".split()),
        frozenset({"gem", "glass"}),
    ),
    (frozenset("bone ivory".split()), frozenset({"bone"})),
    (frozenset("moss leaf leaves grass vine".split()), frozenset({"plant"})),
)
# Below this share of the surface, the parts a preset fits are too small to make a variant
# look different, and every unprotected part takes the preset instead.
MIN_VISIBLE_SHARE = 0.2


class LocalProvider:
    """Build game-ready GLBs procedurally from the prompt, with no network and no randomness beyond `seed`."""

    name = "local"

    def text_to_3d(
        self,
        *,
        prompt: str,
        negative_prompt: str,
        kind: str,
        art_style: str,
        quality: str,
        seed: int,
        should_cancel: Callable[[], bool],
        tasks: RemoteTasks = NO_REMOTE_TASKS,
        on_progress: ProgressCallback | None = None,
    ) -> MeshResult:
        """Build the object the prompt names (or a generic one for `kind`) and encode it as GLB."""
        started = time.perf_counter()
        if art_style not in STYLES:
            raise ProviderError(
                f"Unknown art style {art_style!r}.", code="invalid_request", service=self.name
            )
        if quality not in QUALITIES:
            raise ProviderError(
                f"Unknown quality {quality!r}.", code="invalid_request", service=self.name
            )

        def check() -> None:
            if should_cancel():
                raise ProviderCanceled(service=self.name)

        check()
        reading = read_prompt(prompt, negative_prompt, kind_hint=kind or None)
        object_kind = reading.kind
        shading = art_style if art_style in ("low_poly", "voxel") else "smooth"
        ctx = Ctx(
            reading,
            random.Random(int(seed)),
            SEGMENTS[shading][quality],
            check,
            DETAIL[quality] if art_style != "low_poly" else 1,
        )
        KINDS[object_kind].build(ctx)
        compose(ctx)
        parts = _place(ctx.parts, reading.size)
        check()
        if art_style == "voxel":
            extent = max(
                float(np.ptp(np.concatenate([p.shape.v for p in parts]), axis=0).max()), 1e-3
            )
            parts = g.voxelize(parts, extent / VOXELS[quality])
            check()
        flat = art_style in ("low_poly", "voxel")
        meshes = [g.finish(p, flat) for p in parts]
        used: list[str] = []
        for m in meshes:
            if m.material not in used:
                used.append(m.material)
        shares = _area_shares(meshes)
        materials = [
            replace(styled(name, ctx.looks[name], art_style), share=shares[name]) for name in used
        ]
        check()
        glb = build_glb(
            root_name=object_kind,
            meshes=meshes,
            materials=materials,
            generator=GENERATOR,
            extras={
                "forge": {
                    "object": object_kind,
                    "family": reading.family,
                    "asset_kind": reading.asset_kind,
                    "approximate": reading.approximate,
                    "style": art_style,
                    "quality": quality,
                    "seed": int(seed),
                }
            },
        )
        notes = _notes(reading, ctx.applied)
        triangles = sum(len(m.indices) // 3 for m in meshes)
        log.info(
            "provider.local.text_to_3d",
            object_kind=object_kind,
            approximate=reading.approximate,
            art_style=art_style,
            quality=quality,
            triangles=triangles,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return MeshResult(
            glb=glb,
            object_kind=object_kind,
            recognised=not reading.approximate,
            notes=notes,
            approximate=reading.approximate,
            reason=reading.reason,
            suggestions=list(reading.suggestions),
            asset_kind=reading.asset_kind,
            family=reading.family,
        )

    def retexture(
        self,
        *,
        glb: bytes,
        preset: PresetSpec,
        seed: int,
        should_cancel: Callable[[], bool],
        tasks: RemoteTasks = NO_REMOTE_TASKS,
        on_progress: ProgressCallback | None = None,
    ) -> RetextureResult:
        """Give every material of `glb` the preset's look, keeping the geometry untouched."""
        started = time.perf_counter()
        if should_cancel():
            raise ProviderCanceled(service=self.name)
        try:
            doc, binary = unpack_glb(glb)
            base = hex_to_linear(preset.base_color)
            emissive = hex_to_linear(preset.emissive) if preset.emissive else None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ProviderError(
                f"Cannot retexture: {exc}", code="invalid_request", service=self.name
            ) from exc
        targets = _preset_targets(doc, preset, base)
        contrast = _material_contrast(doc, targets)
        textured = _all_primitives_have_uvs(doc)
        if textured:
            png = pattern_png(
                texture_category(preset.slug, preset.name, preset.texture_prompt), seed
            )
            binary = _with_texture(doc, binary, png, preset.slug)
        materials = []
        for i, old in enumerate(doc.get("materials", [])):
            if i not in targets:
                materials.append(old)
                continue
            k = contrast.get(i, 1.0)
            spec = MaterialSpec(
                name=old.get("name", f"material_{i}"),
                base_color=(base[0] * k, base[1] * k, base[2] * k, 1.0),
                metallic=float(preset.metallic),
                roughness=float(preset.roughness),
                emissive=emissive,
            )
            new = material_json(spec)
            for keep in (
                "normalTexture",
                "occlusionTexture",
                "doubleSided",
                "extensions",
                "extras",
            ):
                if keep in old:
                    new[keep] = old[keep]
            if textured:
                new["pbrMetallicRoughness"]["baseColorTexture"] = {
                    "index": len(doc["textures"]) - 1
                }
            materials.append(new)
        if materials:
            doc["materials"] = materials
        if should_cancel():
            raise ProviderCanceled(service=self.name)
        binary = _compact(doc, binary)
        asset = doc.setdefault("asset", {"version": "2.0"})
        asset["generator"] = GENERATOR
        extras = doc.setdefault("extras", {})
        if isinstance(extras, dict):
            extras["forge_preset"] = preset.slug
        out = pack_glb(doc, binary)
        log.info(
            "provider.local.retexture",
            preset=preset.slug,
            materials=len(materials),
            recoloured=len(targets),
            textured=textured,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return RetextureResult(glb=out)


def _place(parts: list[g.Part], size: float) -> list[g.Part]:
    """Scale by the prompt's size words, rest the object on y=0 and centre it on the Y axis."""
    allv = np.concatenate([p.shape.v for p in parts])
    lo, hi = allv.min(axis=0), allv.max(axis=0)
    offset = np.array([-(lo[0] + hi[0]) / 2, -lo[1], -(lo[2] + hi[2]) / 2])
    out = []
    for p in parts:
        v = (p.shape.v + offset) * size
        out.append(g.Part(p.name, g.Shape(v, p.shape.f), p.material, p.flat, p.meta))
    return out


def _notes(reading: Reading, applied: set[str]) -> list[str]:
    """Say what was built (or why it is only approximate) and which words shaped it."""
    label = reading.kind.replace("_", " ")
    article = "an" if label[0] in "aeiou" else "a"
    if reading.approximate:
        notes = [reading.reason + "."]
    else:
        notes = [f"Built {article} {label} from the prompt."]
    done = [text for attr, text in MODIFIER_NOTES if getattr(reading, attr)]
    if reading.size != 1.0:
        done.append(f"size x{reading.size:.2f}")
    if reading.long != 1.0:
        done.append(f"length x{reading.long:.2f}")
    if reading.wide != 1.0:
        done.append(f"width x{reading.wide:.2f}")
    if reading.material_word:
        done.append(f"{reading.material_word} material")
    if reading.trim_material:
        done.append(f"{reading.trim_material.replace('_', ' ')} trim")
    if reading.color_word:
        done.append(f"{reading.color_word} colour")
    done += sorted(reading.conditions) + sorted(reading.styles)
    done += [f"combined with {trait}" for trait in reading.combine]
    done += sorted(applied)
    if done:
        notes.append("Applied: " + ", ".join(done) + ".")
    if reading.ignored:
        notes.append("Not used: " + ", ".join(reading.ignored) + ".")
    return notes


def _role(material: dict) -> str | None:
    extras = material.get("extras")
    return extras.get(ROLE_KEY) if isinstance(extras, dict) else None


def _preset_targets(doc: dict, preset: PresetSpec, base: tuple[float, float, float]) -> set[int]:
    """Return the indices of the materials `preset` recolours.

    Without roles (a GLB from elsewhere) every material. With roles, those the preset fits
    (gold: metal and trim; ebony: wood). When the object has none of them, when they cover
    too little of it, or when they already have the preset's colour, every material but
    skin, eyes and glowing parts takes it, so the variant always looks different.
    """
    materials = doc.get("materials", [])
    roles = {i: _role(m) for i, m in enumerate(materials)}
    if not any(roles.values()):
        return set(roles)
    words = set(
        " ".join((preset.slug, preset.name, preset.texture_prompt))
        .lower()
        .replace("-", " ")
        .replace(",", " ")
        .split()
    )
    fits: set[str] = set()
    for keys, fitting in PRESET_ROLES:
        if words & keys:
            fits |= fitting
    open_roles = {i for i, role in roles.items() if role not in PROTECTED_ROLES}
    targets = {i for i in open_roles if roles[i] in fits}
    share = sum(_share(materials[i]) for i in targets)
    if not targets or share < MIN_VISIBLE_SHARE or _already(materials, targets, base):
        targets = open_roles or set(roles)
    return targets


def _share(material: dict) -> float:
    extras = material.get("extras")
    value = extras.get(SHARE_KEY) if isinstance(extras, dict) else None
    return float(value) if isinstance(value, int | float) else 1.0


def _already(materials: list[dict], targets: set[int], base: tuple[float, float, float]) -> bool:
    """Return True when every target material is already about the preset's colour."""
    want = [linear_to_srgb(c) for c in base]
    for i in targets:
        color = materials[i].get("pbrMetallicRoughness", {}).get("baseColorFactor", [1, 1, 1, 1])
        have = [linear_to_srgb(c) for c in color[:3]]
        if sum((a - b) ** 2 for a, b in zip(have, want, strict=True)) ** 0.5 > 0.2:
            return False
    return True


def _area_shares(meshes: list[g.MeshData]) -> dict[str, float]:
    """Return each material's share of the object's total surface area."""
    areas: dict[str, float] = {}
    for mesh in meshes:
        tri = mesh.positions[mesh.indices.reshape(-1, 3)].astype(np.float64)
        area = 0.5 * np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
        areas[mesh.material] = areas.get(mesh.material, 0.0) + float(area.sum())
    total = sum(areas.values()) or 1.0
    return {name: area / total for name, area in areas.items()}


def _material_contrast(doc: dict, targets: set[int]) -> dict[int, float]:
    """Keep a little per-part contrast: the largest target material gets the exact colour."""
    tris: dict[int, int] = {}
    for mesh in doc.get("meshes", []):
        for prim in mesh.get("primitives", []):
            if "material" in prim:
                idx = prim.get("indices")
                count = doc["accessors"][idx]["count"] if idx is not None else 0
                tris[prim["material"]] = tris.get(prim["material"], 0) + count
    lum = {}
    for i, m in enumerate(doc.get("materials", [])):
        if i not in targets:
            continue
        c = m.get("pbrMetallicRoughness", {}).get("baseColorFactor", [1, 1, 1, 1])
        lum[i] = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    if not lum:
        return {}
    primary = max(sorted(lum), key=lambda i: tris.get(i, 0))
    ref = max(lum[primary], 1e-4)
    return {
        i: 1.0 if i == primary else round(min(1.0, max(0.6, 0.6 + 0.4 * (v / ref) ** 0.5)), 4)
        for i, v in lum.items()
    }


def _all_primitives_have_uvs(doc: dict) -> bool:
    prims = [p for m in doc.get("meshes", []) for p in m.get("primitives", [])]
    return bool(prims) and all("TEXCOORD_0" in p.get("attributes", {}) for p in prims)


def _with_texture(doc: dict, binary: bytes, png: bytes, slug: str) -> bytes:
    """Append `png` as the last image/texture of `doc` and return the grown BIN chunk."""
    pad = (-len(binary)) % 4
    offset = len(binary) + pad
    binary = binary + b"\x00" * pad + png
    views = doc.setdefault("bufferViews", [])
    views.append({"buffer": 0, "byteOffset": offset, "byteLength": len(png)})
    images = doc.setdefault("images", [])
    images.append(
        {"name": f"{slug}_pattern", "bufferView": len(views) - 1, "mimeType": "image/png"}
    )
    samplers = doc.setdefault("samplers", [])
    samplers.append({"magFilter": 9729, "minFilter": 9987, "wrapS": 10497, "wrapT": 10497})
    textures = doc.setdefault("textures", [])
    textures.append(
        {"name": f"{slug}_pattern", "sampler": len(samplers) - 1, "source": len(images) - 1}
    )
    if not doc.get("buffers"):
        doc["buffers"] = [{"byteLength": 0}]
    return binary


def _texture_refs(doc: dict) -> set[int]:
    refs: set[int] = set()
    for m in doc.get("materials", []):
        for holder in (m, m.get("pbrMetallicRoughness", {})):
            for key, value in holder.items():
                if key.endswith("Texture") and isinstance(value, dict) and "index" in value:
                    refs.add(value["index"])
    return refs


def _compact(doc: dict, binary: bytes) -> bytes:
    """Drop textures, images, samplers and buffer views nothing refers to; rebuild the BIN chunk."""
    used_tex = sorted(_texture_refs(doc))
    textures = doc.get("textures", [])
    tex_map = {old: new for new, old in enumerate(used_tex)}
    for m in doc.get("materials", []):
        for holder in (m, m.get("pbrMetallicRoughness", {})):
            for key, value in holder.items():
                if key.endswith("Texture") and isinstance(value, dict) and "index" in value:
                    value["index"] = tex_map[value["index"]]
    textures = [textures[i] for i in used_tex]
    img_used = sorted({t["source"] for t in textures if "source" in t})
    smp_used = sorted({t["sampler"] for t in textures if "sampler" in t})
    img_map = {o: n for n, o in enumerate(img_used)}
    smp_map = {o: n for n, o in enumerate(smp_used)}
    for t in textures:
        if "source" in t:
            t["source"] = img_map[t["source"]]
        if "sampler" in t:
            t["sampler"] = smp_map[t["sampler"]]
    images = [doc["images"][i] for i in img_used]
    samplers = [doc["samplers"][i] for i in smp_used]
    for key, items in (("textures", textures), ("images", images), ("samplers", samplers)):
        if items:
            doc[key] = items
        else:
            doc.pop(key, None)
    views = doc.get("bufferViews", [])
    used_views = set()
    for acc in doc.get("accessors", []):
        if "bufferView" in acc:
            used_views.add(acc["bufferView"])
        sparse = acc.get("sparse")
        if sparse:
            used_views.add(sparse["indices"]["bufferView"])
            used_views.add(sparse["values"]["bufferView"])
    for img in images:
        if "bufferView" in img:
            used_views.add(img["bufferView"])
    # Views of other buffers are left as they are; only the GLB's own buffer 0 is rebuilt.
    used_views |= {i for i, v in enumerate(views) if v.get("buffer", 0) != 0}
    order = sorted(used_views)
    view_map = {o: n for n, o in enumerate(order)}
    chunks: list[bytes] = []
    length = 0
    new_views = []
    for o in order:
        v = dict(views[o])
        if v.get("buffer", 0) == 0:
            start = v.get("byteOffset", 0)
            data = binary[start : start + v["byteLength"]]
            pad = (-length) % 4
            chunks.append(b"\x00" * pad)
            length += pad
            v["byteOffset"] = length
            chunks.append(data)
            length += len(data)
        new_views.append(v)
    for acc in doc.get("accessors", []):
        if "bufferView" in acc:
            acc["bufferView"] = view_map[acc["bufferView"]]
        sparse = acc.get("sparse")
        if sparse:
            sparse["indices"]["bufferView"] = view_map[sparse["indices"]["bufferView"]]
            sparse["values"]["bufferView"] = view_map[sparse["values"]["bufferView"]]
    for img in images:
        if "bufferView" in img:
            img["bufferView"] = view_map[img["bufferView"]]
    doc["bufferViews"] = new_views
    new_bin = b"".join(chunks)
    if doc.get("buffers"):
        doc["buffers"][0] = {k: v for k, v in doc["buffers"][0].items() if k != "uri"}
        doc["buffers"][0]["byteLength"] = len(new_bin)
    return new_bin

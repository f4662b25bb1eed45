"""Merge one GLB per material variant into a single GLB with `KHR_materials_variants`.

The inputs share their geometry (same meshes and primitives in the same order) and differ in
materials and textures, as the generation pipeline's retextured variants do. The first file
is the base: its materials stay each primitive's default, and every file's materials and
textures are appended and mapped per primitive to the variant that uses them. Identical
materials (same JSON, same texture bytes) are stored once and mapped to several variants.
The extension goes in `extensionsUsed` only, so viewers without it still show the default.

Merge last: a trimesh round trip after this drops the per-primitive mappings.
"""

import copy
import dataclasses
import hashlib
import json

from pygltflib import GLTF2, Image, Texture

from pipelines.stages.export.errors import ExportInputError
from pipelines.stages.export.gltfdoc import (
    VARIANTS,
    append_view,
    gltf_load,
    gltf_to_glb,
    set_blob,
    view_bytes,
)

TEXTURE_KEYS = ("baseColorTexture", "metallicRoughnessTexture")
MATERIAL_TEXTURE_KEYS = ("normalTexture", "occlusionTexture", "emissiveTexture")


def merge_variants(base_glb: bytes, variants: list[tuple[str, bytes]]) -> bytes:
    """Return `base_glb` carrying every `(name, glb)` variant's materials as variant `name`.

    `base_glb` gives the geometry and the default look; it is usually the first variant's
    file. Variants it already carries (a published asset's GLB) are replaced by `variants`. Raise ExportInputError when a variant's geometry does not match the base's, when
    names repeat or are blank, or when there is no variant.
    """
    if not variants:
        raise ExportInputError("At least one variant is needed to merge variants.")
    names = [name for name, _ in variants]
    if any(not isinstance(n, str) or not n.strip() for n in names):
        raise ExportInputError("Every variant needs a name.")
    if len(set(names)) != len(names):
        # model-viewer renames duplicates ("Gold.1"), so the UI's names would not match.
        raise ExportInputError("Variant names must be unique.", details={"names": names})
    base = gltf_load(base_glb)
    _variants_strip(base)
    shape = _primitive_shape(base)
    blob = bytearray(base.binary_blob() or b"")
    known: dict[str, int] = {}  # material fingerprint -> index in base.materials
    base_bytes = bytes(blob)
    for index, material in enumerate(base.materials):
        known.setdefault(_fingerprint(base, base_bytes, material), index)
    # (mesh, primitive) -> {material index: [variant indices]}
    table: dict[tuple[int, int], dict[int, list[int]]] = {(m, p): {} for m, p, _ in shape}

    for number, (name, glb) in enumerate(variants):
        source = gltf_load(glb)
        if _primitive_shape(source) != shape:
            raise ExportInputError(
                f"Variant {name!r} does not have the same meshes as the base model."
            )
        source_blob = source.binary_blob() or b""
        material_map = _import_materials(base, blob, source, source_blob, known)
        for mesh_index, mesh in enumerate(source.meshes):
            for primitive_index, primitive in enumerate(mesh.primitives):
                if primitive.material is None:
                    continue
                mapping = table[(mesh_index, primitive_index)]
                mapping.setdefault(material_map[primitive.material], []).append(number)

    for (mesh_index, primitive_index), mapping in table.items():
        primitive = base.meshes[mesh_index].primitives[primitive_index]
        if not mapping:
            continue
        extensions = dict(primitive.extensions or {})
        extensions[VARIANTS] = {
            "mappings": [{"material": m, "variants": vs} for m, vs in mapping.items()]
        }
        primitive.extensions = extensions
    base.extensions = dict(base.extensions or {})
    base.extensions[VARIANTS] = {"variants": [{"name": name} for name in names]}
    base.extensionsUsed = [*(base.extensionsUsed or []), VARIANTS]
    set_blob(base, bytes(blob))
    return gltf_to_glb(base)


def _variants_strip(document: GLTF2) -> None:
    """Drop the variant mappings `document` carries; its default materials stay as they are."""
    if VARIANTS not in (document.extensionsUsed or []):
        return
    for mesh in document.meshes:
        for primitive in mesh.primitives:
            if primitive.extensions and VARIANTS in primitive.extensions:
                primitive.extensions = {
                    k: v for k, v in primitive.extensions.items() if k != VARIANTS
                }
    if document.extensions and VARIANTS in document.extensions:
        document.extensions = {k: v for k, v in document.extensions.items() if k != VARIANTS}
    document.extensionsUsed = [name for name in document.extensionsUsed if name != VARIANTS]


def _primitive_shape(document: GLTF2) -> list[tuple[int, int, int]]:
    """Return the (mesh, primitive) keys with their vertex count, which variants must share."""
    shape = []
    for mesh_index, mesh in enumerate(document.meshes):
        for primitive_index, primitive in enumerate(mesh.primitives):
            position = primitive.attributes.POSITION
            count = document.accessors[position].count if position is not None else 0
            shape.append((mesh_index, primitive_index, count))
    return shape


def _texture_refs(material) -> list:
    """Every textureInfo object of `material`, core and in extensions (dicts)."""
    refs = []
    pbr = material.pbrMetallicRoughness
    if pbr is not None:
        refs += [getattr(pbr, key) for key in TEXTURE_KEYS if getattr(pbr, key) is not None]
    refs += [getattr(material, key) for key in MATERIAL_TEXTURE_KEYS if getattr(material, key)]
    for extension in (material.extensions or {}).values():
        if isinstance(extension, dict):
            refs += [v for v in extension.values() if isinstance(v, dict) and "index" in v]
    return refs


def _ref_index(ref) -> int:
    return ref["index"] if isinstance(ref, dict) else ref.index


def _set_ref_index(ref, index: int) -> None:
    if isinstance(ref, dict):
        ref["index"] = index
    else:
        ref.index = index


def _fingerprint(document: GLTF2, blob: bytes, material) -> str:
    """Identify a material by its fields with each texture replaced by its image's bytes.

    Read as plain dicts (`dataclasses.asdict`, a copy), not through dataclasses_json's
    `to_dict`, which cost more than the rest of a merge.
    """
    fields = dataclasses.asdict(material)
    for ref in _texture_ref_dicts(fields):
        texture = document.textures[ref["index"]]
        image = document.images[texture.source] if texture.source is not None else None
        data = (
            view_bytes(document, blob, image.bufferView)
            if image and image.bufferView is not None
            else b""
        )
        sampler = (
            dataclasses.asdict(document.samplers[texture.sampler])
            if texture.sampler is not None
            else {}
        )
        digest = hashlib.sha256(data + json.dumps(sampler, sort_keys=True).encode()).hexdigest()
        ref["index"] = digest
    return json.dumps(fields, sort_keys=True, default=str)


def _texture_ref_dicts(material: dict) -> list[dict]:
    """`_texture_refs` of a material read as a dict."""
    refs = []
    pbr = material.get("pbrMetallicRoughness") or {}
    refs += [pbr[key] for key in TEXTURE_KEYS if pbr.get(key) is not None]
    refs += [material[key] for key in MATERIAL_TEXTURE_KEYS if material.get(key)]
    for extension in (material.get("extensions") or {}).values():
        if isinstance(extension, dict):
            refs += [v for v in extension.values() if isinstance(v, dict) and "index" in v]
    return refs


def _import_materials(
    base: GLTF2, blob: bytearray, source: GLTF2, source_blob: bytes, known: dict[str, int]
) -> dict[int, int]:
    """Append `source`'s materials (and their textures) to `base`; return old -> new index."""
    material_map: dict[int, int] = {}
    texture_map: dict[int, int] = {}
    for index, material in enumerate(source.materials):
        key = _fingerprint(source, source_blob, material)
        if key in known:
            material_map[index] = known[key]
            continue
        clone = copy.deepcopy(material)
        for ref in _texture_refs(clone):
            old = _ref_index(ref)
            if old not in texture_map:
                texture_map[old] = _import_texture(base, blob, source, source_blob, old)
            _set_ref_index(ref, texture_map[old])
        base.materials.append(clone)
        known[key] = material_map[index] = len(base.materials) - 1
    return material_map


def _import_texture(
    base: GLTF2, blob: bytearray, source: GLTF2, source_blob: bytes, index: int
) -> int:
    texture = source.textures[index]
    new = Texture(name=texture.name)
    if texture.sampler is not None:
        base.samplers.append(copy.deepcopy(source.samplers[texture.sampler]))
        new.sampler = len(base.samplers) - 1
    if texture.source is not None:
        image = source.images[texture.source]
        if image.bufferView is None:
            raise ExportInputError("Variant textures must be embedded in the GLB.")
        view = append_view(base, blob, view_bytes(source, source_blob, image.bufferView))
        base.images.append(Image(bufferView=view, mimeType=image.mimeType, name=image.name))
        new.source = len(base.images) - 1
    base.textures.append(new)
    return len(base.textures) - 1

"""`glb_parse` and `gltf_to_glb` read and write exactly as pygltflib's own reader and writer."""

import json
import struct

import pytest
from pygltflib import GLTF2

from pipelines.stages.export.gltfdoc import glb_parse, gltf_load, gltf_to_glb
from pipelines.stages.export.variants import merge_variants
from tests.assets import glb_samples


def _tree(value):
    """Every object, field, list and number of a document, with its exact type."""
    if hasattr(value, "__dataclass_fields__"):
        fields = {name: _tree(getattr(value, name)) for name in value.__dataclass_fields__}
        return (type(value).__name__, fields)
    if type(value).__name__ == "Attributes":
        return ("Attributes", _tree(dict(value.__dict__)))
    if isinstance(value, list):
        return [_tree(v) for v in value]
    if isinstance(value, dict):
        return {k: _tree(v) for k, v in value.items()}
    return (type(value).__name__, value)


def _same(glb: bytes) -> None:
    ours, theirs = glb_parse(glb), GLTF2.load_from_bytes(glb)
    assert _tree(ours) == _tree(theirs)
    assert ours.binary_blob() == theirs.binary_blob()
    assert ours.to_json() == theirs.to_json()
    written = b"".join(theirs.save_to_bytes())
    assert b"".join(ours.save_to_bytes()) == written
    assert gltf_to_glb(ours) == written  # our faster JSON step, byte for byte
    assert gltf_to_glb(ours) == written  # and the document is left as it was
    assert not hasattr(ours, "__dict__") or "gltf_to_json" not in ours.__dict__


def _glb(document: dict, blob: bytes = b"") -> bytes:
    text = json.dumps(document).encode()
    text += b" " * (-len(text) % 4)
    blob += b"\x00" * (-len(blob) % 4)
    chunks = struct.pack("<I4s", len(text), b"JSON") + text
    if blob:
        chunks += struct.pack("<I4s", len(blob), b"BIN\x00") + blob
    return b"glTF" + struct.pack("<II", 2, 12 + len(chunks)) + chunks


@pytest.mark.parametrize(
    "make",
    [
        glb_samples.box_glb,
        glb_samples.sphere_glb,
        glb_samples.two_part_glb,
        glb_samples.occlusion_glb,
        glb_samples.vertex_color_glb,
        glb_samples.textured_glb,
        glb_samples.sword_glb,
    ],
)
def test_sample_models_read_the_same(make):
    _same(make())


def test_generated_retextured_merged_and_rigged_models_read_the_same(
    knight_glb, variant_glbs, rigged_glb
):
    _same(knight_glb)
    for _, glb in variant_glbs:
        _same(glb)
    _same(merge_variants(knight_glb, variant_glbs))  # KHR_materials_variants everywhere
    _same(rigged_glb)  # skins, joints, weights, animations


def test_odd_but_readable_json_reads_the_same():
    # Numbers in the other JSON type, numbers as text, explicit nulls, unknown keys, extras,
    # extensions, custom and morph-target attributes, an empty attributes object.
    document = {
        "asset": {"version": 2, "generator": 7, "extras": {"k": [1, {"x": None}]}},
        "scene": 0.0,
        "scenes": [{"nodes": [0], "unknown": True}],
        "nodes": [{"mesh": 0, "translation": [1, 2, 3], "scale": ["1.5", 2, 3], "name": None}],
        "meshes": [
            {
                "primitives": [
                    {
                        "attributes": {"POSITION": 0, "_CUSTOM": 1},
                        "targets": [{"POSITION": 1}],
                        "mode": 4.0,
                    },
                    {"attributes": {}, "material": None},
                ],
                "weights": [0, 0.5],
            }
        ],
        "materials": [
            {
                "pbrMetallicRoughness": {"baseColorFactor": [1, 0, 0, 1], "metallicFactor": 0},
                "doubleSided": 1,
                "extensions": {"KHR_materials_emissive_strength": {"emissiveStrength": 2}},
            }
        ],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3", "max": [1, 1, 1]},
            {"componentType": 5126, "count": 3.0, "type": "VEC3", "min": [0, 0, 0]},
        ],
        "bufferViews": [{"buffer": 0, "byteLength": 36}],
        "buffers": [{"byteLength": 36}],
        "extensionsUsed": ["KHR_materials_emissive_strength"],
        "whatever": {"ignored": 1},
    }
    _same(_glb(document, bytes(36)))


@pytest.mark.parametrize(
    "glb",
    [
        b"glTF" + struct.pack("<II", 2, 20) + struct.pack("<I4s", 2, b"JSON"),  # cut short
        _glb({"meshes": "not a list of meshes"}),
        _glb({"meshes": [{"primitives": [{"attributes": 5}]}]}),
        _glb({"accessors": [{"count": "many"}]}),
        _glb({"asset": [1, 2]}),
        b"glTF" + struct.pack("<II", 2, 12),  # no JSON chunk
        _glb({"asset": {"version": "2.0"}})[:-3] + b"\xff\xfe\xfd",  # not UTF-8
    ],
)
def test_unreadable_files_are_a_clear_export_error(glb):
    from pipelines.stages.export.errors import ExportInputError

    with pytest.raises(ExportInputError, match="could not be read"):
        gltf_load(glb)

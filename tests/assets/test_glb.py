"""Validate and measure GLB files: counts, world-space bounds, and every rejection message."""

import copy
import hashlib
import io
import random
import struct
import time
import tracemalloc

import numpy as np
import pytest
import trimesh

from assets.glb import GlbInvalidError, glb_inspect, glb_load_scene
from forge.exceptions import ValidationFailedError
from tests.assets.glb_samples import (
    box_glb,
    glb_from_json,
    sphere_glb,
    split_glb,
    sword_glb,
    two_part_glb,
)


def _trimesh_scene(data: bytes) -> trimesh.Scene:
    return trimesh.load(io.BytesIO(data), file_type="glb", force="scene")


def _rejection(data: bytes, **kwargs) -> GlbInvalidError:
    with pytest.raises(GlbInvalidError) as caught:
        glb_inspect(data, **kwargs)
    return caught.value


def _edited(data: bytes, edit) -> bytes:
    document, binary = split_glb(data)
    edit(document)
    return glb_from_json(document, binary)


def test_box_counts_and_bounds_match_trimesh():
    data = box_glb(size=(1, 2, 3))
    info = glb_inspect(data)
    scene = _trimesh_scene(data)
    meshes = scene.dump()
    assert info.triangle_count == 12 == sum(len(mesh.faces) for mesh in meshes)
    assert info.vertex_count == sum(len(mesh.vertices) for mesh in meshes)
    assert info.bounding_box == {"min": [-0.5, -1.0, -1.5], "max": [0.5, 1.0, 1.5]}
    assert np.allclose(scene.bounds, [info.bounding_box["min"], info.bounding_box["max"]])
    assert (info.mesh_count, info.material_count) == (1, 1)
    assert info.generator == "https://github.com/mikedh/trimesh"


def test_sphere_counts_match_trimesh():
    data = sphere_glb(subdivisions=3)
    info = glb_inspect(data)
    mesh = _trimesh_scene(data).dump()[0]
    assert (info.vertex_count, info.triangle_count) == (len(mesh.vertices), len(mesh.faces))
    assert info.triangle_count == 1280


def test_hash_and_size_describe_the_exact_bytes():
    data = box_glb()
    info = glb_inspect(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.file_size == len(data)


def test_node_transforms_move_the_bounding_box():
    info = glb_inspect(two_part_glb())
    assert info.bounding_box == {"min": [-0.5, -0.5, -0.5], "max": [3.5, 0.5, 0.5]}
    assert info.triangle_count == 24
    assert set(info.node_names) >= {"part_0", "part_1"}


def test_rotated_and_nested_nodes_match_trimesh_bounds():
    def nest(document):
        # Put the box under a parent that rotates 90 degrees about Z and lifts it by 10.
        document["nodes"].append(
            {"name": "parent", "children": [0], "translation": [0, 10, 0],
             "rotation": [0, 0, 0.7071067811865476, 0.7071067811865476]}
        )  # fmt: skip
        document["scenes"][0]["nodes"] = [len(document["nodes"]) - 1]

    data = _edited(box_glb(size=(1, 2, 3)), nest)
    info = glb_inspect(data)
    assert info.bounding_box == {"min": [-1.0, 9.5, -1.5], "max": [1.0, 10.5, 1.5]}
    assert np.allclose(_trimesh_scene(data).bounds, list(info.bounding_box.values()))


def test_a_mesh_placed_twice_is_counted_twice():
    def instance_twice(document):
        document["nodes"].append({"mesh": 0, "translation": [5, 0, 0]})
        document["scenes"][0]["nodes"].append(len(document["nodes"]) - 1)

    info = glb_inspect(_edited(box_glb(size=(1, 1, 1)), instance_twice))
    assert info.triangle_count == 24
    assert info.bounding_box["max"] == [5.5, 0.5, 0.5]


def test_multi_part_model_counts_every_part():
    data = sword_glb()
    info = glb_inspect(data)
    assert info.triangle_count == sum(len(m.faces) for m in _trimesh_scene(data).dump())
    assert info.mesh_count == 4


def test_invalid_error_is_a_validation_error_naming_the_file_field():
    error = _rejection(b"not a glb at all, clearly")
    assert isinstance(error, ValidationFailedError)
    assert error.code == "validation_failed" and error.status_code == 400
    assert error.details == {"file": [error.message], "reason": "bad_magic"}


def test_size_limit_is_checked_first():
    error = _rejection(b"\0" * (50 * 1024 * 1024 + 1), max_size=50 * 1024 * 1024)
    assert error.message == "The file is larger than the 50 MB limit."
    assert error.details["reason"] == "too_large"
    data = box_glb()
    assert glb_inspect(data, max_size=len(data)).file_size == len(data)
    assert _rejection(data, max_size=len(data) - 1).details["reason"] == "too_large"


@pytest.mark.parametrize(
    ("mutate", "message", "reason"),
    [
        (lambda d: d[:10], "The file is too short to be a GLB (10 bytes; a GLB has at least 20).",
         "too_short"),
        (lambda d: b"GLTF" + d[4:], "Not a GLB file: the first four bytes are not 'glTF'.",
         "bad_magic"),
        (lambda d: d[:4] + struct.pack("<I", 1) + d[8:],
         "Unsupported GLB version 1; only glTF 2.0 binary (version 2) is accepted.",
         "bad_version"),
        (lambda d: d[:8] + struct.pack("<I", 1234) + d[12:],
         "The GLB header says 1234 bytes but the file has {size}.", "length_mismatch"),
        (lambda d: d[:-4], "The GLB header says {full} bytes but the file has {size}.",
         "length_mismatch"),
        (lambda d: d[:16] + b"BIN\0" + d[20:], "The JSON chunk is missing or not valid JSON.",
         "bad_json"),
        (lambda d: d[:12] + struct.pack("<I", 0xFFFFFFF0) + d[16:],
         "The JSON chunk is missing or not valid JSON.", "bad_json"),
        (lambda d: d[:20] + b"{not json" + d[29:], "The JSON chunk is missing or not valid JSON.",
         "bad_json"),
    ],
)  # fmt: skip
def test_container_errors_say_what_is_wrong(mutate, message, reason):
    full = box_glb()
    data = mutate(full)
    error = _rejection(data)
    assert error.message == message.format(size=len(data), full=len(full))
    assert error.details == {"file": [error.message], "reason": reason}


def test_json_that_is_not_an_object_is_rejected():
    assert _rejection(glb_from_json([1, 2, 3])).details["reason"] == "bad_json"  # type: ignore[arg-type]


def _set(path, value):
    def edit(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "message", "reason"),
    [
        (_set(["asset", "version"], "1.0"), "Not a glTF 2.0 document (asset.version is '1.0').",
         "bad_asset_version"),
        (lambda d: d.pop("asset"), "Not a glTF 2.0 document (asset.version is missing).",
         "bad_asset_version"),
        (lambda d: d.pop("meshes"), "The file contains no meshes.", "no_meshes"),
        (_set(["meshes", 0, "primitives", 0, "mode"], 0),
         "The file contains no triangles: no mesh has a TRIANGLES primitive with POSITION data.",
         "no_triangles"),
        (_set(["accessors", 1, "count"], 1000), "Accessor 1 reads past the end of its buffer.",
         "out_of_range"),
        (_set(["accessors", 1, "byteOffset"], 2**40), "Accessor 1 reads past the end of its buffer.",
         "out_of_range"),
        (_set(["accessors", 1, "count"], -5), "Accessor 1 has an invalid count -5.",
         "bad_accessor"),
        (_set(["bufferViews", 1, "byteLength"], 2**50),
         "Buffer view 1 reads past the end of its buffer.", "out_of_range"),
        (_set(["buffers", 0, "byteLength"], 10**9),
         "Buffer 0 says 1000000000 bytes but the BIN chunk has 240.", "bad_buffer"),
        (_set(["buffers", 0, "uri"], "model.bin"),
         "Buffer 0 refers to an external file; a GLB must be self-contained.",
         "external_buffer"),
        (_set(["buffers", 0, "uri"], "data:application/octet-stream;base64,AAAA"),
         "Buffer 0 is a data: URI; a GLB must keep its binary data in the BIN chunk.",
         "external_buffer"),
        (lambda d: d["images"].append({"uri": "texture.png"}) if "images" in d
         else d.update(images=[{"uri": "texture.png"}]),
         "Image 0 refers to an external file; a GLB must embed its images through buffer views.",
         "external_image"),
        (_set(["meshes", 0, "primitives", 0, "indices"], 7),
         "Primitive 0 of mesh 0 refers to accessor 7, which does not exist.", "bad_reference"),
        (_set(["meshes", 0, "primitives", 0, "material"], 3),
         "Primitive 0 of mesh 0 refers to material 3, which does not exist.", "bad_reference"),
        (_set(["accessors", 1, "componentType"], 5125),
         "Primitive 0 of mesh 0 has POSITION data that is not float VEC3.", "bad_mesh"),
        (_set(["nodes", 0, "children"], [0]), "Node 0 has more than one parent.", "bad_node"),
        (_set(["nodes", 0, "matrix"], [1, 0, 0]), "Node 0 has an invalid matrix.", "bad_node"),
        (_set(["scenes", 0, "nodes"], []),
         "The scene shows no triangles: no node places a mesh with a TRIANGLES primitive.",
         "empty_scene"),
        (_set(["scene"], 4), "The document refers to scene 4, which does not exist.",
         "bad_reference"),
    ],
)  # fmt: skip
def test_document_errors_say_what_is_wrong(edit, message, reason):
    error = _rejection(_edited(box_glb(size=(1, 1, 1), color=(255, 0, 0, 255)), edit))
    assert error.message == message
    assert error.details["reason"] == reason


def test_indices_past_the_vertices_are_rejected():
    document, binary = split_glb(box_glb())
    indices = bytearray(binary)
    indices[0:4] = struct.pack("<I", 99)  # the first index of the box's index buffer
    error = _rejection(glb_from_json(document, bytes(indices)))
    assert error.message == "Primitive 0 of mesh 0 has an index past the end of its vertices."


def test_non_finite_positions_are_rejected():
    document, binary = split_glb(box_glb())
    start = document["bufferViews"][1]["byteOffset"]
    patched = bytearray(binary)
    patched[start : start + 4] = struct.pack("<f", float("nan"))
    error = _rejection(glb_from_json(document, bytes(patched)))
    assert error.message == "Accessor 1 holds positions that are not finite numbers."


def test_huge_declared_sizes_in_a_tiny_file_allocate_nothing_big():
    small = box_glb()
    cases = [
        _edited(small, _set(["accessors", 1, "count"], 2**62)),
        _edited(small, _set(["bufferViews", 0, "byteLength"], 2**62)),
        _edited(small, _set(["buffers", 0, "byteLength"], 2**62)),
        small[:12] + struct.pack("<I", 2**32 - 1) + small[16:],
        small[:8] + struct.pack("<I", 2**32 - 1) + small[12:],
    ]
    tracemalloc.start()
    try:
        for data in cases:
            with pytest.raises(GlbInvalidError):
                glb_inspect(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024


_JUNK = [None, True, -1, 0, 2**63, 2**31 - 1, 1.5, float("inf"), "x", [], {}, [1, 2], {"a": 1}]


def _json_mutation(document, rng):
    """Replace one random value somewhere in `document` with junk."""
    node = document
    path = []
    while isinstance(node, dict | list) and node and (not path or rng.random() < 0.7):
        key = rng.choice(list(node.keys())) if isinstance(node, dict) else rng.randrange(len(node))
        path.append((node, key))
        node = node[key]
    if path:
        parent, key = path[-1]
        parent[key] = copy.deepcopy(rng.choice(_JUNK))


def test_fuzzed_files_only_ever_raise_glb_invalid_error():
    seeds = [box_glb(), two_part_glb(), sword_glb()]
    rng = random.Random(1234)
    deadline = time.monotonic() + 4.0
    outcomes = {"ok": 0, "invalid": 0}
    tried = 0
    while tried < 4000 and time.monotonic() < deadline:
        tried += 1
        data = bytearray(rng.choice(seeds))
        kind = rng.randrange(6)
        if kind == 0:
            data = data[: rng.randrange(len(data))]
        elif kind == 1:
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif kind == 2:
            position = (
                rng.choice([8, 12, 16]) if rng.random() < 0.5 else rng.randrange(len(data) - 4)
            )
            data[position : position + 4] = struct.pack("<I", rng.choice([0, 2**31, 2**32 - 1, 7]))
        elif kind == 3:
            data = bytearray(rng.randbytes(rng.randrange(64)))
            if rng.random() < 0.5:
                data[:12] = struct.pack("<4sII", b"glTF", 2, len(data))
        else:
            document, binary = split_glb(bytes(data))
            for _ in range(rng.randint(1, 3)):
                _json_mutation(document, rng)
            data = glb_from_json(document, binary)
        try:
            glb_inspect(bytes(data))
            outcomes["ok"] += 1
        except GlbInvalidError as error:
            assert error.details["file"] == [error.message]
            outcomes["invalid"] += 1
    assert tried >= 500
    assert outcomes["invalid"] > 0 and outcomes["ok"] > 0


def test_load_scene_returns_a_trimesh_scene_with_transforms_applied():
    scene = glb_load_scene(two_part_glb())
    assert isinstance(scene, trimesh.Scene)
    assert np.allclose(scene.bounds, [[-0.5, -0.5, -0.5], [3.5, 0.5, 0.5]])
    with pytest.raises(GlbInvalidError):
        glb_load_scene(b"glTF")

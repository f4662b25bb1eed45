"""FBX through Blender, read back by Blender and by Debian's assimp."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pygltflib
import pytest

from assets.glb import glb_inspect
from pipelines.stages.export import (
    FORMATS,
    ExportInputError,
    ExportToolError,
    ExportToolMissingError,
    fbx_available,
    format_write,
    glb_to_fbx,
)
from pipelines.stages.export.fbx import blender_python

READER = Path(__file__).with_name("blender_read_fbx.py")


@pytest.fixture
def blender():
    """Blender is an optional extra: CI (`make test`) installs it; elsewhere it may be absent."""
    if not fbx_available():
        message = "Blender is not installed: run `make blender` for the FBX tests."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def read_back(fbx: bytes, tmp_path) -> dict:
    path = tmp_path / "model.fbx"
    path.write_bytes(fbx)
    proc = subprocess.run(
        [str(blender_python()), str(READER), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def assimp_info(fbx: bytes, tmp_path) -> dict[str, str]:
    """Run `assimp info` (Debian assimp-utils) and return its summary fields."""
    if shutil.which("assimp") is None:
        message = "assimp is not installed: `make test` installs assimp-utils."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    path = tmp_path / "model.fbx"
    path.write_bytes(fbx)
    proc = subprocess.run(
        ["assimp", "info", str(path)], capture_output=True, text=True, timeout=60, check=True
    )
    return dict(re.findall(r"^([A-Z][\w .()]+):\s+(\S+)$", proc.stdout, re.M))


def test_rigged_model_keeps_its_skeleton_clips_and_texture(blender, rigged_glb, tmp_path):
    written = format_write(rigged_glb, "fbx", name="arm")
    assert written.filename == "arm.fbx"
    assert written.content[:18] == b"Kaydara FBX Binary"
    found = read_back(written.content, tmp_path)
    assert found["armatures"] == [{"name": "rig", "bones": ["lower", "upper"]}]
    assert [a.split("|")[-1] for a in found["actions"]] == ["bend", "twist"]
    (mesh,) = found["meshes"]
    assert mesh["triangles"] == 1536
    assert mesh["uv_layers"] == 1
    assert mesh["skinned"] is True
    assert [image["size"] for image in mesh["images"]] == [[64, 64]]
    # Blender's bone-display helper from the glTF import is not shipped.
    assert not any(name.startswith("Icosphere") for name in found["objects"])
    info = assimp_info(written.content, tmp_path)
    assert info["Meshes"] == "1" and info["Faces"] == "1536"
    assert info["Bones"] == "2" and info["Animations"] == "2"
    assert info["Textures (embed.)"] == "1"


def test_generated_asset_keeps_every_part_and_its_tinted_texture(blender, variant_glbs, tmp_path):
    glb = variant_glbs[0][1]  # gold: a pattern texture tinted by a gold base colour factor
    found = read_back(glb_to_fbx(glb), tmp_path)
    info = glb_inspect(glb)
    assert len(found["meshes"]) == len(info.node_names) - 1
    assert sum(m["triangles"] for m in found["meshes"]) == info.triangle_count
    # Only the parts the preset fits (metal, trim) are tinted gold; the rest keep their look.
    for mesh in found["meshes"]:
        assert mesh["uv_layers"] == 1
        assert len(mesh["images"]) <= 1
    images = [image for mesh in found["meshes"] for image in mesh["images"]]
    assert len(images) == _textured_primitives(glb)
    assert all(image["size"] == [64, 64] for image in images)
    golden = [
        i for i in images if i["mean"][0] > 1.5 * i["mean"][2] and i["mean"][1] > 1.2 * i["mean"][2]
    ]
    assert golden  # the tint was baked in: still gold, not the bare pattern
    assert found["armatures"] == [] and found["actions"] == []


def test_fbx_is_listed_with_its_availability():
    assert FORMATS["fbx"].extension == "fbx"
    assert FORMATS["fbx"].available() is fbx_available()


def test_missing_blender_is_a_clear_error(settings, torus_glb, tmp_path):
    settings.FORGE_BLENDER_PYTHON = str(tmp_path / "no-such-python")
    assert fbx_available() is False
    assert FORMATS["fbx"].available() is False
    with pytest.raises(ExportToolMissingError, match="make blender") as caught:
        glb_to_fbx(torus_glb)
    assert caught.value.retryable is False


def test_a_python_without_bpy_is_a_clear_error(settings, torus_glb):
    settings.FORGE_BLENDER_PYTHON = shutil.which("python3")
    with pytest.raises(ExportToolMissingError, match="make blender"):
        glb_to_fbx(torus_glb)


def test_blender_past_its_timeout_is_an_error(blender, torus_glb):
    with pytest.raises(ExportToolError, match="longer than"):
        glb_to_fbx(torus_glb, timeout=0.05)


def test_fbx_refuses_what_is_not_a_glb():
    with pytest.raises(ExportInputError):
        glb_to_fbx(b"Kaydara FBX Binary  \x00")


def _textured_primitives(glb: bytes) -> int:
    gltf = pygltflib.GLTF2.load_from_bytes(glb)
    textured = {
        index
        for index, material in enumerate(gltf.materials)
        if material.pbrMetallicRoughness and material.pbrMetallicRoughness.baseColorTexture
    }
    return sum(p.material in textured for mesh in gltf.meshes for p in mesh.primitives)

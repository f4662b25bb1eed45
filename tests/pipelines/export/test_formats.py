"""GLB, glTF, OBJ, STL and PLY exports, each read back by an independent reader."""

import io
import re
import zipfile

import numpy as np
import pytest
import trimesh
from PIL import Image
from pygltflib import GLTF2

from assets.glb import glb_inspect
from pipelines.stages.export import (
    FORMATS,
    ExportInputError,
    format_write,
    merge_variants,
    quality_apply,
)
from tests.gltf_validator import validate_file, validate_glb
from tests.pipelines.export.conftest import BLUE, RED, used_materials


def unzip(data: bytes, into) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        archive.extractall(into)
        return sorted(archive.namelist())


def triangles(path) -> int:
    loaded = trimesh.load(str(path), force="scene", process=False)
    return sum(len(g.faces) for g in loaded.geometry.values())


def test_every_format_has_a_file_name_and_type(torus_glb):
    assert set(FORMATS) >= {"glb", "gltf", "obj", "stl", "ply"}
    written = format_write(torus_glb, "obj", name="torus")
    assert written.filename == "torus.zip"
    assert written.content_type == "application/zip"
    with pytest.raises(ExportInputError):
        format_write(torus_glb, "dwg")


def test_glb_is_the_quality_level_itself(variant_glbs):
    low = quality_apply(variant_glbs[0][1], geometry="low")
    written = format_write(low.glb, "glb", name="knight")
    assert written.content == low.glb
    assert written.filename == "knight.glb"
    assert validate_glb(written.content)["issues"]["numErrors"] == 0


def test_gltf_zip_is_validator_clean_with_external_files(torus_glb, tmp_path):
    names = unzip(format_write(torus_glb, "gltf", name="torus").content, tmp_path)
    assert names == ["textures/0_image.png", "textures/1_image.png", "torus.bin", "torus.gltf"]
    report = validate_file(tmp_path / "torus.gltf")
    assert report["issues"]["numErrors"] == 0
    assert report["issues"]["numWarnings"] == 0
    # The validator read the external files: both images are decoded 1024² PNGs.
    assert [r["image"]["width"] for r in report["info"]["resources"] if "image" in r] == [
        1024,
        1024,
    ]
    assert triangles(tmp_path / "torus.gltf") == 10_000


def test_gltf_zip_keeps_material_variants(variant_glbs, tmp_path):
    merged = merge_variants(variant_glbs[0][1], variant_glbs)
    names = unzip(format_write(merged, "gltf", name="knight").content, tmp_path)
    assert sum(name.startswith("textures/") for name in names) == 3
    report = validate_file(tmp_path / "knight.gltf")
    assert report["issues"]["numErrors"] == 0
    assert report["info"]["extensionsUsed"] == ["KHR_materials_variants"]
    assert report["info"]["materialCount"] == len(GLTF2.load_from_bytes(merged).materials)


def test_obj_zip_keeps_uvs_base_colour_and_pbr_lines(torus_glb, tmp_path):
    names = unzip(format_write(torus_glb, "obj", name="torus").content, tmp_path)
    mtl = (tmp_path / "torus.mtl").read_text()
    # Every map the MTL names is in the zip.
    maps = re.findall(r"^(?:map_\w+|norm) (\S+)$", mtl, re.M)
    assert sorted(maps) == sorted(n for n in names if n.endswith(".png"))
    assert len(maps) == 3
    assert re.search(r"^Pr 0\.4\d*$", mtl, re.M)
    assert re.search(r"^Pm 0\.8\d*$", mtl, re.M)
    assert re.search(r"^Kd 1\.0+ 1\.0+ 1\.0+$", mtl, re.M)  # the texture is not darkened
    # The base colour texture is the torus's own: red on the left half, blue on the right.
    base = re.search(r"^map_Kd (\S+)$", mtl, re.M).group(1)
    pixels = np.asarray(Image.open(tmp_path / base).convert("RGB"))
    assert tuple(pixels[10, 10]) == RED and tuple(pixels[10, -10]) == BLUE
    roughness = re.search(r"^map_Pr (\S+)$", mtl, re.M).group(1)
    assert Image.open(tmp_path / roughness).getpixel((5, 5)) == 150
    # trimesh reads it back with its UVs and the texture attached.
    mesh = trimesh.load(str(tmp_path / "torus.obj"), force="mesh", process=False)
    assert len(mesh.faces) == 10_000
    assert mesh.visual.uv.shape == (len(mesh.vertices), 2)
    assert mesh.visual.material.image.size == (1024, 1024)


def test_obj_of_a_generated_asset_has_every_part(variant_glbs, tmp_path):
    glb = variant_glbs[1][1]
    unzip(format_write(glb, "obj", name="knight").content, tmp_path)
    obj = (tmp_path / "knight.obj").read_text()
    assert obj.count("\no ") == len(glb_inspect(glb).node_names) - 1  # all but the root
    assert triangles(tmp_path / "knight.obj") == glb_inspect(glb).triangle_count
    mtl = (tmp_path / "knight.mtl").read_text()
    materials = used_materials(glb)
    assert mtl.count("newmtl ") == len(materials)
    # Each material keeps its own roughness (ebony's 0.6 on the wooden parts it fits).
    written = sorted(float(r) for r in re.findall(r"^Pr (\S+)$", mtl, re.M))
    assert written == pytest.approx(
        sorted(m.pbrMetallicRoughness.roughnessFactor for m in materials)
    )
    assert mtl.count("Pr 0.6") >= 1


def test_stl_has_every_triangle_in_place(variant_glbs, tmp_path):
    glb = variant_glbs[0][1]
    path = tmp_path / "knight.stl"
    path.write_bytes(format_write(glb, "stl").content)
    mesh = trimesh.load(str(path), process=False)
    info = glb_inspect(glb)
    assert len(mesh.faces) == info.triangle_count
    assert np.allclose(mesh.bounds, [info.bounding_box["min"], info.bounding_box["max"]], atol=1e-4)


def test_ply_has_uvs_and_the_texture_as_vertex_colours(torus_glb, tmp_path):
    path = tmp_path / "torus.ply"
    path.write_bytes(format_write(torus_glb, "ply").content)
    mesh = trimesh.load(str(path), process=False)
    assert len(mesh.faces) == 10_000
    # trimesh reads the UVs as texture coordinates and keeps the colour columns raw.
    assert mesh.visual.uv.shape == (len(mesh.vertices), 2)
    data = mesh.metadata["_ply_raw"]["vertex"]["data"]
    colors = np.stack([data["red"], data["green"], data["blue"]], axis=1)
    y = mesh.vertices[:, 1]
    # The texture is red on the upper half of the tube and blue below.
    assert (colors[y > 0.05] == RED).all()
    assert (colors[y < -0.05] == BLUE).all()


@pytest.mark.parametrize("key", ["glb", "gltf", "obj", "stl", "ply"])
def test_a_file_that_is_not_a_glb_is_refused(key):
    with pytest.raises(ExportInputError):
        format_write(b"this is not a model", key)

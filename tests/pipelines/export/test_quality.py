"""Quality levels: triangle budgets that keep UVs, normals, rigs and variants; texture caps."""

import io

import numpy as np
import pytest
import trimesh
from pygltflib import GLTF2

from assets.glb import glb_inspect
from pipelines.stages.decimate import mesh_decimate
from pipelines.stages.export import ExportInputError, quality_apply, textures_cap, triangle_budget
from pipelines.stages.optimize import optimize
from tests.gltf_validator import validate_glb
from tests.pipelines.export.conftest import png_size, torus_mesh, torus_u, used_materials


def load_torus(glb: bytes) -> trimesh.Trimesh:
    scene = trimesh.load(io.BytesIO(glb), file_type="glb", force="scene", process=False)
    (mesh,) = scene.geometry.values()
    return mesh


def assert_texture_still_mapped(mesh: trimesh.Trimesh) -> None:
    """Every vertex's u matches where it sits on the torus, and no triangle spans a seam."""
    uv = np.asarray(mesh.visual.uv)
    error = np.abs(torus_u(np.asarray(mesh.vertices)) - uv[:, 0])
    error = np.minimum(error, 1 - error)
    assert np.percentile(error, 95) < 0.02
    assert error.max() < 0.06
    span = np.ptp(uv[mesh.faces], axis=1)
    assert span.max() < 0.5


def test_decimation_keeps_the_texture_mapped_across_seams():
    mesh = torus_mesh()
    reduced = mesh_decimate(mesh, 2_000)
    assert 1_500 <= len(reduced.faces) <= 2_000
    assert reduced.visual.uv.shape == (len(reduced.vertices), 2)
    assert_texture_still_mapped(reduced)
    # Normals stay smooth and outward on a smooth surface.
    outward = (reduced.face_normals[:, None] * reduced.vertex_normals[reduced.faces]).sum(-1)
    assert outward.min() > 0.8


def test_decimation_keeps_hard_edges_hard():
    box = trimesh.creation.box().subdivide().subdivide()  # 192 triangles, flat faces
    corners = box.vertices[box.faces].reshape(-1, 3)
    box = trimesh.Trimesh(corners, np.arange(len(corners)).reshape(-1, 3), process=False)
    reduced = mesh_decimate(box, 40)
    assert len(reduced.faces) <= 40
    # Each corner's normal equals its face's normal: no smoothing across the cube's edges.
    corner = reduced.vertex_normals[reduced.faces]
    assert (corner * reduced.face_normals[:, None]).sum(-1).min() > 0.99


def test_optimize_keeps_uvs_when_it_decimates_a_textured_mesh(torus_glb):
    result = optimize(glb=torus_glb, triangle_budget=2_000)
    assert result.stats["decimated"] is True
    assert result.info.triangle_count <= 2_000
    report = validate_glb(result.glb)["issues"]
    assert report["numErrors"] == 0, report["messages"]
    assert_texture_still_mapped(load_torus(result.glb))


@pytest.mark.parametrize(
    ("level", "triangles", "budget"),
    [
        ("full", 16_780, 16_780),
        ("medium", 16_780, 8_390),
        ("low", 16_780, 3_356),
        ("medium", 400_000, 50_000),
        ("low", 400_000, 10_000),
        ("low", 600, 200),
        ("medium", 228, 228),
    ],
)
def test_triangle_budgets(level, triangles, budget):
    assert triangle_budget(level, triangles) == budget


def test_unknown_levels_are_refused(torus_glb):
    with pytest.raises(ExportInputError):
        quality_apply(torus_glb, geometry="ultra")
    with pytest.raises(ExportInputError):
        quality_apply(torus_glb, textures="4k")


def test_quality_levels_of_a_generated_asset_stay_valid_and_within_budget(variant_glbs):
    glb = variant_glbs[0][1]
    full = quality_apply(glb)
    medium = quality_apply(glb, geometry="medium")
    low = quality_apply(glb, geometry="low", textures="512")
    assert full.glb == glb and full.method == "unchanged"
    assert full.triangle_count == glb_inspect(glb).triangle_count
    assert medium.triangle_count <= triangle_budget("medium", full.triangle_count)
    assert low.triangle_count <= triangle_budget("low", full.triangle_count)
    assert low.triangle_count < medium.triangle_count < full.triangle_count
    assert low.file_size == len(low.glb) < medium.file_size < full.file_size
    for result in (medium, low):
        assert result.method == "decimate"
        report = validate_glb(result.glb)
        assert report["issues"]["numErrors"] == 0
        assert report["issues"]["numWarnings"] == 0
        # Every primitive keeps its UVs and normals, and the textured material its texture.
        document = GLTF2.load_from_bytes(result.glb)
        for mesh in document.meshes:
            for primitive in mesh.primitives:
                assert primitive.attributes.TEXCOORD_0 is not None
                assert primitive.attributes.NORMAL is not None
        # The textured materials keep their texture (the preset's parts), the others stay plain.
        source = [bool(m.pbrMetallicRoughness.baseColorTexture) for m in used_materials(glb)]
        kept = [bool(m.pbrMetallicRoughness.baseColorTexture) for m in used_materials(result.glb)]
        assert sorted(kept) == sorted(source) and any(kept)


def test_texture_caps_downscale_only_larger_images(torus_glb):
    for cap, side in (("2k", 1024), ("1k", 1024), ("512", 512)):
        result = quality_apply(torus_glb, textures=cap)
        document = GLTF2.load_from_bytes(result.glb)
        blob = document.binary_blob()
        sizes = []
        for image in document.images:
            view = document.bufferViews[image.bufferView]
            sizes.append(png_size(blob[view.byteOffset : view.byteOffset + view.byteLength]))
        assert sizes == [(side, side), (side, side)]
        assert validate_glb(result.glb)["issues"]["numErrors"] == 0
    assert textures_cap(torus_glb, 1024) == torus_glb
    assert len(textures_cap(torus_glb, 512)) < len(torus_glb)


def test_low_quality_torus_keeps_its_texture_mapping(torus_glb):
    low = quality_apply(torus_glb, geometry="low", textures="512")
    assert low.triangle_count <= 2_000
    assert low.file_size < len(torus_glb) / 2
    assert_texture_still_mapped(load_torus(low.glb))


def test_a_reduced_rigged_model_keeps_its_skin_and_clips(rigged_glb):
    low = quality_apply(rigged_glb, geometry="low")
    assert low.method == "gltfpack"
    assert low.triangles_before == 1536
    assert low.triangle_count <= triangle_budget("low", 1536) == 308
    report = validate_glb(low.glb)
    assert report["issues"]["numErrors"] == 0
    assert report["info"]["hasSkins"] is True
    assert report["info"]["animationCount"] == 2
    document = GLTF2.load_from_bytes(low.glb)
    assert sorted(a.name for a in document.animations) == ["bend", "twist"]
    assert sorted(document.nodes[j].name for j in document.skins[0].joints) == ["lower", "upper"]


def test_triangles_folded_onto_others_are_dropped_and_the_glb_stays_valid():
    from pipelines.stages.export.quality import _drop_repeated_triangles

    box = trimesh.creation.box()
    faces = np.vstack([box.faces, box.faces[:2][:, ::-1], [[0, 0, 1]]])  # 2 folded, 1 collapsed
    folded = trimesh.Trimesh(box.vertices, faces, process=False)
    glb = trimesh.Scene(folded).export(file_type="glb")
    assert glb_inspect(glb).triangle_count == 15

    out = _drop_repeated_triangles(glb)

    assert glb_inspect(out).triangle_count == 12
    assert validate_glb(out)["issues"]["numErrors"] == 0
    assert _drop_repeated_triangles(out) == out  # nothing more to drop

"""All material variants of an asset in one GLB with KHR_materials_variants."""

import pytest
from pygltflib import GLTF2

from assets.glb import glb_inspect
from pipelines.stages.export import ExportInputError, merge_variants, quality_apply
from tests.gltf_validator import validate_glb


def variant_table(glb: bytes) -> tuple[list[str], dict[int, dict[str, int]]]:
    """Return the variant names and, per primitive, which material each variant selects."""
    document = GLTF2.load_from_bytes(glb)
    names = [v["name"] for v in document.extensions["KHR_materials_variants"]["variants"]]
    chosen = {}
    flat = [p for mesh in document.meshes for p in mesh.primitives]
    for index, primitive in enumerate(flat):
        mapping = primitive.extensions["KHR_materials_variants"]["mappings"]
        chosen[index] = {names[v]: m["material"] for m in mapping for v in m["variants"]}
    return names, chosen


def base_color_texture_bytes(document: GLTF2, material: int) -> bytes:
    texture = document.materials[material].pbrMetallicRoughness.baseColorTexture.index
    view = document.bufferViews[document.images[document.textures[texture].source].bufferView]
    return document.binary_blob()[view.byteOffset : view.byteOffset + view.byteLength]


def material_signature(document: GLTF2, index: int) -> tuple:
    """Return what a material looks like: its factors and its base-colour texture's bytes."""
    material = document.materials[index]
    pbr = material.pbrMetallicRoughness
    texture = base_color_texture_bytes(document, index) if pbr.baseColorTexture else b""
    return (tuple(pbr.baseColorFactor or ()), pbr.metallicFactor, pbr.roughnessFactor, texture)


def test_merged_file_holds_every_variant_and_is_validator_clean(variant_glbs):
    merged = merge_variants(variant_glbs[0][1], variant_glbs)
    report = validate_glb(merged)
    assert report["issues"]["numErrors"] == 0
    assert report["issues"]["numWarnings"] == 0
    assert report["info"]["extensionsUsed"] == ["KHR_materials_variants"]
    names, chosen = variant_table(merged)
    assert names == ["Gold", "Ebony", "Marble"]
    document = GLTF2.load_from_bytes(merged)
    assert "KHR_materials_variants" not in (document.extensionsRequired or [])
    flat = [p for mesh in document.meshes for p in mesh.primitives]
    for index, primitive in enumerate(flat):
        # Every variant is mapped on every primitive; the default is the first variant's.
        assert set(chosen[index]) == set(names)
        assert chosen[index]["Gold"] == primitive.material
    # Each variant selects, on every primitive, the material that variant's own file has there;
    # the parts a preset fits look different in each variant.
    for name, glb in variant_glbs:
        source = GLTF2.load_from_bytes(glb)
        own = [p.material for mesh in source.meshes for p in mesh.primitives]
        for index in range(len(flat)):
            assert material_signature(document, chosen[index][name]) == material_signature(
                source, own[index]
            ), (name, index)
    assert any(len({chosen[i][n] for n in names}) == 3 for i in range(len(flat)))
    # Geometry is stored once: the file is far smaller than the three inputs together.
    assert glb_inspect(merged).triangle_count == glb_inspect(variant_glbs[0][1]).triangle_count
    assert len(merged) < 1.3 * len(variant_glbs[0][1])


def test_a_reduced_quality_of_the_merged_file_keeps_the_variants(variant_glbs):
    merged = merge_variants(variant_glbs[0][1], variant_glbs)
    low = quality_apply(merged, geometry="low")
    assert low.method == "gltfpack"
    assert low.triangle_count <= 0.25 * glb_inspect(merged).triangle_count
    report = validate_glb(low.glb)
    assert report["issues"]["numErrors"] == 0
    names, chosen = variant_table(low.glb)
    assert names == ["Gold", "Ebony", "Marble"]
    assert all(set(c) == set(names) for c in chosen.values())
    assert any(len({c[n] for n in names}) == 3 for c in chosen.values())


def test_variants_with_other_geometry_are_refused(variant_glbs, torus_glb):
    with pytest.raises(ExportInputError, match="same meshes"):
        merge_variants(variant_glbs[0][1], [("Gold", variant_glbs[0][1]), ("Torus", torus_glb)])


@pytest.mark.parametrize("names", [["Gold", "Gold"], ["Gold", " "], []])
def test_variant_names_must_be_unique_and_present(variant_glbs, names):
    glb = variant_glbs[0][1]
    with pytest.raises(ExportInputError):
        merge_variants(glb, [(name, glb) for name in names])


def test_a_file_that_is_not_a_glb_is_refused():
    with pytest.raises(ExportInputError, match="not a GLB"):
        merge_variants(b"solid cube\nendsolid", [("Gold", b"glTF")])

"""USDZ for AR Quick Look: USD's own validators pass, and the look survives."""

import io
import zipfile

import numpy as np
import pytest
from PIL import Image
from pxr import Usd, UsdGeom, UsdShade, UsdValidation

from assets.glb import glb_inspect
from pipelines.stages.export import ExportInputError, format_write
from tests.pipelines.export.conftest import BLUE, RED, used_materials


def validation_errors(path) -> list[str]:
    """Run every UsdValidation validator except RootPackageValidator, as usdchecker does."""
    registry = UsdValidation.ValidationRegistry()
    names = [
        m.name
        for m in registry.GetAllValidatorMetadata()
        if m.name != "usdUtilsValidators:RootPackageValidator"
    ]
    assert len(names) > 20
    context = UsdValidation.ValidationContext(registry.GetOrLoadValidatorsByName(names))
    return [f"{e.GetName()}: {e.GetMessage()}" for e in context.Validate(Usd.Stage.Open(str(path)))]


def write(glb: bytes, tmp_path):
    written = format_write(glb, "usdz", name="model")
    assert written.filename == "model.usdz"
    assert written.content_type == "model/vnd.usdz+zip"
    path = tmp_path / "model.usdz"
    path.write_bytes(written.content)
    return path


def test_usdz_of_the_textured_torus_passes_usd_validation(torus_glb, tmp_path):
    path = write(torus_glb, tmp_path)
    assert validation_errors(path) == []
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        # The package stores files uncompressed, layer first, as AR Quick Look requires.
        assert infos[0].filename.endswith(".usdc")
        assert all(info.compress_type == zipfile.ZIP_STORED for info in infos)
        images = {
            i.filename: archive.read(i.filename) for i in infos if i.filename.endswith(".png")
        }
    assert len(images) == 2
    stage = Usd.Stage.Open(str(path))
    assert UsdGeom.GetStageUpAxis(stage) == UsdGeom.Tokens.y
    assert UsdGeom.GetStageMetersPerUnit(stage) == 1.0
    meshes = [UsdGeom.Mesh(p) for p in stage.Traverse() if p.IsA(UsdGeom.Mesh)]
    assert len(meshes) == 1
    assert len(meshes[0].GetFaceVertexCountsAttr().Get()) == 10_000
    st = UsdGeom.PrimvarsAPI(meshes[0]).GetPrimvar("st").Get()
    assert len(st) == len(meshes[0].GetPointsAttr().Get())
    # The base colour texture is the torus's own, and roughness/metallic read G and B.
    material, _ = UsdShade.MaterialBindingAPI(meshes[0].GetPrim()).ComputeBoundMaterial()
    surface = material.ComputeSurfaceSource()[0]
    base = surface.GetInput("diffuseColor").GetConnectedSources()[0][0]
    file = base.source.GetInput("file").Get().path.lstrip("./")
    pixels = np.asarray(Image.open(io.BytesIO(images[file])).convert("RGB"))
    assert tuple(pixels[5, 5]) == RED and tuple(pixels[5, -5]) == BLUE
    assert surface.GetInput("roughness").GetConnectedSources()[0][0].sourceName == "g"
    assert surface.GetInput("metallic").GetConnectedSources()[0][0].sourceName == "b"


def test_usdz_of_a_generated_asset_has_every_part(variant_glbs, tmp_path):
    glb = variant_glbs[0][1]
    path = write(glb, tmp_path)
    assert validation_errors(path) == []
    stage = Usd.Stage.Open(str(path))
    meshes = [UsdGeom.Mesh(p) for p in stage.Traverse() if p.IsA(UsdGeom.Mesh)]
    assert len(meshes) == len(glb_inspect(glb).node_names) - 1
    assert (
        sum(len(m.GetFaceVertexCountsAttr().Get()) for m in meshes)
        == glb_inspect(glb).triangle_count
    )
    materials = [p for p in stage.Traverse() if p.IsA(UsdShade.Material)]
    expected = used_materials(glb)
    assert len(materials) == len(expected)
    # Each material keeps its metallic factor: the gold preset's 1.0 on the metal parts.
    metallic = sorted(
        UsdShade.Material(prim).ComputeSurfaceSource()[0].GetInput("metallic").Get()
        for prim in materials
    )
    assert metallic == pytest.approx(
        sorted(m.pbrMetallicRoughness.metallicFactor for m in expected)
    )
    assert metallic[-1] == pytest.approx(1.0)


def test_usdz_refuses_what_is_not_a_glb():
    with pytest.raises(ExportInputError):
        format_write(b"#usda 1.0", "usdz")

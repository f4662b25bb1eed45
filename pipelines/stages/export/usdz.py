"""USDZ for Apple AR Quick Look, written with usd-core (Pixar's `pxr`).

Each placed mesh becomes a `Mesh` prim (world-space points, normals, `st` UVs) bound to a
`UsdPreviewSurface` material: base colour (factor, or texture scaled by it), metallic and
roughness (factors, or the glTF metal-rough texture's B and G channels), a normal map and
opacity. The stage is Y-up in metres, as glTF is, and is packaged by
`UsdUtils.CreateNewARKitUsdzPackage` (flattened, 64-byte aligned, uncompressed). Skins and
animations are not carried: the USDZ is the model's static look.
"""

import io
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from pipelines.stages.export.errors import ExportToolMissingError
from pipelines.stages.export.scene import PlacedMesh, placed_meshes


def glb_to_usdz(glb: bytes) -> bytes:
    """Return the model as a USDZ package that passes USD's own validators."""
    try:
        from pxr import Sdf, Usd, UsdGeom, UsdShade, UsdUtils, Vt  # noqa: F401
    except ImportError as exc:  # pragma: no cover - usd-core is a locked dependency
        raise ExportToolMissingError("USDZ export needs the usd-core package.") from exc
    meshes = placed_meshes(glb)
    with tempfile.TemporaryDirectory(prefix="forge-usdz-") as tmp:
        folder = Path(tmp)
        stage_path = folder / "model.usdc"
        _write_stage(stage_path, meshes)
        usdz_path = folder / "model.usdz"
        if not UsdUtils.CreateNewARKitUsdzPackage(Sdf.AssetPath(str(stage_path)), str(usdz_path)):
            raise ExportToolMissingError("usd-core could not package the USDZ.")
        return usdz_path.read_bytes()


def _write_stage(path: Path, meshes: list[PlacedMesh]) -> None:
    from pxr import Gf, Sdf, Usd, UsdGeom, UsdShade, Vt

    stage = Usd.Stage.CreateNew(str(path))
    UsdGeom.SetStageUpAxis(stage, UsdGeom.Tokens.y)
    UsdGeom.SetStageMetersPerUnit(stage, 1.0)
    root = UsdGeom.Xform.Define(stage, "/Root")
    stage.SetDefaultPrim(root.GetPrim())
    UsdGeom.Scope.Define(stage, "/Root/Geom")
    UsdGeom.Scope.Define(stage, "/Root/Materials")
    textures = _TextureFiles(path.parent)
    materials: dict[int, UsdShade.Material] = {}
    low = np.min([m.vertices.min(axis=0) for m in meshes], axis=0)
    high = np.max([m.vertices.max(axis=0) for m in meshes], axis=0)
    for number, placed in enumerate(meshes):
        mesh = UsdGeom.Mesh.Define(stage, f"/Root/Geom/mesh_{number}")
        mesh.CreateSubdivisionSchemeAttr(UsdGeom.Tokens.none)
        mesh.CreatePointsAttr(Vt.Vec3fArray.FromNumpy(placed.vertices.astype(np.float32)))
        mesh.CreateFaceVertexCountsAttr(
            Vt.IntArray.FromNumpy(np.full(len(placed.faces), 3, np.int32))
        )
        mesh.CreateFaceVertexIndicesAttr(
            Vt.IntArray.FromNumpy(placed.faces.astype(np.int32).ravel())
        )
        mesh.CreateNormalsAttr(Vt.Vec3fArray.FromNumpy(placed.normals.astype(np.float32)))
        mesh.SetNormalsInterpolation(UsdGeom.Tokens.vertex)
        mesh.CreateExtentAttr(
            Vt.Vec3fArray(
                [Gf.Vec3f(*placed.vertices.min(axis=0)), Gf.Vec3f(*placed.vertices.max(axis=0))]
            )
        )
        if placed.uv is not None:
            UsdGeom.PrimvarsAPI(mesh).CreatePrimvar(
                "st", Sdf.ValueTypeNames.TexCoord2fArray, UsdGeom.Tokens.vertex
            ).Set(Vt.Vec2fArray.FromNumpy(placed.uv.astype(np.float32)))
        key = id(placed.material)
        if key not in materials:
            materials[key] = _material(
                stage, f"/Root/Materials/material_{len(materials)}", placed, textures
            )
        UsdShade.MaterialBindingAPI.Apply(mesh.GetPrim()).Bind(materials[key])
    UsdGeom.ModelAPI(root).SetExtentsHint(
        Vt.Vec3fArray([Gf.Vec3f(*low), Gf.Vec3f(*high)]), Usd.TimeCode.Default()
    )
    stage.GetRootLayer().Save()


def _material(stage, path: str, placed: PlacedMesh, textures: "_TextureFiles"):
    from pxr import Gf, Sdf, UsdShade

    source = placed.material
    material = UsdShade.Material.Define(stage, path)
    surface = UsdShade.Shader.Define(stage, f"{path}/Surface")
    surface.CreateIdAttr("UsdPreviewSurface")
    material.CreateSurfaceOutput().ConnectToSource(surface.ConnectableAPI(), "surface")
    factor = np.ones(4)
    metallic, roughness = 1.0, 1.0
    if source is not None:
        if source.baseColorFactor is not None:
            factor = np.asarray(source.baseColorFactor, dtype=np.float64) / 255.0
        metallic = 1.0 if source.metallicFactor is None else float(source.metallicFactor)
        roughness = 1.0 if source.roughnessFactor is None else float(source.roughnessFactor)
    textured = placed.uv is not None and source is not None
    st = None
    if textured:
        reader = UsdShade.Shader.Define(stage, f"{path}/PrimvarST")
        reader.CreateIdAttr("UsdPrimvarReader_float2")
        reader.CreateInput("varname", Sdf.ValueTypeNames.String).Set("st")
        st = reader.CreateOutput("result", Sdf.ValueTypeNames.Float2)

    def texture(name: str, image: Image.Image, color_space: str, scale=None, bias=None):
        shader = UsdShade.Shader.Define(stage, f"{path}/{name}")
        shader.CreateIdAttr("UsdUVTexture")
        shader.CreateInput("file", Sdf.ValueTypeNames.Asset).Set(textures.add(image))
        shader.CreateInput("sourceColorSpace", Sdf.ValueTypeNames.Token).Set(color_space)
        shader.CreateInput("wrapS", Sdf.ValueTypeNames.Token).Set("repeat")
        shader.CreateInput("wrapT", Sdf.ValueTypeNames.Token).Set("repeat")
        shader.CreateInput("st", Sdf.ValueTypeNames.Float2).ConnectToSource(st)
        if scale is not None:
            shader.CreateInput("scale", Sdf.ValueTypeNames.Float4).Set(Gf.Vec4f(*scale))
        if bias is not None:
            shader.CreateInput("bias", Sdf.ValueTypeNames.Float4).Set(Gf.Vec4f(*bias))
        return shader

    base = getattr(source, "baseColorTexture", None) if textured else None
    diffuse = surface.CreateInput("diffuseColor", Sdf.ValueTypeNames.Color3f)
    if isinstance(base, Image.Image):
        shader = texture("BaseColor", base, "sRGB", scale=(*factor[:3], 1.0))
        diffuse.ConnectToSource(shader.CreateOutput("rgb", Sdf.ValueTypeNames.Float3))
    else:
        diffuse.Set(Gf.Vec3f(*factor[:3]))
    metal_rough = getattr(source, "metallicRoughnessTexture", None) if textured else None
    metallic_input = surface.CreateInput("metallic", Sdf.ValueTypeNames.Float)
    roughness_input = surface.CreateInput("roughness", Sdf.ValueTypeNames.Float)
    if isinstance(metal_rough, Image.Image):
        shader = texture(
            "MetallicRoughness",
            metal_rough.convert("RGB"),
            "raw",
            scale=(1.0, roughness, metallic, 1.0),
        )
        roughness_input.ConnectToSource(shader.CreateOutput("g", Sdf.ValueTypeNames.Float))
        metallic_input.ConnectToSource(shader.CreateOutput("b", Sdf.ValueTypeNames.Float))
    else:
        metallic_input.Set(metallic)
        roughness_input.Set(roughness)
    normal = getattr(source, "normalTexture", None) if textured else None
    if isinstance(normal, Image.Image):
        shader = texture(
            "Normal",
            normal.convert("RGB"),
            "raw",
            scale=(2.0, 2.0, 2.0, 1.0),
            bias=(-1.0, -1.0, -1.0, 0.0),
        )
        surface.CreateInput("normal", Sdf.ValueTypeNames.Normal3f).ConnectToSource(
            shader.CreateOutput("rgb", Sdf.ValueTypeNames.Float3)
        )
    if factor[3] < 1.0:
        surface.CreateInput("opacity", Sdf.ValueTypeNames.Float).Set(float(factor[3]))
    return material


class _TextureFiles:
    """Save each distinct image once beside the stage and return its `./` asset path."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._paths: dict[int, str] = {}

    def add(self, image: Image.Image) -> str:
        if id(image) not in self._paths:
            jpeg = (image.format or "").upper() == "JPEG"
            name = f"texture_{len(self._paths)}.{'jpg' if jpeg else 'png'}"
            out = io.BytesIO()
            if jpeg:
                image.convert("RGB").save(out, format="JPEG", quality=92)
            else:
                image.save(out, format="PNG", compress_level=4)
            (self.folder / name).write_bytes(out.getvalue())
            # A bare name makes the packager look under a numbered folder; "./" does not.
            self._paths[id(image)] = f"./{name}"
        return self._paths[id(image)]

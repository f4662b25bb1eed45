"""The export formats: one table from a format's key to its writer, file name and type.

Every writer takes the GLB at the chosen quality level and returns the download's bytes.
"""

from collections.abc import Callable
from dataclasses import dataclass

from pipelines.stages.export.errors import ExportInputError
from pipelines.stages.export.fbx import fbx_available, glb_to_fbx
from pipelines.stages.export.gltf import glb_to_gltf_zip
from pipelines.stages.export.gltfdoc import gltf_load
from pipelines.stages.export.meshfiles import glb_to_ply, glb_to_stl
from pipelines.stages.export.obj import glb_to_obj_zip
from pipelines.stages.export.usdz import glb_to_usdz


@dataclass(frozen=True)
class ExportFormat:
    """How one format is written and served."""

    key: str
    label: str
    extension: str  # of the download: "glb", "zip", ...
    content_type: str
    write: Callable[[bytes, str], bytes]  # (glb, name) -> file bytes
    available: Callable[[], bool] = lambda: True  # False when its optional tool is missing


@dataclass(frozen=True)
class ExportFile:
    """A written download: its bytes, file name and content type."""

    content: bytes
    filename: str
    content_type: str


def _glb(glb: bytes, name: str) -> bytes:
    gltf_load(glb)  # refuse what is not a GLB, like every other writer
    return bytes(glb)


FORMATS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat("glb", "GLB (glTF binary)", "glb", "model/gltf-binary", _glb),
        ExportFormat(
            "gltf",
            "glTF (JSON, .bin and textures, zipped)",
            "zip",
            "application/zip",
            lambda glb, name: glb_to_gltf_zip(glb, name=name),
        ),
        ExportFormat(
            "obj",
            "OBJ + MTL + textures (zipped)",
            "zip",
            "application/zip",
            lambda glb, name: glb_to_obj_zip(glb, name=name),
        ),
        ExportFormat("stl", "STL (binary)", "stl", "model/stl", lambda glb, name: glb_to_stl(glb)),
        ExportFormat(
            "ply",
            "PLY (binary)",
            "ply",
            "application/octet-stream",
            lambda glb, name: glb_to_ply(glb),
        ),
        ExportFormat(
            "usdz",
            "USDZ (Apple AR Quick Look)",
            "usdz",
            "model/vnd.usdz+zip",
            lambda glb, name: glb_to_usdz(glb),
        ),
        ExportFormat(
            "fbx",
            "FBX (Unity, Unreal)",
            "fbx",
            "application/octet-stream",
            lambda glb, name: glb_to_fbx(glb),
            available=fbx_available,
        ),
    )
}


def format_write(glb: bytes, key: str, *, name: str = "model") -> ExportFile:
    """Write `glb` in format `key`; the download is called `<name>.<extension>`.

    Raise ExportInputError for an unknown format or a bad GLB, ExportToolMissingError when
    the format's optional tool is not installed, ExportToolError when the tool fails.
    """
    spec = FORMATS.get(key)
    if spec is None:
        raise ExportInputError(
            f"Unknown export format {key!r}.", details={"choices": list(FORMATS)}
        )
    return ExportFile(
        content=spec.write(glb, name),
        filename=f"{name}.{spec.extension}",
        content_type=spec.content_type,
    )

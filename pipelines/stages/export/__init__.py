"""Export conversions: pure functions from a GLB (and data) to the bytes of each format.

The export run kind's stages call these; none touches the database or storage. Order per
export: quality level (`quality_apply`), then one format writer.
"""

from pipelines.stages.export.errors import ExportInputError, ExportToolError, ExportToolMissingError
from pipelines.stages.export.fbx import fbx_available, glb_to_fbx
from pipelines.stages.export.formats import FORMATS, ExportFile, ExportFormat, format_write
from pipelines.stages.export.gltf import glb_to_gltf_files, glb_to_gltf_zip
from pipelines.stages.export.meshfiles import glb_to_ply, glb_to_stl
from pipelines.stages.export.obj import glb_to_obj_files, glb_to_obj_zip
from pipelines.stages.export.quality import (
    GEOMETRY_LEVELS,
    TEXTURE_CAPS,
    QualityResult,
    quality_apply,
    textures_cap,
    triangle_budget,
)
from pipelines.stages.export.renders import RenderResult, render_still, render_turntable
from pipelines.stages.export.usdz import glb_to_usdz
from pipelines.stages.export.variants import merge_variants

__all__ = [
    "FORMATS",
    "ExportFile",
    "ExportFormat",
    "format_write",
    "fbx_available",
    "glb_to_fbx",
    "glb_to_gltf_files",
    "glb_to_gltf_zip",
    "glb_to_obj_files",
    "glb_to_obj_zip",
    "glb_to_ply",
    "glb_to_stl",
    "glb_to_usdz",
    "RenderResult",
    "render_still",
    "render_turntable",
    "GEOMETRY_LEVELS",
    "TEXTURE_CAPS",
    "merge_variants",
    "ExportInputError",
    "ExportToolError",
    "ExportToolMissingError",
    "QualityResult",
    "quality_apply",
    "textures_cap",
    "triangle_budget",
]

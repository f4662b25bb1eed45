"""Export conversions: pure functions from a GLB (and data) to the bytes of each format.

The export run kind's stages call these; none touches the database or storage. Order per
export: quality level (`quality_apply`), then one format writer.
"""

from pipelines.stages.export.errors import ExportInputError, ExportToolError, ExportToolMissingError
from pipelines.stages.export.quality import (
    GEOMETRY_LEVELS,
    TEXTURE_CAPS,
    QualityResult,
    quality_apply,
    textures_cap,
    triangle_budget,
)
from pipelines.stages.export.variants import merge_variants

__all__ = [
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

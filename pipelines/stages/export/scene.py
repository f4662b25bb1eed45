"""Flatten a GLB into placed meshes in world space, for the writers that have no scene graph."""

import io
from dataclasses import dataclass

import numpy as np
import trimesh

from pipelines.stages.decimate import vertex_normals
from pipelines.stages.export.errors import ExportInputError


@dataclass(frozen=True)
class PlacedMesh:
    """One drawn mesh: world-space geometry, UVs (bottom-left origin) and its PBR material."""

    name: str
    vertices: np.ndarray  # (n, 3) float64
    faces: np.ndarray  # (m, 3) int64, counter-clockwise
    normals: np.ndarray  # (n, 3) float64, unit length
    uv: np.ndarray | None  # (n, 2) float64
    material: trimesh.visual.material.PBRMaterial | None


def placed_meshes(glb: bytes) -> list[PlacedMesh]:
    """Return every triangle mesh the GLB's scene draws, once per instance, in world space."""
    try:
        scene = trimesh.load(io.BytesIO(glb), file_type="glb", force="scene", process=False)
    except Exception as exc:  # trimesh raises many types on malformed input
        raise ExportInputError("The GLB file could not be read.") from exc
    placed = []
    for node in scene.graph.nodes_geometry:
        transform, name = scene.graph[node]
        geometry = scene.geometry.get(name)
        if not isinstance(geometry, trimesh.Trimesh) or len(geometry.faces) == 0:
            continue
        rotation = transform[:3, :3]
        vertices = np.asarray(geometry.vertices) @ rotation.T + transform[:3, 3]
        faces = np.asarray(geometry.faces, dtype=np.int64)
        normal_matrix = np.linalg.inv(rotation).T
        normals = vertex_normals(geometry) @ normal_matrix.T
        normals /= np.linalg.norm(normals, axis=1, keepdims=True).clip(1e-12)
        if np.linalg.det(rotation) < 0:  # a mirroring node flips the winding
            faces = faces[:, ::-1]
        visual = geometry.visual
        uv = getattr(visual, "uv", None)
        material = getattr(visual, "material", None)
        if material is not None and not isinstance(material, trimesh.visual.material.PBRMaterial):
            material = material.to_pbr()
        placed.append(
            PlacedMesh(
                name=str(node),
                vertices=vertices,
                faces=faces,
                normals=normals,
                uv=None
                if uv is None or len(uv) != len(vertices)
                else np.asarray(uv, dtype=np.float64),
                material=material,
            )
        )
    if not placed:
        raise ExportInputError("The model has no triangles to export.")
    return placed

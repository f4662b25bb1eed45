"""Quadric decimation of one triangle mesh that keeps its UVs, normals, colours and material.

fast-simplification decimates the mesh welded by position only, so UV seams and hard edges
(where a glTF mesh duplicates a vertex) cannot open into cracks. The collapses are replayed to
learn where every original vertex went. A corner of a surviving triangle then takes its
texture coordinate (and colour) from the original vertex of its own UV island nearest to the
new position, so seams stay seams and a texture stays mapped. Normals are recomputed,
area-weighted, within each smoothing group of the original (hard edges stay hard).
"""

import fast_simplification
import numpy as np
import trimesh

# Rounding of positions when welding them (about 1 µm for metres).
WELD_DECIMALS = 6
# Collapses stop at this aggressiveness (fast-simplification's default is 7).
AGGRESSION = 7.0


def mesh_decimate(geometry: trimesh.Trimesh, target_faces: int) -> trimesh.Trimesh:
    """Return `geometry` reduced to about `target_faces` triangles, its look kept."""
    faces = np.asarray(geometry.faces, dtype=np.int64)
    target = max(4, int(target_faces))
    if len(faces) <= target:
        return geometry
    vertices = np.asarray(geometry.vertices, dtype=np.float64)
    welded, position = _weld(np.round(vertices, WELD_DECIMALS))
    welded_faces = position[faces]
    _, _, collapses = fast_simplification.simplify(
        welded, welded_faces, target_count=target, agg=AGGRESSION, return_collapses=True
    )
    new_points, _, mapping = fast_simplification.replay_simplification(
        welded.astype(np.float32), welded_faces.astype(np.int32), collapses
    )
    mapped = mapping[welded_faces]
    alive = (
        (mapped[:, 0] != mapped[:, 1])
        & (mapped[:, 1] != mapped[:, 2])
        & (mapped[:, 0] != mapped[:, 2])
    )
    new_points = np.asarray(new_points, dtype=np.float64)
    # Slivers the simplifier leaves flat cover nothing and would get no normal.
    corners = new_points[mapped]
    area = np.linalg.norm(
        np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0]), axis=1
    )
    extent = float(np.ptp(welded, axis=0).max()) if len(welded) else 1.0
    alive &= area > (extent * 1e-7) ** 2
    kept = faces[alive]

    # Original vertices that merged into one new vertex through collapsed edges of their own
    # UV island form a group; seam twins never share an edge, so they stay apart. Each group
    # becomes one output vertex whose attributes come from its member nearest to where the
    # group ended up.
    target_of = mapping[position]
    group = _merged_groups(faces, target_of)
    distance = np.linalg.norm(welded[position] - new_points[target_of], axis=1)
    order = np.lexsort((distance, group))
    first = np.ones(len(order), dtype=bool)
    first[1:] = group[order][1:] != group[order][:-1]
    nearest = np.full(len(vertices), -1, dtype=np.int64)
    nearest[group[order][first]] = order[first]

    used, new_faces = np.unique(group[kept].ravel(), return_inverse=True)
    source = nearest[used]
    out_vertices = new_points[target_of[source]]
    out_faces = new_faces.reshape(-1, 3)
    shading = vertex_normals(geometry)
    normals = _normals(shading, faces, position, target_of, source, out_vertices, out_faces)

    visual = geometry.visual
    uv = getattr(visual, "uv", None)
    if isinstance(visual, trimesh.visual.TextureVisuals):
        visual = trimesh.visual.TextureVisuals(
            uv=None if uv is None else np.asarray(uv)[source], material=visual.material
        )
    elif visual.kind == "vertex":
        visual = trimesh.visual.ColorVisuals(vertex_colors=visual.vertex_colors[source])
    elif visual.kind == "face":
        visual = trimesh.visual.ColorVisuals(face_colors=visual.face_colors[alive])
    return trimesh.Trimesh(
        vertices=out_vertices,
        faces=out_faces,
        vertex_normals=normals,
        visual=visual,
        process=False,
    )


def _weld(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the unique rows of `points` and, per row, the index of its unique row."""
    unique, inverse = np.unique(points, axis=0, return_inverse=True)
    return unique, inverse.reshape(-1)


def _merged_groups(faces: np.ndarray, target_of: np.ndarray) -> np.ndarray:
    """Label vertices joined by edges of `faces` whose two ends moved to the same new vertex."""
    a = faces.ravel()
    b = np.roll(faces, -1, axis=1).ravel()
    same = target_of[a] == target_of[b]
    return _components(a[same], b[same], len(target_of))


def _components(a: np.ndarray, b: np.ndarray, count: int) -> np.ndarray:
    """Label the connected components of the graph with edges `a[i]`–`b[i]` (smallest member)."""
    label = np.arange(count)
    while True:
        before = label.copy()
        low = np.minimum(label[a], label[b])
        np.minimum.at(label, label[a], low)
        np.minimum.at(label, label[b], low)
        while True:
            jumped = label[label]
            if np.array_equal(jumped, label):
                break
            label = jumped
        if np.array_equal(label, before):
            return label


def vertex_normals(geometry: trimesh.Trimesh) -> np.ndarray:
    """Return the mesh's stored vertex normals, else area-weighted ones.

    trimesh's own fallback without scipy is a slow Python loop that logs a traceback.
    """
    if "vertex_normals" in geometry._cache:
        normals = np.asarray(geometry._cache["vertex_normals"])
        if normals.shape == geometry.vertices.shape:
            return normals
    return _area_normals(np.asarray(geometry.vertices), np.asarray(geometry.faces))


def _area_normals(v: np.ndarray, f: np.ndarray, group: np.ndarray | None = None) -> np.ndarray:
    """Area-weighted vertex normals of `f`, summed over vertices that share a `group`."""
    group = np.arange(len(v)) if group is None else group
    face_normals = np.cross(v[f[:, 1]] - v[f[:, 0]], v[f[:, 2]] - v[f[:, 0]])
    summed = np.zeros((int(group.max()) + 1 if len(group) else 0, 3))
    np.add.at(summed, group[f].ravel(), np.repeat(face_normals, 3, axis=0))
    normals = summed[group]
    return normals / np.linalg.norm(normals, axis=1, keepdims=True).clip(1e-12)


def _normals(
    shading: np.ndarray,
    faces: np.ndarray,
    position: np.ndarray,
    target_of: np.ndarray,
    source: np.ndarray,
    out_vertices: np.ndarray,
    out_faces: np.ndarray,
) -> np.ndarray:
    """Area-weighted normals of the output, smoothed only where the original was smooth."""
    _, smooth_id = _weld(np.hstack([position[:, None], np.round(shading, 3)]))
    smooth_target = np.zeros(int(smooth_id.max()) + 1, dtype=np.int64)
    smooth_target[smooth_id] = target_of
    group = _merged_groups(smooth_id[faces], smooth_target)[smooth_id]
    _, out_group = np.unique(group[source], return_inverse=True)
    return _area_normals(out_vertices, out_faces, out_group.reshape(-1))

"""Validate and inspect GLB (binary glTF 2.0) files without touching the database.

`glb_inspect` checks the container and the parts of the glTF document that geometry depends
on, then measures the scene. It raises only `GlbInvalidError`, whose message tells an API user
exactly what is wrong and whose `details["reason"]` is a stable machine-readable slug.
`glb_parts` returns the placed, world-space geometry with its material inputs for the
thumbnail renderer.
"""

from __future__ import annotations

import hashlib
import io
import math
import struct
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from assets.glb_container import GlbInvalidError, glb_split

if TYPE_CHECKING:
    import trimesh

MODE_TRIANGLES = 4

COMPONENT_TYPES: dict[int, tuple[str, int]] = {
    5120: ("<i1", 1),
    5121: ("<u1", 1),
    5122: ("<i2", 2),
    5123: ("<u2", 2),
    5125: ("<u4", 4),
    5126: ("<f4", 4),
}
TYPE_SIZES = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16}
INDEX_COMPONENT_TYPES = (5121, 5123, 5125)
NORMALIZED_SCALE = {5120: 127.0, 5121: 255.0, 5122: 32767.0, 5123: 65535.0}

# Past this many instanced vertices the box is built from transformed local boxes instead of
# every transformed vertex: still a valid enclosure, and the work stays bounded.
EXACT_BBOX_VERTEX_LIMIT = 20_000_000


@dataclass(frozen=True)
class GlbInfo:
    """Facts about a valid GLB, measured in its default scene."""

    sha256: str
    file_size: int
    vertex_count: int
    triangle_count: int
    bounding_box: dict
    mesh_count: int
    material_count: int
    node_names: list[str]
    generator: str


@dataclass
class GlbMaterial:
    """The parts of a glTF material a thumbnail uses, with glTF defaults filled in."""

    base_color: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
    metallic: float = 1.0
    roughness: float = 1.0
    double_sided: bool = False
    texture_image: bytes | None = None


@dataclass
class GlbPart:
    """One TRIANGLES primitive placed in the world by one node."""

    positions: np.ndarray  # (n, 3) float64, world space
    triangles: np.ndarray  # (m, 3) int64 into positions
    normals: np.ndarray | None  # (n, 3) float64, world space, unit length; None = flat shading
    colors: np.ndarray | None  # (n, 4) float64 linear RGBA from COLOR_0
    material: GlbMaterial | None = field(default=None)


@dataclass(frozen=True)
class GlbLimits:
    """How much work a GLB may ask for; a file past any limit is refused before that work.

    `vertices` and `indices` count every placement of a mesh (and every stored accessor a
    triangle primitive uses, whichever is more); `texture_size` is the largest side of an
    embedded image, read from its header.
    """

    json_bytes: int = 4 * 1024 * 1024
    nodes: int = 5_000
    node_depth: int = 64
    draws: int = 5_000
    vertices: int = 1_000_000
    indices: int = 1_500_000
    texture_size: int = 4096

    @classmethod
    def from_settings(cls) -> GlbLimits:
        """Return the limits configured by the `FORGE_GLB_MAX_*` settings."""
        from django.conf import settings

        return cls(
            json_bytes=settings.FORGE_GLB_MAX_JSON_BYTES,
            nodes=settings.FORGE_GLB_MAX_NODES,
            node_depth=settings.FORGE_GLB_MAX_NODE_DEPTH,
            draws=settings.FORGE_GLB_MAX_DRAWS,
            vertices=settings.FORGE_GLB_MAX_VERTICES,
            indices=settings.FORGE_GLB_MAX_INDICES,
            texture_size=settings.FORGE_GLB_MAX_TEXTURE_SIZE,
        )


def _fail(message: str, reason: str, **extra: Any) -> GlbInvalidError:
    return GlbInvalidError(message, reason=reason, **extra)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class _Document:
    """A GLB split into its JSON document and BIN chunk, checked structurally."""

    def __init__(
        self, data: bytes, *, max_size: int | None = None, limits: GlbLimits | None = None
    ):
        self.data = data
        self.limits = limits or GlbLimits.from_settings()
        self._check_container(max_size)
        self._check_document()
        self._check_buffers()
        self._check_buffer_views()
        self._check_accessors()
        self._check_images()
        self._check_meshes()
        self._check_nodes()
        self._check_work()
        self._check_mesh_data()

    # Container ---------------------------------------------------------------------------

    def _check_container(self, max_size: int | None) -> None:
        chunks = glb_split(self.data, max_size=max_size, max_json_size=self.limits.json_bytes)
        self.json: dict = chunks.document
        self.bin_offset: int | None = chunks.bin_offset
        self.bin_length = chunks.bin_length

    # JSON document -------------------------------------------------------------------------

    def _list(self, key: str) -> list:
        value = self.json.get(key, [])
        if not isinstance(value, list):
            raise _fail(f"'{key}' must be a list.", "bad_document")
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise _fail(f"{key}[{index}] must be an object.", "bad_document")
        return value

    def _check_document(self) -> None:
        asset = self.json.get("asset")
        version = asset.get("version") if isinstance(asset, dict) else None
        if not isinstance(version, str):
            raise _fail("Not a glTF 2.0 document (asset.version is missing).", "bad_asset_version")
        if not version.startswith("2."):
            raise _fail(
                f"Not a glTF 2.0 document (asset.version is {version[:20]!r}).",
                "bad_asset_version",
            )
        generator = asset.get("generator", "")
        self.generator = generator if isinstance(generator, str) else ""
        self.buffers = self._list("buffers")
        self.buffer_views = self._list("bufferViews")
        self.accessors = self._list("accessors")
        self.images = self._list("images")
        self.textures = self._list("textures")
        self.materials = self._list("materials")
        self.meshes = self._list("meshes")
        self.nodes = self._list("nodes")
        self.scenes = self._list("scenes")
        if not self.meshes:
            raise _fail("The file contains no meshes.", "no_meshes")
        has_triangles = False
        for mesh_index, mesh in enumerate(self.meshes):
            primitives = mesh.get("primitives")
            if not isinstance(primitives, list) or not primitives:
                raise _fail(f"Mesh {mesh_index} has no primitives.", "bad_mesh")
            for prim_index, primitive in enumerate(primitives):
                where = f"Primitive {prim_index} of mesh {mesh_index}"
                if not isinstance(primitive, dict):
                    raise _fail(f"{where} must be an object.", "bad_mesh")
                attributes = primitive.get("attributes")
                if not isinstance(attributes, dict):
                    raise _fail(f"{where} has no attributes.", "bad_mesh")
                mode = primitive.get("mode", MODE_TRIANGLES)
                if not _is_int(mode) or not 0 <= mode <= 6:
                    raise _fail(f"{where} has an unknown mode {str(mode)[:20]}.", "bad_mesh")
                if mode == MODE_TRIANGLES and "POSITION" in attributes:
                    has_triangles = True
        if not has_triangles:
            raise _fail(
                "The file contains no triangles: no mesh has a TRIANGLES primitive with "
                "POSITION data.",
                "no_triangles",
            )

    def _index(self, value: Any, items: list, what: str, where: str) -> int:
        if not _is_int(value) or not 0 <= value < len(items):
            raise _fail(
                f"{where} refers to {what} {str(value)[:20]}, which does not exist.",
                "bad_reference",
            )
        return value

    def _non_negative(self, obj: dict, key: str, where: str, default: int | None = None) -> int:
        value = obj.get(key, default)
        if not _is_int(value) or value < 0:
            raise _fail(f"{where} has an invalid {key} {str(value)[:20]}.", "bad_document")
        return value

    def _check_buffers(self) -> None:
        self.buffer_starts: list[int] = []
        for index, buffer in enumerate(self.buffers):
            length = self._non_negative(buffer, "byteLength", f"Buffer {index}")
            uri = buffer.get("uri")
            if uri is not None:
                if isinstance(uri, str) and uri.startswith("data:"):
                    raise _fail(
                        f"Buffer {index} is a data: URI; a GLB must keep its binary data in "
                        "the BIN chunk.",
                        "external_buffer",
                    )
                raise _fail(
                    f"Buffer {index} refers to an external file; a GLB must be self-contained.",
                    "external_buffer",
                )
            if index != 0:
                raise _fail(
                    f"Buffer {index} has no uri, but only buffer 0 can live in the BIN chunk.",
                    "bad_buffer",
                )
            if self.bin_offset is None:
                raise _fail("Buffer 0 has no data: the file has no BIN chunk.", "bad_buffer")
            if length > self.bin_length:
                raise _fail(
                    f"Buffer 0 says {length} bytes but the BIN chunk has {self.bin_length}.",
                    "bad_buffer",
                )
            self.buffer_starts.append(self.bin_offset)

    def _check_buffer_views(self) -> None:
        for index, view in enumerate(self.buffer_views):
            where = f"Buffer view {index}"
            buffer = self._index(view.get("buffer"), self.buffers, "buffer", where)
            offset = self._non_negative(view, "byteOffset", where, 0)
            length = self._non_negative(view, "byteLength", where)
            stride = view.get("byteStride")
            if stride is not None and (not _is_int(stride) or not 4 <= stride <= 252):
                raise _fail(f"{where} has an invalid byteStride.", "bad_document")
            if offset + length > self.buffers[buffer]["byteLength"]:
                raise _fail(f"{where} reads past the end of its buffer.", "out_of_range")

    def _check_accessors(self) -> None:
        for index, accessor in enumerate(self.accessors):
            where = f"Accessor {index}"
            component = accessor.get("componentType")
            kind = accessor.get("type")
            if not _is_int(component) or component not in COMPONENT_TYPES:
                raise _fail(f"{where} has an unknown componentType.", "bad_accessor")
            if not isinstance(kind, str) or kind not in TYPE_SIZES:
                raise _fail(f"{where} has an unknown type.", "bad_accessor")
            count = accessor.get("count")
            if not _is_int(count) or count < 1:
                raise _fail(f"{where} has an invalid count {str(count)[:20]}.", "bad_accessor")
            if "sparse" in accessor:
                raise _fail(
                    f"{where} is sparse; sparse accessors are not supported.", "bad_accessor"
                )
            if "bufferView" not in accessor:
                raise _fail(
                    f"{where} has no bufferView; zero-filled accessors are not supported.",
                    "bad_accessor",
                )
            view = self.buffer_views[
                self._index(accessor["bufferView"], self.buffer_views, "buffer view", where)
            ]
            offset = self._non_negative(accessor, "byteOffset", where, 0)
            element = COMPONENT_TYPES[component][1] * TYPE_SIZES[kind]
            stride = view.get("byteStride") or element
            if stride < element:
                raise _fail(f"{where} is wider than its buffer view's byteStride.", "bad_accessor")
            if offset + stride * (count - 1) + element > view["byteLength"]:
                raise _fail(f"{where} reads past the end of its buffer.", "out_of_range")

    def _check_images(self) -> None:
        for index, image in enumerate(self.images):
            if "uri" in image:
                uri = image["uri"]
                external = not (isinstance(uri, str) and uri.startswith("data:"))
                raise _fail(
                    f"Image {index} "
                    + ("refers to an external file" if external else "is a data: URI")
                    + "; a GLB must embed its images through buffer views.",
                    "external_image",
                )
            if "bufferView" in image:
                self._index(image["bufferView"], self.buffer_views, "buffer view", f"Image {index}")
                self._check_image_size(index)

    def _check_image_size(self, index: int) -> None:
        """Refuse an embedded image larger than the limit, reading only its header."""
        size = _image_header_size(self.image_bytes(index))
        limit = self.limits.texture_size
        if size is not None and max(size) > limit:
            raise _fail(
                f"Image {index} is {size[0]}x{size[1]} pixels; the limit is {limit} pixels "
                "on a side.",
                "texture_too_large",
                limit=limit,
            )

    def _check_meshes(self) -> None:
        for mesh_index, mesh in enumerate(self.meshes):
            for prim_index, primitive in enumerate(mesh["primitives"]):
                where = f"Primitive {prim_index} of mesh {mesh_index}"
                for name, value in primitive["attributes"].items():
                    self._index(value, self.accessors, "accessor", f"{where} ({str(name)[:40]})")
                if "material" in primitive:
                    self._index(primitive["material"], self.materials, "material", where)
                if primitive.get("mode", MODE_TRIANGLES) != MODE_TRIANGLES:
                    continue
                position_index = primitive["attributes"].get("POSITION")
                if position_index is None:
                    continue
                position = self.accessors[position_index]
                if position["type"] != "VEC3" or position["componentType"] != 5126:
                    raise _fail(f"{where} has POSITION data that is not float VEC3.", "bad_mesh")
                if "indices" in primitive:
                    index_accessor = self._index(
                        primitive["indices"], self.accessors, "accessor", where
                    )
                    meta = self.accessors[index_accessor]
                    if (
                        meta["type"] != "SCALAR"
                        or meta["componentType"] not in INDEX_COMPONENT_TYPES
                    ):
                        raise _fail(
                            f"{where} has indices that are not unsigned integer scalars.",
                            "bad_mesh",
                        )
                    if meta["count"] % 3:
                        raise _fail(
                            f"{where} has an index count that is not a multiple of 3.", "bad_mesh"
                        )
                elif position["count"] % 3:
                    raise _fail(
                        f"{where} has a vertex count that is not a multiple of 3.", "bad_mesh"
                    )

    def _check_work(self) -> None:
        """Refuse a file whose scene asks for more work than the limits, before doing any."""
        limits = self.limits
        draws = vertices = indices = 0
        for mesh_index, _ in self.instances:
            for primitive in self.triangle_primitives(mesh_index):
                draws += 1
                count = self.accessors[primitive["attributes"]["POSITION"]]["count"]
                vertices += count
                has_indices = "indices" in primitive
                indices += self.accessors[primitive["indices"]]["count"] if has_indices else count
        stored_positions, stored_indices = set(), set()
        for mesh_index in range(len(self.meshes)):
            for primitive in self.triangle_primitives(mesh_index):
                stored_positions.add(primitive["attributes"]["POSITION"])
                if "indices" in primitive:
                    stored_indices.add(primitive["indices"])
        vertices = max(vertices, sum(self.accessors[i]["count"] for i in stored_positions))
        indices = max(indices, sum(self.accessors[i]["count"] for i in stored_indices))
        for amount, limit, what in (
            (draws, limits.draws, "primitives drawn"),
            (vertices, limits.vertices, "vertices"),
            (indices, limits.indices, "triangle corners (indices)"),
        ):
            if amount > limit:
                raise _fail(
                    f"The scene has {amount} {what} counting every placement; the limit is "
                    f"{limit}.",
                    "too_complex",
                    limit=limit,
                )

    def _check_mesh_data(self) -> None:
        """Check the numbers themselves: finite positions, indices within their vertices."""
        finite: set[int] = set()
        index_max: dict[int, int] = {}
        for mesh_index, mesh in enumerate(self.meshes):
            for prim_index, primitive in enumerate(mesh["primitives"]):
                if primitive.get("mode", MODE_TRIANGLES) != MODE_TRIANGLES:
                    continue
                position_index = primitive["attributes"].get("POSITION")
                if position_index is None:
                    continue
                if position_index not in finite:
                    if not np.isfinite(self.read(position_index)).all():
                        raise _fail(
                            f"Accessor {position_index} holds positions that are not finite "
                            "numbers.",
                            "bad_mesh",
                        )
                    finite.add(position_index)
                if "indices" not in primitive:
                    continue
                index_accessor = primitive["indices"]
                if index_accessor not in index_max:
                    index_max[index_accessor] = int(self.read(index_accessor).max())
                if index_max[index_accessor] >= self.accessors[position_index]["count"]:
                    raise _fail(
                        f"Primitive {prim_index} of mesh {mesh_index} has an index past the end "
                        "of its vertices.",
                        "bad_mesh",
                    )

    def _check_nodes(self) -> None:
        if len(self.nodes) > self.limits.nodes:
            raise _fail(
                f"The file has {len(self.nodes)} nodes; the limit is {self.limits.nodes}.",
                "too_complex",
                limit=self.limits.nodes,
            )
        parents: dict[int, int] = {}
        self.local: list[np.ndarray] = []
        for index, node in enumerate(self.nodes):
            where = f"Node {index}"
            if "mesh" in node:
                self._index(node["mesh"], self.meshes, "mesh", where)
            children = node.get("children", [])
            if not isinstance(children, list):
                raise _fail(f"{where} has children that are not a list.", "bad_node")
            for child in children:
                self._index(child, self.nodes, "node", where)
                if child in parents or child == index:
                    raise _fail(f"Node {child} has more than one parent.", "bad_node")
                parents[child] = index
            self.local.append(self._local_matrix(node, where))
        self.parents = parents
        if self.scenes:
            scene_index = self.json.get("scene", 0)
            self._index(scene_index, self.scenes, "scene", "The document")
            roots = self.scenes[scene_index].get("nodes", [])
            if not isinstance(roots, list):
                raise _fail(f"Scene {scene_index} has nodes that are not a list.", "bad_node")
            for root in roots:
                self._index(root, self.nodes, "node", f"Scene {scene_index}")
                if root in parents:
                    raise _fail(f"Node {root} is a scene root but also a child.", "bad_node")
            if len(set(roots)) != len(roots):
                raise _fail(f"Scene {scene_index} lists a node twice.", "bad_node")
        else:
            roots = [index for index in range(len(self.nodes)) if index not in parents]
        self.instances: list[tuple[int, np.ndarray]] = []
        stack = [(root, np.eye(4), 1) for root in reversed(roots)]
        seen: set[int] = set()
        while stack:
            index, parent_matrix, depth = stack.pop()
            if index in seen:  # unreachable for a tree; guards against cycles regardless
                continue
            if depth > self.limits.node_depth:
                raise _fail(
                    f"Node {index} is nested {depth} levels deep; the limit is "
                    f"{self.limits.node_depth}.",
                    "too_complex",
                    limit=self.limits.node_depth,
                )
            seen.add(index)
            world = parent_matrix @ self.local[index]
            node = self.nodes[index]
            if "mesh" in node:
                self.instances.append((node["mesh"], world))
            children = reversed(node.get("children", []))
            stack.extend((child, world, depth + 1) for child in children)
        if not any(
            primitive.get("mode", MODE_TRIANGLES) == MODE_TRIANGLES
            and "POSITION" in primitive["attributes"]
            for mesh_index, _ in self.instances
            for primitive in self.meshes[mesh_index]["primitives"]
        ):
            raise _fail(
                "The scene shows no triangles: no node places a mesh with a TRIANGLES primitive.",
                "empty_scene",
            )

    def _numbers(self, node: dict, key: str, size: int, where: str) -> list[float] | None:
        value = node.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or len(value) != size or not all(map(_is_number, value)):
            raise _fail(f"{where} has an invalid {key}.", "bad_node")
        return [float(v) for v in value]

    def _local_matrix(self, node: dict, where: str) -> np.ndarray:
        matrix = self._numbers(node, "matrix", 16, where)
        if matrix is not None:
            return np.array(matrix, dtype=np.float64).reshape(4, 4).T  # glTF is column-major
        translation = self._numbers(node, "translation", 3, where) or [0.0, 0.0, 0.0]
        rotation = self._numbers(node, "rotation", 4, where) or [0.0, 0.0, 0.0, 1.0]
        scale = self._numbers(node, "scale", 3, where) or [1.0, 1.0, 1.0]
        x, y, z, w = rotation
        norm = math.sqrt(x * x + y * y + z * z + w * w)
        if norm < 1e-12:
            raise _fail(f"{where} has a zero rotation quaternion.", "bad_node")
        x, y, z, w = x / norm, y / norm, z / norm, w / norm
        rot = np.array(
            [
                [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
            ]
        )
        out = np.eye(4)
        out[:3, :3] = rot * np.array(scale)
        out[:3, 3] = translation
        return out

    # Data access ---------------------------------------------------------------------------

    def read(self, index: int) -> np.ndarray:
        """Return accessor `index` as a (count, components) array of its own dtype."""
        accessor = self.accessors[index]
        view = self.buffer_views[accessor["bufferView"]]
        dtype, component_size = COMPONENT_TYPES[accessor["componentType"]]
        components = TYPE_SIZES[accessor["type"]]
        count = accessor["count"]
        start = (
            self.buffer_starts[view["buffer"]]
            + view.get("byteOffset", 0)
            + accessor.get("byteOffset", 0)
        )
        stride = view.get("byteStride") or component_size * components
        array = np.ndarray(
            shape=(count, components),
            dtype=np.dtype(dtype),
            buffer=self.data,
            offset=start,
            strides=(stride, component_size),
        )
        return array

    def read_float(self, index: int) -> np.ndarray:
        """Return accessor `index` as float64, applying `normalized` integer scaling."""
        accessor = self.accessors[index]
        values = self.read(index).astype(np.float64)
        if accessor.get("normalized") is True and accessor["componentType"] in NORMALIZED_SCALE:
            values /= NORMALIZED_SCALE[accessor["componentType"]]
        return values

    def image_bytes(self, index: Any) -> bytes | None:
        """Return the embedded bytes of image `index`, or None when there are none."""
        if not _is_int(index) or not 0 <= index < len(self.images):
            return None
        view_index = self.images[index].get("bufferView")
        if view_index is None:
            return None
        view = self.buffer_views[view_index]
        start = self.buffer_starts[view["buffer"]] + view.get("byteOffset", 0)
        return self.data[start : start + view["byteLength"]]

    def triangle_primitives(self, mesh_index: int) -> list[dict]:
        return [
            primitive
            for primitive in self.meshes[mesh_index]["primitives"]
            if primitive.get("mode", MODE_TRIANGLES) == MODE_TRIANGLES
            and "POSITION" in primitive["attributes"]
        ]

    def material(self, index: Any) -> GlbMaterial | None:
        """Return material `index` with glTF defaults, or None when the primitive has none."""
        if index is None:
            return None
        material = self.materials[index]
        pbr = material.get("pbrMetallicRoughness")
        pbr = pbr if isinstance(pbr, dict) else {}
        color = pbr.get("baseColorFactor")
        if not (isinstance(color, list) and len(color) == 4 and all(map(_is_number, color))):
            color = [1.0, 1.0, 1.0, 1.0]
        metallic = pbr.get("metallicFactor", 1.0)
        roughness = pbr.get("roughnessFactor", 1.0)
        texture_image = None
        texture_ref = pbr.get("baseColorTexture")
        if isinstance(texture_ref, dict):
            texture_index = texture_ref.get("index")
            if _is_int(texture_index) and 0 <= texture_index < len(self.textures):
                texture_image = self.image_bytes(self.textures[texture_index].get("source"))
        return GlbMaterial(
            base_color=tuple(min(max(float(c), 0.0), 1.0) for c in color),
            metallic=min(max(float(metallic), 0.0), 1.0) if _is_number(metallic) else 1.0,
            roughness=min(max(float(roughness), 0.0), 1.0) if _is_number(roughness) else 1.0,
            double_sided=material.get("doubleSided") is True,
            texture_image=texture_image,
        )


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIZE_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_header_size(data: bytes) -> tuple[int, int] | None:
    offset = 2
    while offset + 9 <= len(data):
        if data[offset] != 0xFF:
            return None
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            offset += 2
            continue
        length = struct.unpack_from(">H", data, offset + 2)[0]
        if marker in JPEG_SIZE_MARKERS:
            height, width = struct.unpack_from(">HH", data, offset + 5)
            return width, height
        offset += 2 + length
    return None


def _image_header_size(data: bytes | None) -> tuple[int, int] | None:
    """Return (width, height) from an image's header without decoding it, None if unknown."""
    if not data:
        return None
    if data.startswith(PNG_SIGNATURE) and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack_from(">II", data, 16)
        return width, height
    if data.startswith(b"\xff\xd8"):
        return _jpeg_header_size(data)
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:  # lazy: reads the header only
                return image.size
    except Image.DecompressionBombError:
        return (2**31, 2**31)  # larger than any limit; Pillow refused to even describe it
    except Exception:  # Pillow raises many types; a format it cannot read is not a texture
        return None


def _bounding_box(document: _Document) -> dict:
    total = sum(
        document.accessors[primitive["attributes"]["POSITION"]]["count"]
        for mesh_index, _ in document.instances
        for primitive in document.triangle_primitives(mesh_index)
    )
    exact = total <= EXACT_BBOX_VERTEX_LIMIT
    lows, highs = [], []
    for mesh_index, world in document.instances:
        for primitive in document.triangle_primitives(mesh_index):
            accessor = primitive["attributes"]["POSITION"]
            points = document.read(accessor).astype(np.float64)
            if not exact:
                lo, hi = points.min(axis=0), points.max(axis=0)
                points = np.array([[(lo, hi)[(i >> k) & 1][k] for k in range(3)] for i in range(8)])
            placed = points @ world[:3, :3].T + world[:3, 3]
            lows.append(placed.min(axis=0))
            highs.append(placed.max(axis=0))
    low = np.min(lows, axis=0)
    high = np.max(highs, axis=0)
    if not (np.isfinite(low).all() and np.isfinite(high).all()):
        raise _fail("The scene's coordinates overflow to infinity.", "bad_mesh")
    return {
        "min": [round(float(v), 6) for v in low],
        "max": [round(float(v), 6) for v in high],
    }


def glb_inspect(data: bytes, *, max_size: int | None = None) -> GlbInfo:
    """Validate `data` as a self-contained glTF 2.0 binary and measure its default scene.

    Counts follow what a viewer draws: every TRIANGLES-mode primitive with POSITION data,
    once per node that places its mesh in the scene (the `scene` index, else the first
    scene, else every root node). `vertex_count` sums those primitives' POSITION accessor
    counts; `triangle_count` sums their index counts (or POSITION counts when not indexed)
    divided by 3. Points, lines, strips and fans are validated but not counted. The bounding
    box is in world space, after every node transform.
    """
    document = _Document(bytes(data), max_size=max_size)
    vertices = triangles = 0
    for mesh_index, _ in document.instances:
        for primitive in document.triangle_primitives(mesh_index):
            count = document.accessors[primitive["attributes"]["POSITION"]]["count"]
            vertices += count
            if "indices" in primitive:
                triangles += document.accessors[primitive["indices"]]["count"] // 3
            else:
                triangles += count // 3
    node_names = [node["name"] for node in document.nodes if isinstance(node.get("name"), str)]
    return GlbInfo(
        sha256=hashlib.sha256(data).hexdigest(),
        file_size=len(data),
        vertex_count=vertices,
        triangle_count=triangles,
        bounding_box=_bounding_box(document),
        mesh_count=len(document.meshes),
        material_count=len(document.materials),
        node_names=node_names,
        generator=document.generator,
    )


def glb_parts(data: bytes) -> list[GlbPart]:
    """Validate `data` and return every placed TRIANGLES primitive in world space."""
    document = _Document(bytes(data))
    parts = []
    for mesh_index, world in document.instances:
        rotation = world[:3, :3]
        # Normals transform by the inverse transpose; a mirroring node flips the winding.
        determinant = float(np.linalg.det(rotation))
        normal_matrix = np.linalg.inv(rotation).T if abs(determinant) > 1e-12 else rotation
        for primitive in document.triangle_primitives(mesh_index):
            attributes = primitive["attributes"]
            positions = document.read_float(attributes["POSITION"]) @ rotation.T + world[:3, 3]
            if not np.isfinite(positions).all():
                raise _fail("The scene's coordinates overflow to infinity.", "bad_mesh")
            if "indices" in primitive:
                triangles = document.read(primitive["indices"]).astype(np.int64).reshape(-1, 3)
            else:
                triangles = np.arange(len(positions), dtype=np.int64).reshape(-1, 3)
            if determinant < 0:
                triangles = triangles[:, ::-1]
            normals = _optional_attribute(document, attributes, "NORMAL", len(positions), (3,))
            if normals is not None:
                normals = normals @ normal_matrix.T
                lengths = np.linalg.norm(normals, axis=1, keepdims=True)
                normals = np.where(lengths > 1e-12, normals / np.maximum(lengths, 1e-12), 0.0)
            colors = _optional_attribute(document, attributes, "COLOR_0", len(positions), (3, 4))
            if colors is not None and colors.shape[1] == 3:
                colors = np.hstack([colors, np.ones((len(colors), 1))])
            if colors is not None:
                colors = np.clip(np.nan_to_num(colors), 0.0, 1.0)
            parts.append(
                GlbPart(
                    positions=positions,
                    triangles=triangles,
                    normals=normals,
                    colors=colors,
                    material=document.material(primitive.get("material")),
                )
            )
    return parts


def _optional_attribute(
    document: _Document, attributes: dict, name: str, count: int, widths: tuple[int, ...]
) -> np.ndarray | None:
    index = attributes.get(name)
    if index is None:
        return None
    accessor = document.accessors[index]
    if accessor["count"] != count or TYPE_SIZES[accessor["type"]] not in widths:
        return None  # a mismatched optional attribute is ignored rather than guessed at
    values = document.read_float(index)
    return values if np.isfinite(values).all() else None


def glb_load_scene(data: bytes) -> trimesh.Scene:
    """Validate `data` and load it as a `trimesh.Scene` with node transforms applied."""
    import trimesh

    _Document(bytes(data))
    try:
        return trimesh.load(io.BytesIO(data), file_type="glb", force="scene")
    except Exception as exc:  # trimesh raises many types; the file was already checked above
        raise _fail("The GLB could not be loaded.", "load_failed") from exc

"""glTF (JSON + .bin + image files, zipped), split from a GLB without losing anything.

The JSON is the GLB's own, so skins, animations and material variants survive; embedded
images become files under `textures/` and the rest of the binary chunk becomes `<name>.bin`.
"""

import mimetypes
import re

from pipelines.stages.export.archive import zip_files
from pipelines.stages.export.gltfdoc import gltf_load, view_bytes

EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/ktx2": "ktx2"}


def glb_to_gltf_zip(glb: bytes, *, name: str = "model") -> bytes:
    """Return a zip of `<name>.gltf`, `<name>.bin` and `textures/*` made from `glb`."""
    return zip_files(glb_to_gltf_files(glb, name=name))


def glb_to_gltf_files(glb: bytes, *, name: str = "model") -> dict[str, bytes]:
    """Return the files of a glTF with external buffer and images (name -> bytes)."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "model"
    document = gltf_load(glb)
    blob = document.binary_blob() or b""
    files: dict[str, bytes] = {}
    image_views: set[int] = set()
    for index, image in enumerate(document.images):
        if image.bufferView is None:
            continue
        extension = EXTENSIONS.get(image.mimeType or "") or (
            (mimetypes.guess_extension(image.mimeType or "") or ".png").lstrip(".")
        )
        stem = re.sub(r"[^A-Za-z0-9_-]+", "_", image.name or "").strip("_") or "image"
        path = f"textures/{index}_{stem}.{extension}"
        files[path] = view_bytes(document, blob, image.bufferView)
        image_views.add(image.bufferView)
        image.uri = path
        image.bufferView = None
        image.mimeType = None

    # Drop the image bufferViews and renumber the rest.
    renumber: dict[int, int] = {}
    kept = []
    data = bytearray()
    for index, view in enumerate(document.bufferViews):
        if index in image_views:
            continue
        chunk = view_bytes(document, blob, index)
        data.extend(b"\x00" * (-len(data) % 4))
        view.byteOffset = len(data)
        data.extend(chunk)
        renumber[index] = len(kept)
        kept.append(view)
    document.bufferViews = kept
    for accessor in document.accessors:
        if accessor.bufferView is not None:
            accessor.bufferView = renumber[accessor.bufferView]
        sparse = accessor.sparse
        if sparse is not None:
            sparse.indices.bufferView = renumber[sparse.indices.bufferView]
            sparse.values.bufferView = renumber[sparse.values.bufferView]
    for image in document.images:
        if image.bufferView is not None:
            image.bufferView = renumber[image.bufferView]

    if data:
        document.buffers[0].uri = f"{name}.bin"
        document.buffers[0].byteLength = len(data)
        files[f"{name}.bin"] = bytes(data)
    else:
        document.buffers = []
    text = document.to_json(separators=(",", ":"))
    return {f"{name}.gltf": text.encode("utf-8"), **files}

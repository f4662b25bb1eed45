"""Small helpers on a pygltflib document of a single-buffer GLB (bufferViews in, bytes out)."""

import pygltflib
from pygltflib import GLTF2, BufferView

from pipelines.stages.export.errors import ExportInputError

VARIANTS = "KHR_materials_variants"


def gltf_load(glb: bytes) -> GLTF2:
    """Parse `glb` into a pygltflib document; raise ExportInputError if it is not a usable GLB."""
    if not isinstance(glb, bytes | bytearray) or glb[:4] != b"glTF":
        raise ExportInputError("The model is not a GLB file.")
    try:
        document = GLTF2.load_from_bytes(bytes(glb))
    except Exception as exc:  # pygltflib raises many types on malformed input
        raise ExportInputError("The GLB file could not be read.") from exc
    if len(document.buffers) > 1 or any(b.uri for b in document.buffers):
        raise ExportInputError("Only self-contained GLB files with one buffer can be exported.")
    return document


def gltf_to_glb(document: GLTF2) -> bytes:
    """Serialise `document` (with its binary blob) as GLB bytes."""
    return b"".join(document.save_to_bytes())


def view_bytes(document: GLTF2, blob: bytes, index: int) -> bytes:
    """Return the bytes of bufferView `index`."""
    view = document.bufferViews[index]
    start = view.byteOffset or 0
    return bytes(blob[start : start + view.byteLength])


def append_view(document: GLTF2, blob: bytearray, data: bytes) -> int:
    """Append `data` as a new 4-byte aligned bufferView of buffer 0 and return its index."""
    blob.extend(b"\x00" * (-len(blob) % 4))
    document.bufferViews.append(BufferView(buffer=0, byteOffset=len(blob), byteLength=len(data)))
    blob.extend(data)
    return len(document.bufferViews) - 1


def set_blob(document: GLTF2, blob: bytes) -> None:
    """Make `blob` the document's binary chunk (padded to 4 bytes)."""
    blob = bytes(blob) + b"\x00" * (-len(blob) % 4)
    if not document.buffers:
        document.buffers.append(pygltflib.Buffer(byteLength=0))
    document.buffers[0].byteLength = len(blob)
    document.set_binary_blob(blob)


def repack(document: GLTF2, replace: dict[int, bytes]) -> None:
    """Rebuild the binary chunk with bufferView `i` holding `replace[i]` (others unchanged)."""
    old = document.binary_blob() or b""
    blob = bytearray()
    for index, view in enumerate(document.bufferViews):
        data = replace[index] if index in replace else view_bytes(document, old, index)
        blob.extend(b"\x00" * (-len(blob) % 4))
        view.byteOffset = len(blob)
        view.byteLength = len(data)
        blob.extend(data)
    set_blob(document, bytes(blob))


def gltf_features(document: GLTF2) -> set[str]:
    """Name what a trimesh round trip would lose: `skins`, `animations`, `variants`, `morphs`."""
    found = set()
    if document.skins:
        found.add("skins")
    if document.animations:
        found.add("animations")
    if VARIANTS in (document.extensionsUsed or []):
        found.add("variants")
    if any(p.targets for m in document.meshes for p in m.primitives):
        found.add("morphs")
    return found

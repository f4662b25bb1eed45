"""Small helpers on a pygltflib document of a single-buffer GLB (bufferViews in, bytes out)."""

import copy
import dataclasses
import json
import struct
import types
import typing
from collections.abc import Callable
from typing import Any

import pygltflib
from pygltflib import GLTF2, BufferView

from pipelines.stages.export.errors import ExportInputError

VARIANTS = "KHR_materials_variants"


def gltf_load(glb: bytes) -> GLTF2:
    """Parse `glb` into a pygltflib document; raise ExportInputError if it is not a usable GLB."""
    if not isinstance(glb, bytes | bytearray) or glb[:4] != b"glTF":
        raise ExportInputError("The model is not a GLB file.")
    try:
        document = glb_parse(bytes(glb))
    except Exception as exc:  # malformed input raises many types
        raise ExportInputError("The GLB file could not be read.") from exc
    if len(document.buffers) > 1 or any(b.uri for b in document.buffers):
        raise ExportInputError("Only self-contained GLB files with one buffer can be exported.")
    return document


def glb_parse(data: bytes) -> GLTF2:
    """The document `GLTF2.load_from_bytes(data)` returns, built without dataclasses_json.

    pygltflib reads a GLB's JSON through dataclasses_json, which works out every field's
    type on every object it builds: 20–50 ms for one generated asset, most of `publish`'s
    time (it reads three GLBs to merge the variants) and a share of every export. Here each
    pygltflib class's fields are worked out once (`_decoder`) and the JSON is turned into
    the same objects with the same conversions (nested objects, lists, numbers as their
    declared type, unknown keys dropped, primitive attributes as `Attributes`); a test
    compares the result with pygltflib's, field by field and as written back out.
    """
    if data[:4] != b"glTF":
        raise ValueError("Not a GLB file.")
    _, length = struct.unpack_from("<II", data, 4)
    index, document = 12, None
    while index < length:
        chunk_length, chunk_type = struct.unpack_from("<I4s", data, index)
        index += 8
        if chunk_type == b"JSON":
            document = _decode(GLTF2, json.loads(data[index : index + chunk_length].decode()))
            for mesh in document.meshes:
                for primitive in mesh.primitives:
                    if primitive.attributes:
                        primitive.attributes = pygltflib.Attributes(**primitive.attributes)
        elif chunk_type == b"BIN\x00":
            document.set_binary_blob(data[index : index + chunk_length])
        index += chunk_length
    if document is None:
        raise ValueError("The GLB has no JSON chunk.")
    return document


_Convert = Callable[[Any], Any]
_decoders: dict[type, list[tuple[str, _Convert | None, Any]]] = {}


def _decode(cls: type, value: Any) -> Any:
    if not isinstance(value, dict):
        raise TypeError(f"{cls.__name__}: expected an object, got {type(value).__name__}.")
    fields = _decoders.get(cls)
    if fields is None:
        fields = _decoders[cls] = _decoder(cls)
    kwargs = {}
    for name, convert, default in fields:
        if name in value:
            item = value[name]
        elif default is _FACTORY:
            continue  # the dataclass makes a fresh one
        else:
            item = default
        kwargs[name] = item if convert is None or item is None else convert(item)
    return cls(**kwargs)


_FACTORY = object()


def _decoder(cls: type) -> list[tuple[str, _Convert | None, Any]]:
    hints = typing.get_type_hints(cls)
    fields = []
    for field in dataclasses.fields(cls):
        if field.default is not dataclasses.MISSING:
            default = field.default
        elif field.default_factory is not dataclasses.MISSING:
            default = _FACTORY
        else:
            default = None
        fields.append((field.name, _converter(hints[field.name]), default))
    return fields


def _converter(hint) -> _Convert | None:
    """How dataclasses_json turns a JSON value into `hint` (None: taken as it is)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return None
    if origin is typing.Union or origin is types.UnionType:
        inner = [arg for arg in args if arg is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"Unsupported glTF field type {hint!r}.")
        return _converter(inner[0])  # None is kept by the caller
    if origin is list:
        item = _converter(args[0]) if args else None
        if item is None:
            return list
        return lambda values: [item(v) for v in values]
    if origin is dict:
        value = _converter(args[1]) if args else None
        if value is None:
            return dict
        return lambda mapping: {k: value(v) for k, v in mapping.items()}
    if dataclasses.is_dataclass(hint):
        return lambda value: _decode(hint, value)
    if hint in (int, float, str, bool):
        return lambda value: value if isinstance(value, hint) else hint(value)
    if isinstance(hint, type):
        return None  # `Attributes` and the like: kept as read (see `glb_parse`)
    raise TypeError(f"Unsupported glTF field type {hint!r}.")


def gltf_to_glb(document: GLTF2) -> bytes:
    """Serialise `document` (with its binary blob) as GLB bytes.

    pygltflib's `save_to_bytes` lays out the file; only its JSON step is swapped for
    `_gltf_json`, which writes the same text faster.
    """
    document.gltf_to_json = lambda separators=None, indent="  ": _gltf_json(
        document, separators=separators, indent=indent
    )
    try:
        return b"".join(document.save_to_bytes())
    finally:
        del document.gltf_to_json


def _gltf_json(document: GLTF2, *, separators, indent) -> str:
    """`GLTF2.gltf_to_json`'s text, from `_asdict` instead of pygltflib's `gltf_asdict`.

    pygltflib deep-copies every number and string on the way to the dict (about 60 % of
    writing a GLB); those are immutable, so `_asdict` keeps them and copies the rest as
    pygltflib does. The dict, the pruning of empty keys and the encoder are pygltflib's;
    a test compares the bytes.
    """
    data = pygltflib.delete_empty_keys(_asdict(document))
    return json.dumps(
        data,
        cls=pygltflib.JsonEncoder,
        skipkeys=True,
        allow_nan=False,
        indent=indent,
        separators=separators,
        default=pygltflib.json_serial,
    )


_IMMUTABLE = (int, float, str, bool, type(None))
_field_names: dict[type, tuple[str, ...]] = {}


def _asdict(value):
    kind = type(value)
    if kind in _IMMUTABLE:
        return value
    if kind is pygltflib.Attributes:
        return copy.deepcopy(value.__dict__)
    names = _field_names.get(kind)
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _field_names[kind] = tuple(field.name for field in dataclasses.fields(value))
    if names is not None:
        return {name: _asdict(getattr(value, name)) for name in names}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return kind(*[_asdict(v) for v in value])
    if isinstance(value, list | tuple):
        return kind(_asdict(v) for v in value)
    if isinstance(value, dict):
        return kind((_asdict(k), _asdict(v)) for k, v in value.items())
    return copy.deepcopy(value)


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

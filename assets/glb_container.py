"""Read and write the GLB container (12-byte header, JSON chunk, BIN chunk): the only code that does.

`glb_split` checks a GLB's container and returns its JSON document with where the BIN chunk
lies in the caller's bytes; `glb_read` also copies the BIN chunk out; `glb_pack` assembles a
GLB from a document and a BIN blob, byte for byte deterministically. `assets.glb` validates
what is inside; the local provider and the optimize stage read and write through here.

The reader and writer are hand-written rather than pygltflib's (a dependency of the project
for other tools): an upload must be bounded before anything is allocated for it, so the
reader checks every declared length against the file and the JSON chunk's size against
`FORGE_GLB_MAX_JSON_BYTES` before parsing, and never copies the BIN chunk to validate it,
while pygltflib's loader parses the whole document into objects and copies the binary blob
first. The writer's exact bytes (compact JSON, space padding, zero padding) are what the
local provider's determinism and recorded SHA-256s rest on; pygltflib serialises differently.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from typing import Any

from forge.exceptions import ValidationFailedError

GLB_MAGIC = b"glTF"
CHUNK_JSON = 0x4E4F534A
CHUNK_BIN = 0x004E4942
HEADER_SIZE = 12
CHUNK_HEADER_SIZE = 8
MIN_GLB_SIZE = HEADER_SIZE + CHUNK_HEADER_SIZE


class GlbInvalidError(ValidationFailedError):
    """A GLB that cannot be accepted; the message says why, for the person who sent it."""

    default_message = "The file is not a valid GLB."

    def __init__(self, message: str, *, reason: str, **extra: Any):
        self.reason = reason
        super().__init__(message, details={"file": [message], "reason": reason, **extra})


@dataclass(frozen=True)
class GlbChunks:
    """A GLB's parsed JSON document and where its BIN chunk lies (None when it has none)."""

    document: dict
    bin_offset: int | None
    bin_length: int


def format_size(size: int) -> str:
    """Return `size` in bytes as a short label ("50 MB", "4 KB", "17 bytes")."""
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MB"
    if size >= 1024 and size % 1024 == 0:
        return f"{size // 1024} KB"
    return f"{size} bytes"


def glb_split(
    data: bytes, *, max_size: int | None = None, max_json_size: int | None = None
) -> GlbChunks:
    """Check the container of `data` and return its document and BIN chunk position.

    Raises `GlbInvalidError` (reasons too_large, too_short, bad_magic, bad_version,
    length_mismatch, bad_json, json_too_large, bad_chunk). Unknown chunk types are skipped;
    the first BIN chunk after the JSON chunk holds buffers[0].
    """
    size = len(data)
    if max_size is not None and size > max_size:
        raise GlbInvalidError(
            f"The file is larger than the {format_size(max_size)} limit.",
            reason="too_large",
            limit=max_size,
        )
    if size < MIN_GLB_SIZE:
        raise GlbInvalidError(
            f"The file is too short to be a GLB ({size} bytes; a GLB has at least {MIN_GLB_SIZE}).",
            reason="too_short",
        )
    if data[:4] != GLB_MAGIC:
        raise GlbInvalidError(
            "Not a GLB file: the first four bytes are not 'glTF'.", reason="bad_magic"
        )
    version, declared = struct.unpack_from("<II", data, 4)
    if version != 2:
        raise GlbInvalidError(
            f"Unsupported GLB version {version}; only glTF 2.0 binary (version 2) is accepted.",
            reason="bad_version",
        )
    if declared != size:
        raise GlbInvalidError(
            f"The GLB header says {declared} bytes but the file has {size}.",
            reason="length_mismatch",
        )
    json_length, json_type = struct.unpack_from("<II", data, HEADER_SIZE)
    json_start = MIN_GLB_SIZE
    if json_type != CHUNK_JSON or json_start + json_length > size:
        raise GlbInvalidError("The JSON chunk is missing or not valid JSON.", reason="bad_json")
    if max_json_size is not None and json_length > max_json_size:
        raise GlbInvalidError(
            f"The JSON chunk is {json_length} bytes; the limit is {format_size(max_json_size)}.",
            reason="json_too_large",
            limit=max_json_size,
        )
    try:
        document = json.loads(data[json_start : json_start + json_length].decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # decode, parse, and int-size errors
        raise GlbInvalidError(
            "The JSON chunk is missing or not valid JSON.", reason="bad_json"
        ) from exc
    if not isinstance(document, dict):
        raise GlbInvalidError("The JSON chunk is missing or not valid JSON.", reason="bad_json")

    offset = json_start + ((json_length + 3) & ~3)
    while offset + CHUNK_HEADER_SIZE <= size:
        length, kind = struct.unpack_from("<II", data, offset)
        start = offset + CHUNK_HEADER_SIZE
        if start + length > size:
            raise GlbInvalidError(
                f"A chunk at byte {offset} says it has {length} bytes, past the end of the file.",
                reason="bad_chunk",
            )
        if kind == CHUNK_BIN:
            return GlbChunks(document=document, bin_offset=start, bin_length=length)
        offset = start + ((length + 3) & ~3)
    return GlbChunks(document=document, bin_offset=None, bin_length=0)


def glb_read(data: bytes) -> tuple[dict, bytes]:
    """Return the JSON document and a copy of the BIN chunk (empty if absent) of GLB `data`."""
    chunks = glb_split(data)
    if chunks.bin_offset is None:
        return chunks.document, b""
    return chunks.document, bytes(data[chunks.bin_offset : chunks.bin_offset + chunks.bin_length])


def glb_pack(document: dict, binary: bytes) -> bytes:
    """Assemble header, JSON chunk and BIN chunk (omitted when `binary` is empty) into a GLB."""
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((-len(text)) % 4)
    blob = binary + b"\x00" * ((-len(binary)) % 4)
    total = HEADER_SIZE + CHUNK_HEADER_SIZE + len(text)
    total += CHUNK_HEADER_SIZE + len(blob) if blob else 0
    out = [
        GLB_MAGIC + struct.pack("<II", 2, total),
        struct.pack("<II", len(text), CHUNK_JSON),
        text,
    ]
    if blob:
        out += [struct.pack("<II", len(blob), CHUNK_BIN), blob]
    return b"".join(out)

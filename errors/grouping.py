"""Fingerprints: which occurrences are the same error."""

import hashlib
import re
import traceback
from pathlib import Path

from django.conf import settings

_UUID = re.compile(
    r"\b[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\b"
)
_HEX = re.compile(
    r"\b(?:0x[0-9a-fA-F]+|(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{6,})\b"
)
_NUMBER = re.compile(r"(?<![A-Za-z_])\d+(?:\.\d+)?")
_APP_ROOT = str(Path(settings.BASE_DIR).resolve())
_NOT_APP = ("site-packages", "dist-packages", "/.venv/", "/lib/python")


def message_normalize(message: str) -> str:
    """Replace the parts of `message` that vary between occurrences of one error."""
    message = _UUID.sub("<uuid>", message)
    message = _HEX.sub("<hex>", message)
    return _NUMBER.sub("<n>", message)


def is_in_app(filename: str) -> bool:
    """Say whether a stack frame's file is Forge's own code (not a library)."""
    return filename.startswith(_APP_ROOT) and not any(part in filename for part in _NOT_APP)


def frames_in_app(exc: BaseException | None) -> list[traceback.FrameSummary]:
    """Return the exception's stack frames that belong to Forge's own code, innermost last."""
    if exc is None or exc.__traceback__ is None:
        return []
    return [f for f in traceback.extract_tb(exc.__traceback__) if is_in_app(f.filename)]


def frame_label(frame: traceback.FrameSummary) -> str:
    """Return `module.function` for a frame (no line numbers: they move between releases)."""
    relative = Path(frame.filename).resolve().relative_to(_APP_ROOT).with_suffix("")
    return ".".join(relative.parts) + "." + frame.name


def fingerprint_compute(
    *,
    error_type: str,
    route: str,
    message: str,
    frames: list[str],
    external_service: str | None = None,
    explicit: str | None = None,
) -> str:
    """Return the group key: a hash of the explicit fingerprint or of what identifies the error."""
    if explicit:
        parts = ["explicit", explicit]
    else:
        top = frames[-settings.FORGE_ERRORS_FINGERPRINT_FRAMES :] if frames else []
        parts = [error_type, route, message_normalize(message), external_service or "", *top]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

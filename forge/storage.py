"""Whole-directory helpers over Django's storage API (local or object storage alike)."""

import os
from datetime import datetime

from django.core.files.storage import default_storage


def storage_tree_delete(path: str) -> int:
    """Delete every file under `path` in the default storage; return how many were deleted."""
    try:
        directories, files = default_storage.listdir(path)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    deleted = 0
    for name in files:
        default_storage.delete(f"{path}/{name}")
        deleted += 1
    for name in directories:
        deleted += storage_tree_delete(f"{path}/{name}")
    full = getattr(default_storage, "path", None)
    if full is not None:  # local storage keeps empty directories around
        try:
            os.rmdir(full(path))
        except OSError:
            pass  # not empty (a file arrived meanwhile) or already gone
    return deleted


def storage_tree_newest(path: str) -> datetime | None:
    """Return when the newest file under `path` was last modified, or None if there is none."""
    try:
        directories, files = default_storage.listdir(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    times = [default_storage.get_modified_time(f"{path}/{name}") for name in files]
    times += [t for name in directories if (t := storage_tree_newest(f"{path}/{name}"))]
    return max(times, default=None)

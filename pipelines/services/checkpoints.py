"""Checkpoints: the files a run's stages write, kept per attempt so a resumed run skips work.

Files live under `pipelines/<id>/<stage>/a<attempt>/`: deterministic per attempt, so a
stale worker can never overwrite a newer attempt's file. They are deleted once the run ends.
"""

import structlog
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from forge.storage import storage_replace, storage_tree_delete

log = structlog.get_logger("pipelines")


def checkpoint_key(pipeline_id, stage: str, attempt: int, name: str) -> str:
    """Return the storage key of file `name` written by `stage` in run `attempt`."""
    return f"pipelines/{pipeline_id}/{stage}/a{attempt}/{name}"


def checkpoint_save(key: str, data: bytes) -> str:
    """Store `data` under `key`, replacing what an earlier try of this attempt left there."""
    return storage_replace(key, ContentFile(data))


def checkpoint_load(key: str) -> bytes:
    """Return the file stored under `key`."""
    with default_storage.open(key, "rb") as handle:
        return handle.read()


class Checkpoints:
    """One attempt's checkpoints: written to storage, kept in memory for its later stages."""

    def __init__(self, pipeline_id, attempt: int):
        self.pipeline_id = pipeline_id
        self.attempt = attempt
        self.blobs: dict[str, bytes] = {}

    def save(self, stage: str, filename: str, data: bytes) -> str:
        """Store a stage output for resuming, and keep it for this run's later stages."""
        key = checkpoint_save(checkpoint_key(self.pipeline_id, stage, self.attempt, filename), data)
        self.blobs[key] = data
        return key

    def load(self, key: str) -> bytes:
        """Return a stage output: from this run's memory, or from storage after a resume."""
        data = self.blobs.get(key)
        return data if data is not None else checkpoint_load(key)

    def exists(self, key: str) -> bool:
        """Return whether the checkpoint `key` is still there."""
        return key in self.blobs or default_storage.exists(key)


def pipeline_files_delete(*, pipeline_id) -> int:
    """Delete every checkpoint file of pipeline `pipeline_id`; return how many were deleted."""
    return storage_tree_delete(f"pipelines/{pipeline_id}")


def files_delete_on_commit(pipeline_id) -> None:
    """Delete the checkpoint files of `pipeline_id` once the current transaction commits."""

    def delete() -> None:
        try:
            pipeline_files_delete(pipeline_id=pipeline_id)
        except Exception:  # the daily cleanup sweeps anything left behind
            log.exception("pipeline_files_delete_failed", pipeline_id=str(pipeline_id))

    transaction.on_commit(delete)

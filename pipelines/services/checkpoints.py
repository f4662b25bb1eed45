"""Checkpoints: the files a run's stages write, kept per attempt so a resumed run skips work.

Files live under `pipelines/<id>/<stage>/a<attempt>/`: deterministic per attempt, so a
stale worker can never overwrite a newer attempt's file. They are deleted once the run ends,
after its last write commits, by a background thread of the worker process: the run's last
stage never waits for the storage. A process that dies before its thread gets to them
leaves them to the daily clean-up (`pipelines.services.maintenance`).
"""

import atexit
import queue
import threading

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


class _Deleter:
    """One daemon thread per process deleting finished runs' checkpoint files in order."""

    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def put(self, pipeline_id) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self._loop, name="checkpoint-cleanup", daemon=True
                )
                self.thread.start()
        self.queue.put(pipeline_id)

    def _loop(self) -> None:
        while True:
            pipeline_id = self.queue.get()
            try:
                pipeline_files_delete(pipeline_id=pipeline_id)
            except Exception:  # the daily cleanup sweeps anything left behind
                log.exception("pipeline_files_delete_failed", pipeline_id=str(pipeline_id))
            finally:
                self.queue.task_done()

    def flush(self) -> None:
        if self.thread is not None and self.thread.is_alive():
            self.queue.join()


_deleter = _Deleter()


def files_delete_on_commit(pipeline_id) -> None:
    """Delete the checkpoint files of `pipeline_id` in the background once the transaction commits."""
    transaction.on_commit(lambda: _deleter.put(pipeline_id))


def checkpoint_cleanup_flush() -> None:
    """Wait until this process deleted every finished run's checkpoint files handed to it."""
    _deleter.flush()


atexit.register(checkpoint_cleanup_flush)

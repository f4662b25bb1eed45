"""Files of assets and variants: written through the storage API, never left orphaned.

A service that writes files inside a transaction calls `files_guard_rollback(names)`: if the
transaction (or any enclosing savepoint) rolls back, the files are deleted; if it commits,
they stay. Deleting files of deleted rows goes through `files_delete_on_commit(names)`.

Django has no "on rollback" hook, so the guard is a callback registered with
`transaction.on_commit`: a commit runs it (marking the files as kept); a rollback discards it
from the connection's pending list, and its finalizer then deletes the files. CPython frees
the discarded callback at once, so the deletion happens when the rollback does.
"""

import weakref
from collections.abc import Iterable

import structlog
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

log = structlog.get_logger("assets.files")


def file_write(*, name: str, data: bytes) -> str:
    """Store `data` under `name` (or the free name the storage picks) and return the name."""
    return default_storage.save(name, ContentFile(data))


def files_delete(names: Iterable[str]) -> None:
    """Delete the stored files `names`, logging (not raising) a failure per file."""
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except OSError:  # a file deletion must never fail the work that caused it
            log.exception("asset_file_delete_failed", name=name)


class _KeepOnCommit:
    """The on-commit callback of a rollback guard; its finalizer deletes uncommitted files."""

    def __init__(self, names: list[str]):
        self.state = {"committed": False}
        weakref.finalize(self, _delete_unless_committed, list(names), self.state)

    def __call__(self) -> None:
        self.state["committed"] = True


def _delete_unless_committed(names: list[str], state: dict) -> None:
    if not state["committed"]:
        log.info("asset_files_rolled_back", count=len(names))
        files_delete(names)


def files_guard_rollback(names: Iterable[str]) -> None:
    """Delete the just-written files `names` if the current transaction rolls back."""
    transaction.on_commit(_KeepOnCommit(list(names)))


def files_delete_on_commit(names: Iterable[str]) -> None:
    """Delete the files `names` once the current transaction commits, never if it rolls back."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: files_delete(names))

"""The safe way to cause side effects from a service: only once the transaction commits."""

from typing import Any

import structlog
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

log = structlog.get_logger("forge.oncommit")


def enqueue_on_commit(func: str, *args: Any, **kwargs: Any) -> None:
    """Enqueue the django-q2 task `func` so workers see it only if the transaction commits.

    With the ORM broker on the default database the queue row is written inside the
    current transaction: it commits or rolls back with the rows that caused it, so a
    crash between the two can neither lose the job nor run it for a rolled-back row.
    Any other broker is enqueued after commit.
    """
    from django_q.tasks import async_task

    q = settings.Q_CLUSTER
    if q.get("sync") or q.get("orm") != "default":
        transaction.on_commit(lambda: async_task(func, *args, **kwargs))
        return
    async_task(func, *args, **kwargs)


def broadcast(group: str, event: dict[str, Any]) -> bool:
    """Send `event` to a channel group now; log and return False if the layer fails."""
    try:
        async_to_sync(get_channel_layer().group_send)(group, event)
    except Exception:  # publishing must never fail the work that caused it
        log.exception("broadcast_failed", group=group, event_type=event.get("type"))
        return False
    return True


def broadcast_on_commit(group: str, event: dict[str, Any]) -> None:
    """Send `event` to `group` after the current transaction commits, never if it rolls back."""
    transaction.on_commit(lambda: broadcast(group, event))

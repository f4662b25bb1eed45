"""Fold floods of one error into a single occurrence row per group and hour.

A flood of authentication failures or 429s (700 random bearer tokens in 20 s) should
count 700 in its group without writing 700 rows. For the error codes in
`FORGE_ERRORS_COALESCE_CODES`, the first event of a group in an hour is stored in full;
the rest of that hour add 1 to that row's `repeats` and to the group's `times_seen`, in
one statement. Every count (roll-ups, live charts, bursts, ignore rates) sums
`1 + repeats`, so the dashboard's numbers stay exact. Which row stands for the hour is
remembered in the shared cache (Redis), so every process folds into the same row.
"""

from datetime import datetime

import structlog
from django.core.cache import cache
from django.db import connections

from errors.models import ErrorOccurrence

log = structlog.get_logger("errors")
_TTL_SECONDS = 3600 + 300  # the hour, plus a margin for clock skew between processes

# Folds only into a group that is unresolved or ignored forever: any other status has a
# transition (regression, an ignore condition) that the full recording path decides.
# A fold commits without waiting for the WAL flush (`synchronous_commit` off for its own
# transaction only): a crash can lose the last few folded counts, never a row, and a 429
# or 401 no longer waits for an fsync.
_FOLD_SQL = """
WITH quick AS (SELECT set_config('synchronous_commit', 'off', true)),
o AS (
    UPDATE errors_erroroccurrence AS o SET repeats = o.repeats + 1
    FROM errors_errorgroup AS g
    WHERE o.id = %(id)s AND g.id = o.group_id AND g.fingerprint = %(fingerprint)s
      AND (g.status = 'unresolved' OR (g.status = 'ignored' AND g.ignore_condition = 'forever'))
    RETURNING o.id, o.group_id, o.occurred_at, o.repeats
), g AS (
    UPDATE errors_errorgroup AS g
    SET times_seen = g.times_seen + 1, last_seen = GREATEST(g.last_seen, %(now)s)
    FROM o WHERE g.id = o.group_id
    RETURNING g.id
)
SELECT o.id, o.group_id, o.occurred_at, o.repeats FROM quick, o, g
"""


def _key(fingerprint: str, now: datetime) -> str:
    return f"errors:repeat:{fingerprint}:{now:%Y%m%d%H}"


def occurrence_repeat_fold(
    *, fingerprint: str, alias: str, now: datetime
) -> ErrorOccurrence | None:
    """Count one more event into this hour's row of `fingerprint`; None if there is none yet."""
    try:
        occurrence_id = cache.get(_key(fingerprint, now))
        if occurrence_id is None:
            return None
        with connections[alias].cursor() as cursor:
            cursor.execute(_FOLD_SQL, {"id": occurrence_id, "fingerprint": fingerprint, "now": now})
            row = cursor.fetchone()
    except Exception:  # no cache or no row: the event is recorded in full instead
        log.warning("error_repeat_fold_failed", exc_info=True)
        return None
    if row is None:
        return None
    occurrence = ErrorOccurrence(id=row[0], group_id=row[1], occurred_at=row[2], repeats=row[3])
    occurrence._state.adding = False
    occurrence._state.db = alias
    return occurrence


def occurrence_repeat_remember(*, occurrence: ErrorOccurrence, now: datetime) -> None:
    """Make `occurrence` the row this hour's further events of its group fold into."""
    try:
        cache.add(_key(occurrence.fingerprint, now), occurrence.id, timeout=_TTL_SECONDS)
    except Exception:  # without the cache every event keeps its own row
        log.warning("error_repeat_remember_failed", exc_info=True)

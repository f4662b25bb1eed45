"""Record an error occurrence in its group.

`error_record` is the one public entry point other apps call. It never raises into its
caller and its write survives the rollback of the caller's transaction: when the caller
holds a transaction open on `default`, the record goes through the separate `errors`
connection (same database, own transaction); otherwise the `default` connection is in
autocommit and the single recording statement commits by itself.
"""

import json
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from errors import grouping, scrubbing
from errors.categories import category_for_exception
from errors.context import RequestContext
from errors.metrics import error_occurrences
from errors.models import (
    SEVERITY_ORDER,
    ErrorCategory,
    ErrorGroupAction,
    ErrorGroupStatus,
    ErrorIgnoreCondition,
    ErrorOccurrence,
    ErrorSeverity,
    occurrence_events,
)
from errors.routers import RECORDING_ALIAS
from errors.services.groups import _group_reopen_automatically
from errors.services.repeats import occurrence_repeat_fold, occurrence_repeat_remember
from forge.requestid import request_id_get

log = structlog.get_logger("errors")

MAX_MESSAGE_CHARS = 4000
MAX_STACK_CHARS = 64_000
_SEVERITIES = frozenset(ErrorSeverity.values)
_CATEGORIES = frozenset(ErrorCategory.values)


# ---------------------------------------------------------------- recording


@dataclass
class PreparedError:
    """An occurrence ready to store: scrubbed, truncated, with its fingerprint."""

    fingerprint: str
    title: str
    culprit: str
    error_type: str
    severity: str
    category: str
    external_service: str | None
    error_code: str
    route: str
    method: str
    http_status: int | None
    request_id: str
    message: str
    stack_trace: str
    context: dict = field(default_factory=dict)
    user_id: int | None = None
    # Events reported through the ingest endpoints (errors/ingest/event.py).
    project_id: int | None = None
    environment: str = ""
    release: str = ""


def severity_at_least(severity: str, minimum: str) -> bool:
    """Say whether `severity` is `minimum` or more severe."""
    try:
        return SEVERITY_ORDER.index(severity) >= SEVERITY_ORDER.index(minimum)
    except ValueError:
        return False


def _error_type(exc: BaseException | None) -> str:
    if exc is None:
        return ""
    cls = type(exc)
    return (
        cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    )


def _prepare(
    *,
    exc: BaseException | None,
    message: str | None,
    severity: str,
    category: str,
    external_service: str | None,
    error_code: str,
    request_context: RequestContext | None,
    route: str,
    method: str,
    http_status: int | None,
    user: Any,
    request_id: str | None,
    context: dict | None,
    fingerprint: str | None,
) -> PreparedError:
    rc = request_context or RequestContext()
    route = route or rc.route
    method = (method or rc.method).upper()
    if user is not None:
        user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    else:
        user_id = rc.user_id
    if request_id is None:
        request_id = rc.request_id or request_id_get()

    error_type = _error_type(exc)
    if exc is not None:
        if external_service is None:
            external_service = getattr(exc, "service", None) or None
        if category == ErrorCategory.INTERNAL:
            category = category_for_exception(exc)
        if not error_code:
            error_code = str(getattr(exc, "code", "") or "")[:64]
    severity = severity if severity in _SEVERITIES else ErrorSeverity.ERROR
    category = category if category in _CATEGORIES else ErrorCategory.INTERNAL
    # Any of these may carry client input; what PostgreSQL cannot store must not stop the record.
    storable = scrubbing.text_storable
    route, method, error_code = (
        storable(str(route)),
        storable(str(method)),
        storable(str(error_code)),
    )
    request_id = storable(str(request_id or ""))
    external_service = storable(str(external_service)) if external_service else None
    fingerprint = storable(str(fingerprint)) if fingerprint else None

    raw_message = message if message else (str(exc) if exc is not None else "")
    clean_message = scrubbing.scrub_text(raw_message or error_type or category)[:MAX_MESSAGE_CHARS]
    stack = ""
    frames: list[str] = []
    if exc is not None and exc.__traceback__ is not None:
        trace = traceback.TracebackException.from_exception(exc)
        stack = scrubbing.scrub_text("".join(trace.format()))[-MAX_STACK_CHARS:]
        frames = [grouping.frame_label(f) for f in trace.stack if grouping.is_in_app(f.filename)]

    short_type = type(exc).__name__ if exc is not None else ""
    first_line = clean_message.splitlines()[0] if clean_message else ""
    title = f"{short_type}: {first_line}" if short_type else first_line
    if external_service and not short_type:
        title = f"{external_service}: {title}"
    if route:
        culprit = f"{method} {route}".strip()
    elif frames:
        culprit = frames[-1]
    else:
        culprit = error_code or category

    full_context = dict(rc.data)
    if context:
        full_context["extra"] = context
    return PreparedError(
        fingerprint=grouping.fingerprint_compute(
            error_type=error_type or category,
            route=route,
            message=clean_message,
            frames=frames,
            external_service=external_service,
            explicit=fingerprint,
        ),
        title=title[:255] or "Error",
        culprit=culprit[:255],
        error_type=error_type[:255],
        severity=severity,
        category=category,
        external_service=(external_service or None) and str(external_service)[:64],
        error_code=error_code[:64],
        route=route[:255],
        method=method[:10],
        http_status=http_status,
        request_id=(request_id or "")[:128],
        message=clean_message,
        stack_trace=stack,
        context=scrubbing.scrub_data(full_context),
        user_id=user_id,
    )


# The severity order is SEVERITY_ORDER (models.py); every value is a bound parameter.
# A fingerprint merged into another group (an alias) counts into that group instead.
_RECORD_SQL = """
WITH a AS (
    SELECT group_id FROM errors_errorfingerprintalias WHERE fingerprint = %(fingerprint)s
), ga AS (
    UPDATE errors_errorgroup SET
        times_seen = errors_errorgroup.times_seen + 1,
        last_seen = GREATEST(errors_errorgroup.last_seen, %(now)s),
        severity = CASE
            WHEN array_position(ARRAY['debug','info','warning','error','critical'], %(severity)s::text)
               > array_position(ARRAY['debug','info','warning','error','critical'], errors_errorgroup.severity::text)
            THEN %(severity)s ELSE errors_errorgroup.severity END
    WHERE id = (SELECT group_id FROM a)
    RETURNING id, false AS created, status, resolved_at, ignore_condition, ignore_until,
              ignore_threshold
), gi AS (
    INSERT INTO errors_errorgroup (
        fingerprint, title, culprit, error_type, severity, category, external_service,
        first_seen, last_seen, times_seen, status, resolution_note, ignore_condition,
        alert_pending
    ) SELECT
        %(fingerprint)s, %(title)s, %(culprit)s, %(error_type)s, %(severity)s, %(category)s,
        %(external_service)s, %(now)s, %(now)s, 1, 'unresolved', '', '', %(alert_pending)s
    WHERE NOT EXISTS (SELECT 1 FROM a)
    ON CONFLICT (fingerprint) DO UPDATE SET
        times_seen = errors_errorgroup.times_seen + 1,
        last_seen = GREATEST(errors_errorgroup.last_seen, EXCLUDED.last_seen),
        severity = CASE
            WHEN array_position(ARRAY['debug','info','warning','error','critical'], EXCLUDED.severity::text)
               > array_position(ARRAY['debug','info','warning','error','critical'], errors_errorgroup.severity::text)
            THEN EXCLUDED.severity ELSE errors_errorgroup.severity END
    RETURNING id, (xmax = 0) AS created, status, resolved_at, ignore_condition,
              ignore_until, ignore_threshold
), g AS (
    SELECT * FROM ga UNION ALL SELECT * FROM gi
), o AS (
    INSERT INTO errors_erroroccurrence (
        group_id, occurred_at, request_id, route, method, http_status, severity, category,
        external_service, error_type, error_code, message, stack_trace, context, user_id,
        fingerprint
    )
    SELECT g.id, %(now)s, %(request_id)s, %(route)s, %(method)s, %(http_status)s,
           %(severity)s, %(category)s, %(external_service)s, %(error_type)s, %(error_code)s,
           %(message)s, %(stack_trace)s, %(context)s::jsonb, %(user_id)s, %(fingerprint)s
    FROM g
    RETURNING id
)
SELECT g.id, g.created, g.status, g.resolved_at, g.ignore_condition, g.ignore_until,
       g.ignore_threshold, o.id
FROM g, o
"""

# The same statement as its own transaction with an asynchronous commit: it does not wait
# for the WAL flush (the dominant cost). A database crash in the next ~0.6 s may lose the
# record; the data stays consistent. Only used when the statement is its own transaction.
_RECORD_ASYNC_SQL = (
    "WITH cfg AS (SELECT set_config('synchronous_commit', 'off', true)),"
    + _RECORD_SQL.strip().removeprefix("WITH")
    + ", cfg"
)


def _caller_in_transaction() -> bool:
    """Say whether the caller holds a transaction open on `default` (one that may roll back).

    A test case's own wrapping transaction is not the caller's: writing inside it keeps
    tests isolated, and Django marks those blocks with `_from_testcase`.
    """
    conn = connections["default"]
    if conn.in_atomic_block:
        return not all(getattr(b, "_from_testcase", False) for b in conn.atomic_blocks)
    return conn.connection is not None and not conn.get_autocommit()


def _store(
    p: PreparedError, *, alias: str, now: datetime, own_transaction: bool = True
) -> ErrorOccurrence:
    params = {
        "fingerprint": p.fingerprint,
        "title": p.title,
        "culprit": p.culprit,
        "error_type": p.error_type,
        "severity": p.severity,
        "category": p.category,
        "external_service": p.external_service,
        "now": now,
        "alert_pending": "new"
        if severity_at_least(p.severity, settings.FORGE_ERRORS_ALERT_MIN_SEVERITY)
        else "",
        "request_id": p.request_id,
        "route": p.route,
        "method": p.method,
        "http_status": p.http_status,
        "error_code": p.error_code,
        "message": p.message,
        "stack_trace": p.stack_trace,
        "context": json.dumps(p.context, default=str),
        "user_id": p.user_id,
    }
    own_transaction = own_transaction and not connections[alias].in_atomic_block
    with connections[alias].cursor() as cursor:
        cursor.execute(_RECORD_ASYNC_SQL if own_transaction else _RECORD_SQL, params)
        group_id, created, status, resolved_at, condition, until, threshold, occ_id = (
            cursor.fetchone()
        )
    _transition_after_events(
        alias=alias,
        group_id=group_id,
        status=status,
        resolved_at=resolved_at,
        condition=condition,
        until=until,
        threshold=threshold,
        now=now,
    )
    occurrence = ErrorOccurrence(
        id=occ_id,
        group_id=group_id,
        occurred_at=now,
        request_id=p.request_id,
        route=p.route,
        method=p.method,
        http_status=p.http_status,
        severity=p.severity,
        category=p.category,
        external_service=p.external_service,
        error_type=p.error_type,
        error_code=p.error_code,
        message=p.message,
        stack_trace=p.stack_trace,
        context=p.context,
        user_id=p.user_id,
        fingerprint=p.fingerprint,
    )
    occurrence._state.adding = False
    occurrence._state.db = alias
    return occurrence


def _ignore_condition_met(
    *,
    alias: str,
    group_id: int,
    condition: str,
    until: datetime | None,
    threshold: int | None,
    now: datetime,
) -> str:
    if condition == ErrorIgnoreCondition.UNTIL_DATE and until is not None and until <= now:
        return f"Ignored until {until:%Y-%m-%d %H:%M} UTC; that time has passed."
    if condition == ErrorIgnoreCondition.UNTIL_RATE and threshold is not None:
        count = (
            ErrorOccurrence.objects.using(alias)
            .filter(group_id=group_id, occurred_at__gt=now - timedelta(hours=1))
            .aggregate(n=occurrence_events())["n"]
            or 0
        )
        if count > threshold:
            return f"Occurred {count} times in the last hour, more than the {threshold} tolerated."
    return ""


def error_record(
    *,
    exc: BaseException | None = None,
    message: str | None = None,
    severity: str = "error",
    category: str = "internal",
    external_service: str | None = None,
    error_code: str = "",
    request_context: RequestContext | None = None,
    route: str = "",
    method: str = "",
    http_status: int | None = None,
    user: Any = None,
    request_id: str | None = None,
    context: dict | None = None,
    fingerprint: str | None = None,
    coalesce: bool = False,
) -> ErrorOccurrence | None:
    """Record an error occurrence in its group; return it, or None if recording failed.

    Never raises. Secrets are scrubbed before anything is stored. The write survives the
    rollback of the caller's transaction (see the module docstring). `request_context` is
    the request as plain data (`errors.context.request_context_extract`). With `coalesce`,
    an event whose group already has a row this hour only counts into that row
    (`errors.services.repeats`), and the returned occurrence is that row.
    """
    error_occurrences.labels(severity).inc()
    try:
        prepared = _prepare(
            exc=exc,
            message=message,
            severity=severity,
            category=category,
            external_service=external_service,
            error_code=error_code,
            request_context=request_context,
            route=route,
            method=method,
            http_status=http_status,
            user=user,
            request_id=request_id,
            context=context,
            fingerprint=fingerprint,
        )
    except Exception:  # recording must never break the caller
        log.exception("error_record_failed", stage="prepare")
        return None
    now = timezone.now()
    in_transaction = _caller_in_transaction()
    alias = RECORDING_ALIAS if in_transaction else "default"
    if coalesce:
        folded = occurrence_repeat_fold(fingerprint=prepared.fingerprint, alias=alias, now=now)
        if folded is not None:
            return folded
    occurrence = _record(prepared, alias=alias, in_transaction=in_transaction, now=now)
    if coalesce and occurrence is not None:
        occurrence_repeat_remember(occurrence=occurrence, now=now)
    return occurrence


def _record(
    prepared: PreparedError, *, alias: str, in_transaction: bool, now: datetime
) -> ErrorOccurrence | None:
    try:
        try:
            return _store(prepared, alias=alias, now=now)
        except IntegrityError:
            # The user may exist only in the caller's uncommitted transaction.
            if prepared.user_id is None:
                raise
            prepared.context = {**prepared.context, "user_id": prepared.user_id}
            prepared.user_id = None
            return _store(prepared, alias=alias, now=now)
    except Exception:
        if not in_transaction:
            log.exception("error_record_failed", stage="store", alias=alias)
            return None
        log.warning("error_record_connection_failed", alias=alias, exc_info=True)
    # Last resort: the caller's own transaction, in a savepoint (lost if it rolls back).
    try:
        with transaction.atomic(using="default"):
            return _store(prepared, alias="default", now=now, own_transaction=False)
    except Exception:
        log.exception("error_record_failed", stage="store", alias="default")
        return None


# ---------------------------------------------------------------- batches (ingest)

_SEVERITY_MAX = """CASE
            WHEN array_position(ARRAY['debug','info','warning','error','critical'], {new}::text)
               > array_position(ARRAY['debug','info','warning','error','critical'], g.severity::text)
            THEN {new} ELSE g.severity END"""

_GROUPS_UPSERT_SQL = (
    """
INSERT INTO errors_errorgroup AS g (
    fingerprint, title, culprit, error_type, severity, category, external_service,
    first_seen, last_seen, times_seen, status, resolution_note, ignore_condition, alert_pending
)
SELECT v.f, v.t, v.c, v.e, v.s, v.cat, v.svc, v.fs, v.ls, v.n, 'unresolved', '', '', v.ap
FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[],
            %s::text[], %s::timestamptz[], %s::timestamptz[], %s::bigint[], %s::text[])
     AS v(f, t, c, e, s, cat, svc, fs, ls, n, ap)
ORDER BY v.f
ON CONFLICT (fingerprint) DO UPDATE SET
    times_seen = g.times_seen + EXCLUDED.times_seen,
    last_seen = GREATEST(g.last_seen, EXCLUDED.last_seen),
    severity = """
    + _SEVERITY_MAX.format(new="EXCLUDED.severity")
    + """
RETURNING g.id, g.fingerprint, g.status, g.resolved_at, g.ignore_condition, g.ignore_until,
          g.ignore_threshold, g.ignored_environments
"""
)

_GROUPS_ALIASED_SQL = (
    """
UPDATE errors_errorgroup AS g SET
    times_seen = g.times_seen + v.n,
    last_seen = GREATEST(g.last_seen, v.ls),
    severity = """
    + _SEVERITY_MAX.format(new="v.s")
    + """
FROM unnest(%s::bigint[], %s::bigint[], %s::timestamptz[], %s::text[]) AS v(id, n, ls, s)
WHERE g.id = v.id
RETURNING g.id, g.fingerprint, g.status, g.resolved_at, g.ignore_condition, g.ignore_until,
          g.ignore_threshold, g.ignored_environments
"""
)

# COPY, not INSERT: large contexts as one stream, without quoting them into SQL text.
_OCCURRENCES_COPY = """
COPY errors_erroroccurrence (
    group_id, occurred_at, request_id, route, method, http_status, severity, category,
    external_service, error_type, error_code, message, stack_trace, context, user_id,
    fingerprint, project_id, environment, release, repeats
) FROM STDIN
"""


@dataclass
class _Tally:
    first: PreparedError
    count: int
    first_at: datetime
    last_at: datetime
    severity: str
    environments: set[str]


def _max_severity(a: str, b: str) -> str:
    return b if SEVERITY_ORDER.index(b) > SEVERITY_ORDER.index(a) else a


def error_record_batch(
    *, events: list[tuple[PreparedError, datetime]], alias: str = "default"
) -> int:
    """Record prepared occurrences (each with when it happened) in a few set-based statements.

    Runs in the caller's transaction, so the caller can mark its sources processed in the
    same commit. Groups are upserted in fingerprint order (two workers never deadlock on
    them); a merged fingerprint counts into the group it was merged into. Regressions and
    ignore conditions are decided per group, as for a single record; events from an
    environment the group ignores count but never reopen it. Returns the rows written.
    """
    if not events:
        return 0
    fingerprints = sorted({p.fingerprint for p, _ in events})
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT fingerprint, group_id FROM errors_errorfingerprintalias "
            "WHERE fingerprint = ANY(%s)",
            [fingerprints],
        )
        aliases = dict(cursor.fetchall())
    tallies: dict[str | int, _Tally] = {}
    for p, at in events:
        key = aliases.get(p.fingerprint, p.fingerprint)
        tally = tallies.get(key)
        if tally is None:
            tallies[key] = _Tally(p, 1, at, at, p.severity, {p.environment})
        else:
            tally.count += 1
            tally.first_at = min(tally.first_at, at)
            tally.last_at = max(tally.last_at, at)
            tally.severity = _max_severity(tally.severity, p.severity)
            tally.environments.add(p.environment)
    new = sorted((k, t) for k, t in tallies.items() if isinstance(k, str))
    merged = sorted((k, t) for k, t in tallies.items() if not isinstance(k, str))
    minimum = settings.FORGE_ERRORS_ALERT_MIN_SEVERITY
    rows = []
    with connections[alias].cursor() as cursor:
        if new:
            cursor.execute(
                _GROUPS_UPSERT_SQL,
                [
                    [k for k, _ in new],
                    [t.first.title for _, t in new],
                    [t.first.culprit for _, t in new],
                    [t.first.error_type for _, t in new],
                    [t.severity for _, t in new],
                    [t.first.category for _, t in new],
                    [t.first.external_service for _, t in new],
                    [t.first_at for _, t in new],
                    [t.last_at for _, t in new],
                    [t.count for _, t in new],
                    ["new" if severity_at_least(t.severity, minimum) else "" for _, t in new],
                ],
            )
            rows += cursor.fetchall()
        if merged:
            cursor.execute(
                _GROUPS_ALIASED_SQL,
                [
                    [k for k, _ in merged],
                    [t.count for _, t in merged],
                    [t.last_at for _, t in merged],
                    [t.severity for _, t in merged],
                ],
            )
            rows += cursor.fetchall()
        group_of = {}
        for group_id, fingerprint, *_ in rows:
            group_of[fingerprint] = group_id
            group_of[group_id] = group_id
        ordered = [(p, at, group_of[aliases.get(p.fingerprint, p.fingerprint)]) for p, at in events]
    connection = connections[alias]
    connection.ensure_connection()
    with connection.connection.cursor() as raw, raw.copy(_OCCURRENCES_COPY) as copy:
        for p, at, group_id in ordered:
            copy.write_row(
                (
                    group_id, at, p.request_id, p.route, p.method, p.http_status, p.severity,
                    p.category, p.external_service, p.error_type, p.error_code, p.message,
                    p.stack_trace, json.dumps(p.context, default=str), p.user_id,
                    p.fingerprint, p.project_id, p.environment, p.release, 0,
                )
            )  # fmt: skip
    by_group = {row[0]: row[2:] for row in rows}
    for key, tally in tallies.items():
        group_id = group_of[key]
        status, resolved_at, condition, until, threshold, ignored_envs = by_group[group_id]
        if not (tally.environments - set(ignored_envs or [])):
            continue  # only environments this group ignores
        _transition_after_events(
            alias=alias,
            group_id=group_id,
            status=status,
            resolved_at=resolved_at,
            condition=condition,
            until=until,
            threshold=threshold,
            now=tally.last_at,
        )
    return len(events)


def _transition_after_events(
    *,
    alias: str,
    group_id: int,
    status: str,
    resolved_at: datetime | None,
    condition: str,
    until: datetime | None,
    threshold: int | None,
    now: datetime,
) -> None:
    """Reopen a resolved group (a regression) or an ignored one whose condition is met."""
    if status == ErrorGroupStatus.RESOLVED and (resolved_at is None or resolved_at <= now):
        _group_reopen_automatically(
            alias=alias,
            group_id=group_id,
            from_status=ErrorGroupStatus.RESOLVED,
            action=ErrorGroupAction.REGRESSION,
            note="Occurred again after it was resolved.",
            now=now,
        )
    elif status == ErrorGroupStatus.IGNORED:
        note = _ignore_condition_met(
            alias=alias,
            group_id=group_id,
            condition=condition,
            until=until,
            threshold=threshold,
            now=now,
        )
        if note:
            _group_reopen_automatically(
                alias=alias,
                group_id=group_id,
                from_status=ErrorGroupStatus.IGNORED,
                action=ErrorGroupAction.UNIGNORE,
                note=note,
                now=now,
            )

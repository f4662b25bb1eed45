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
class _Prepared:
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
) -> _Prepared:
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
    return _Prepared(
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
_RECORD_SQL = """
WITH g AS (
    INSERT INTO errors_errorgroup (
        fingerprint, title, culprit, error_type, severity, category, external_service,
        first_seen, last_seen, times_seen, status, resolution_note, ignore_condition,
        alert_pending
    ) VALUES (
        %(fingerprint)s, %(title)s, %(culprit)s, %(error_type)s, %(severity)s, %(category)s,
        %(external_service)s, %(now)s, %(now)s, 1, 'unresolved', '', '', %(alert_pending)s
    )
    ON CONFLICT (fingerprint) DO UPDATE SET
        times_seen = errors_errorgroup.times_seen + 1,
        last_seen = GREATEST(errors_errorgroup.last_seen, EXCLUDED.last_seen),
        severity = CASE
            WHEN array_position(ARRAY['debug','info','warning','error','critical'], EXCLUDED.severity::text)
               > array_position(ARRAY['debug','info','warning','error','critical'], errors_errorgroup.severity::text)
            THEN EXCLUDED.severity ELSE errors_errorgroup.severity END
    RETURNING id, (xmax = 0) AS created, status, resolved_at, ignore_condition,
              ignore_until, ignore_threshold
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
    p: _Prepared, *, alias: str, now: datetime, own_transaction: bool = True
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
    prepared: _Prepared, *, alias: str, in_transaction: bool, now: datetime
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

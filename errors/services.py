"""Errors: record occurrences, change group status, roll up, retain, alert.

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
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, connections, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from errors import grouping, scrubbing
from errors.models import (
    SEVERITY_ORDER,
    ErrorAggregationState,
    ErrorCategory,
    ErrorGroup,
    ErrorGroupAction,
    ErrorGroupActivity,
    ErrorGroupStatus,
    ErrorIgnoreCondition,
    ErrorOccurrence,
    ErrorSeverity,
)
from errors.routers import RECORDING_ALIAS
from forge.exceptions import ValidationFailedError

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


def category_for_exception(exc: BaseException) -> str:
    """Return the category an exception belongs to when the caller named none."""
    from django.db import DatabaseError

    from forge.exceptions import ApplicationError, ExternalServiceError

    if isinstance(exc, ExternalServiceError):
        return ErrorCategory.EXTERNAL_SERVICE
    if isinstance(exc, TimeoutError) or "timeout" in type(exc).__name__.lower():
        return ErrorCategory.TIMEOUT
    if isinstance(exc, DatabaseError):
        return ErrorCategory.DATABASE
    if isinstance(exc, ApplicationError):
        from errors.capture import CODE_CATEGORIES

        return CODE_CATEGORIES.get(str(exc.code), ErrorCategory.INTERNAL)
    return ErrorCategory.INTERNAL


def _prepare(
    *,
    exc: BaseException | None,
    message: str | None,
    severity: str,
    category: str,
    external_service: str | None,
    error_code: str,
    request: Any,
    route: str,
    method: str,
    http_status: int | None,
    user: Any,
    request_id: str | None,
    context: dict | None,
    fingerprint: str | None,
) -> _Prepared:
    from errors.capture import request_details

    details = request_details(request) if request is not None else {}
    route = route or details.get("route", "")
    method = (method or details.get("method", "")).upper()
    user = user if user is not None else details.get("user")
    user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    if request_id is None:
        from forge.requestid import request_id_get

        request_id = details.get("request_id") or request_id_get()

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

    full_context = dict(details.get("context", {}))
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
            .count()
        )
        if count > threshold:
            return f"Occurred {count} times in the last hour, more than the {threshold} tolerated."
    return ""


def _group_reopen_automatically(
    *,
    alias: str,
    group_id: int,
    from_status: str,
    action: str,
    note: str,
    now: datetime,
) -> bool:
    """Reopen a group by itself; the conditional UPDATE lets exactly one recorder win."""
    with transaction.atomic(using=alias):
        updates = {
            "status": ErrorGroupStatus.UNRESOLVED,
            "ignore_condition": "",
            "ignore_until": None,
            "ignore_threshold": None,
            "alert_pending": "regression" if action == ErrorGroupAction.REGRESSION else "reopened",
        }
        if action == ErrorGroupAction.REGRESSION:
            updates["regressed_at"] = now
        won = (
            ErrorGroup.objects.using(alias)
            .filter(id=group_id, status=from_status)
            .update(**updates)
        )
        if won:
            ErrorGroupActivity.objects.using(alias).create(
                group_id=group_id,
                created_at=now,
                actor=None,
                action=action,
                from_status=from_status,
                to_status=ErrorGroupStatus.UNRESOLVED,
                note=note,
            )
    return bool(won)


def error_record(
    *,
    exc: BaseException | None = None,
    message: str | None = None,
    severity: str = "error",
    category: str = "internal",
    external_service: str | None = None,
    error_code: str = "",
    request: Any = None,
    route: str = "",
    method: str = "",
    http_status: int | None = None,
    user: Any = None,
    request_id: str | None = None,
    context: dict | None = None,
    fingerprint: str | None = None,
) -> ErrorOccurrence | None:
    """Record an error occurrence in its group; return it, or None if recording failed.

    Never raises. Secrets are scrubbed before anything is stored. The write survives the
    rollback of the caller's transaction (see the module docstring).
    """
    try:
        prepared = _prepare(
            exc=exc,
            message=message,
            severity=severity,
            category=category,
            external_service=external_service,
            error_code=error_code,
            request=request,
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


# ---------------------------------------------------------------- staff actions


def _activity(
    *, group: ErrorGroup, actor: Any, action: str, from_status: str, note: str, now: datetime
) -> ErrorGroupActivity:
    activity = ErrorGroupActivity(
        group=group,
        created_at=now,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=group.status,
        note=note,
    )
    activity.full_clean()
    activity.save()
    return activity


def _locked(group: ErrorGroup | int) -> ErrorGroup:
    pk = group.pk if isinstance(group, ErrorGroup) else group
    return ErrorGroup.objects.select_for_update().get(pk=pk)


@transaction.atomic
def error_group_resolve(*, group: ErrorGroup | int, actor: Any, note: str = "") -> ErrorGroup:
    """Mark `group` resolved by `actor` with an optional note, and log it."""
    group = _locked(group)
    if group.status == ErrorGroupStatus.RESOLVED:
        return group
    now = timezone.now()
    from_status = group.status
    group.status = ErrorGroupStatus.RESOLVED
    group.resolved_by = actor
    group.resolved_at = now
    group.resolution_note = note.strip()
    group.ignore_condition, group.ignore_until, group.ignore_threshold = "", None, None
    group.alert_pending = ""
    group.save(
        update_fields=[
            "status",
            "resolved_by",
            "resolved_at",
            "resolution_note",
            "ignore_condition",
            "ignore_until",
            "ignore_threshold",
            "alert_pending",
        ]
    )
    _activity(
        group=group,
        actor=actor,
        action=ErrorGroupAction.RESOLVE,
        from_status=from_status,
        note=note.strip(),
        now=now,
    )
    return group


def error_ignore_validate(
    *, condition: str, reason: str = "", until: datetime | None = None, threshold: int | None = None
) -> None:
    """Raise `ValidationFailedError` unless the ignore condition is complete and sensible."""
    errors: dict[str, list[str]] = {}
    if condition not in ErrorIgnoreCondition.values:
        errors["ignore_condition"] = [
            "Choose forever, until a date, or until more than N per hour."
        ]
    elif condition == ErrorIgnoreCondition.FOREVER and not reason.strip():
        errors["note"] = ["Ignoring forever needs a reason."]
    elif condition == ErrorIgnoreCondition.UNTIL_DATE and (
        until is None or until <= timezone.now()
    ):
        errors["ignore_until"] = ["Give a date and time in the future."]
    elif condition == ErrorIgnoreCondition.UNTIL_RATE and (threshold is None or threshold < 1):
        errors["ignore_threshold"] = [
            "Give the number of occurrences per hour to tolerate (1 or more)."
        ]
    if errors:
        raise ValidationFailedError(next(iter(errors.values()))[0], details=errors)


@transaction.atomic
def error_group_ignore(
    *,
    group: ErrorGroup | int,
    actor: Any,
    condition: str,
    reason: str = "",
    until: datetime | None = None,
    threshold: int | None = None,
) -> ErrorGroup:
    """Ignore `group` under `condition` (forever needs a reason), and log it."""
    error_ignore_validate(condition=condition, reason=reason, until=until, threshold=threshold)
    group = _locked(group)
    now = timezone.now()
    from_status = group.status
    group.status = ErrorGroupStatus.IGNORED
    group.ignore_condition = condition
    group.ignore_until = until if condition == ErrorIgnoreCondition.UNTIL_DATE else None
    group.ignore_threshold = threshold if condition == ErrorIgnoreCondition.UNTIL_RATE else None
    group.alert_pending = ""
    group.save(
        update_fields=[
            "status",
            "ignore_condition",
            "ignore_until",
            "ignore_threshold",
            "alert_pending",
        ]
    )
    if condition == ErrorIgnoreCondition.UNTIL_DATE:
        summary = f"Ignored until {until:%Y-%m-%d %H:%M} UTC."
    elif condition == ErrorIgnoreCondition.UNTIL_RATE:
        summary = f"Ignored until it occurs more than {threshold} times in an hour."
    else:
        summary = "Ignored forever."
    note = f"{summary} {reason.strip()}".strip()
    _activity(
        group=group,
        actor=actor,
        action=ErrorGroupAction.IGNORE,
        from_status=from_status,
        note=note,
        now=now,
    )
    return group


@transaction.atomic
def error_group_reopen(*, group: ErrorGroup | int, actor: Any, note: str = "") -> ErrorGroup:
    """Mark `group` unresolved again by `actor` with an optional note, and log it."""
    group = _locked(group)
    if group.status == ErrorGroupStatus.UNRESOLVED:
        return group
    now = timezone.now()
    from_status = group.status
    group.status = ErrorGroupStatus.UNRESOLVED
    group.ignore_condition, group.ignore_until, group.ignore_threshold = "", None, None
    group.save(update_fields=["status", "ignore_condition", "ignore_until", "ignore_threshold"])
    _activity(
        group=group,
        actor=actor,
        action=ErrorGroupAction.REOPEN,
        from_status=from_status,
        note=note.strip(),
        now=now,
    )
    return group


@transaction.atomic
def error_groups_transition(
    *, groups: QuerySet | list, actor: Any, action: str, note: str = "", **ignore: Any
) -> int:
    """Apply `action` (resolve, ignore or reopen) to every group in `groups`; return how many changed."""
    if action == "ignore":
        error_ignore_validate(
            condition=ignore.get("condition", ""),
            reason=note,
            until=ignore.get("until"),
            threshold=ignore.get("threshold"),
        )
    ids = sorted(g.pk if isinstance(g, ErrorGroup) else g for g in groups)
    changed = 0
    for pk in ids:  # in id order, so concurrent bulk actions lock rows in the same order
        before = ErrorGroup.objects.filter(pk=pk).values_list("status", flat=True).first()
        if before is None:
            continue
        if action == "resolve":
            after = error_group_resolve(group=pk, actor=actor, note=note).status
        elif action == "reopen":
            after = error_group_reopen(group=pk, actor=actor, note=note).status
        elif action == "ignore":
            after = error_group_ignore(group=pk, actor=actor, reason=note, **ignore).status
            changed += 1
            continue
        else:
            raise ValidationFailedError(f"Unknown action {action!r}.")
        changed += int(before != after)
    return changed


# ---------------------------------------------------------------- roll-ups

# One statement, one scan of the occurrences: `base` counts per hour × group × key × user
# (hash aggregation, no sort of the raw rows); both roll-up tables are filled from it.
_AGGREGATE_SQL = """
WITH base AS MATERIALIZED (
    SELECT date_trunc('hour', occurred_at) AS hour, group_id, route, severity, category,
           COALESCE(external_service, '') AS service, user_id, count(*) AS n
    FROM errors_erroroccurrence
    WHERE occurred_at >= %(start)s AND occurred_at < %(end)s
    GROUP BY 1, 2, 3, 4, 5, 6, 7
), per_key AS (
    INSERT INTO errors_erroraggregation
        (hour, route, severity, category, external_service, count, users)
    SELECT hour, route, severity, category, service, sum(n), count(DISTINCT user_id)
    FROM base
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (hour, route, severity, category, external_service)
    DO UPDATE SET count = EXCLUDED.count, users = EXCLUDED.users
    RETURNING 1
)
INSERT INTO errors_errorgrouphourly (group_id, hour, count)
SELECT group_id, hour, sum(n) FROM base GROUP BY 1, 2
ON CONFLICT (group_id, hour) DO UPDATE SET count = EXCLUDED.count
RETURNING (SELECT count(*) FROM per_key)
"""

_AGGREGATION_LOCK = 0x6572726F7273  # "errors": one roll-up at a time


def hour_floor(moment: datetime) -> datetime:
    """Return the start of the hour containing `moment`."""
    return moment.replace(minute=0, second=0, microsecond=0)


@transaction.atomic
def error_aggregations_update(
    *, now: datetime | None = None, since: datetime | None = None
) -> dict[str, Any]:
    """Roll occurrences up per hour, redoing every hour since the last run; idempotent.

    Each hour's rows are recomputed from the raw occurrences (counts are set, never
    added), so running twice gives the same numbers and a run after downtime catches up
    on every missed hour. The previous hour is always redone, for late commits; `since`
    redoes everything from that moment too (a backfill).
    """
    now = now or timezone.now()
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AGGREGATION_LOCK])
        # Room to hash-aggregate a large catch-up in memory (this transaction only).
        cursor.execute("SET LOCAL work_mem = '128MB'")
    state = ErrorAggregationState.objects.filter(key="hourly").first()
    if state is not None:
        start = state.aggregated_until - timedelta(hours=1)
    else:
        first = (
            ErrorOccurrence.objects.order_by("occurred_at")
            .values_list("occurred_at", flat=True)
            .first()
        )
        start = hour_floor(first or now)
    if since is not None:
        start = min(start, hour_floor(since))
    end = hour_floor(now) + timedelta(hours=1)
    params = {"start": start, "end": end}
    with connections["default"].cursor() as cursor:
        cursor.execute(_AGGREGATE_SQL, params)
        returned = cursor.fetchall()
        rows = returned[0][0] if returned else 0
    ErrorAggregationState.objects.update_or_create(
        key="hourly", defaults={"aggregated_until": hour_floor(now), "last_run_at": now}
    )
    hours = int((end - start).total_seconds() // 3600)
    log.info("errors_aggregated", start=start.isoformat(), hours=hours, rows=rows)
    return {"start": start, "end": end, "hours": hours, "rows": rows}


def error_occurrences_delete_expired(
    *, now: datetime | None = None, batch_size: int | None = None
) -> int:
    """Delete occurrences older than the retention period, in batches; return how many."""
    now = now or timezone.now()
    batch_size = batch_size or settings.FORGE_ERRORS_RETENTION_BATCH
    cutoff = now - timedelta(days=settings.FORGE_ERRORS_RETENTION_DAYS)
    total = 0
    while True:
        with transaction.atomic(), connections["default"].cursor() as cursor:
            cursor.execute(
                """
                DELETE FROM errors_erroroccurrence WHERE id IN (
                    SELECT id FROM errors_erroroccurrence
                    WHERE occurred_at < %s ORDER BY occurred_at LIMIT %s
                )
                """,
                [cutoff, batch_size],
            )
            deleted = cursor.rowcount
        total += deleted
        if deleted < batch_size:
            break
    log.info("errors_retention_done", deleted=total, cutoff=cutoff.isoformat())
    return total


# ---------------------------------------------------------------- alerts


def _alert_recipients() -> list[str]:
    User = get_user_model()
    staff = User.objects.filter(is_staff=True, is_active=True).exclude(email="")
    emails = list(staff.order_by("email").values_list("email", flat=True))
    return list(dict.fromkeys([*emails, *settings.FORGE_ERRORS_ALERT_EMAILS]))


def _alert_send(*, group: ErrorGroup, reason: str, recipients: list[str]) -> None:
    from django.urls import reverse

    subject = f"[Forge] {reason}: {group.title}"[:200]
    path = reverse("admin:errors_errorgroup_change", args=[group.pk])
    body = "\n".join(
        [
            f"{reason}.",
            "",
            f"Error:       {group.title}",
            f"Where:       {group.culprit}",
            f"Severity:    {group.severity}",
            f"Category:    {group.category}",
            f"Service:     {group.external_service or '-'}",
            f"Seen:        {group.times_seen} times, first {group.first_seen:%Y-%m-%d %H:%M} UTC, "
            f"last {group.last_seen:%Y-%m-%d %H:%M} UTC",
            f"Status:      {group.status}",
            "",
            f"Open it in the admin: {path}",
        ]
    )
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:  # a failed email must not stop the other alerts
        log.exception("error_alert_send_failed", group_id=group.pk)


def error_alerts_check(*, now: datetime | None = None) -> int:
    """Email staff about new groups, regressions and bursts; return how many alerts went out.

    A burst is more than FORGE_ERRORS_ALERT_THRESHOLD occurrences within
    FORGE_ERRORS_ALERT_WINDOW_MINUTES. Each group alerts at most once per cool-down,
    and ignored groups never alert. Expired "ignore until" dates reopen their groups here too.
    """
    now = now or timezone.now()
    error_groups_unignore_expired(now=now)
    window_start = now - timedelta(minutes=settings.FORGE_ERRORS_ALERT_WINDOW_MINUTES)
    cooldown_start = now - timedelta(minutes=settings.FORGE_ERRORS_ALERT_COOLDOWN_MINUTES)
    threshold = settings.FORGE_ERRORS_ALERT_THRESHOLD
    bursts = dict(
        ErrorOccurrence.objects.filter(occurred_at__gt=window_start, occurred_at__lte=now)
        .values("group_id")
        .annotate(n=Count("id"))
        .filter(n__gt=threshold)
        .values_list("group_id", "n")
    )
    to_send: list[tuple[ErrorGroup, str]] = []
    with transaction.atomic():
        candidates = (
            ErrorGroup.objects.select_for_update(skip_locked=True)
            .filter(Q(id__in=list(bursts)) | ~Q(alert_pending=""))
            .order_by("id")
        )
        for group in candidates:
            pending = group.alert_pending
            group.alert_pending = ""
            cooling = group.last_alerted_at is not None and group.last_alerted_at > cooldown_start
            if group.status == ErrorGroupStatus.IGNORED or cooling:
                group.save(update_fields=["alert_pending"])
                continue
            if pending == "regression":
                reason = "Regression: a resolved error happened again"
            elif pending == "reopened":
                reason = "An ignored error crossed its ignore condition"
            elif pending == "new":
                reason = "New error"
            else:
                reason = f"{bursts[group.pk]} occurrences in {settings.FORGE_ERRORS_ALERT_WINDOW_MINUTES} minutes"
            group.last_alerted_at = now
            group.save(update_fields=["alert_pending", "last_alerted_at"])
            to_send.append((group, reason))
    if not to_send:
        return 0
    recipients = _alert_recipients()
    if not recipients:
        log.warning("error_alert_no_recipients", groups=len(to_send))
        return 0
    for group, reason in to_send:
        _alert_send(group=group, reason=reason, recipients=recipients)
    log.info("error_alerts_sent", count=len(to_send))
    return len(to_send)


def error_groups_unignore_expired(*, now: datetime | None = None) -> int:
    """Reopen groups whose "ignore until" date has passed; return how many."""
    now = now or timezone.now()
    ids = list(
        ErrorGroup.objects.filter(
            status=ErrorGroupStatus.IGNORED,
            ignore_condition=ErrorIgnoreCondition.UNTIL_DATE,
            ignore_until__lte=now,
        ).values_list("id", flat=True)
    )
    reopened = 0
    for group_id in ids:
        reopened += _group_reopen_automatically(
            alias="default",
            group_id=group_id,
            from_status=ErrorGroupStatus.IGNORED,
            action=ErrorGroupAction.UNIGNORE,
            note="The ignore period ended.",
            now=now,
        )
    return reopened

"""Change an error group's status (resolve, ignore, reopen), by staff or by Forge itself."""

from datetime import datetime
from typing import Any

import structlog
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from errors.models import (
    ErrorGroup,
    ErrorGroupAction,
    ErrorGroupActivity,
    ErrorGroupStatus,
    ErrorIgnoreCondition,
)
from forge.exceptions import ValidationFailedError

log = structlog.get_logger("errors")


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


@transaction.atomic
def error_group_environments_ignore(
    *, group: ErrorGroup | int, environments: list[str], actor: Any, note: str = ""
) -> ErrorGroup:
    """Set the environments `group` ignores (their events count but never reopen or alert)."""
    group = _locked(group)
    wanted = sorted({e.strip()[:64] for e in environments if e.strip()})
    if wanted == sorted(group.ignored_environments):
        return group
    group.ignored_environments = wanted
    group.save(update_fields=["ignored_environments"])
    summary = (
        f"Ignored in {', '.join(wanted)}." if wanted else "Not ignored in any environment now."
    )
    _activity(
        group=group,
        actor=actor,
        action=ErrorGroupAction.IGNORE,
        from_status=group.status,
        note=f"{summary} {note.strip()}".strip(),
        now=timezone.now(),
    )
    return group

"""Merge several error groups into one, and split a fingerprint back out (unmerge).

A merge moves every occurrence, hourly count and activity entry of the other groups
into the kept one, adds their counts to it, and leaves each of their fingerprints as an
alias, so later events of those fingerprints record into the kept group. An unmerge does
the reverse for one fingerprint: its occurrences and their hourly counts move to a group
of their own. Counts stay exact both ways (events whose occurrences retention already
deleted stay counted in the kept group). Both are written to the groups' activity.
"""

from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from errors.models import (
    SEVERITY_ORDER,
    ErrorFingerprintAlias,
    ErrorGroup,
    ErrorGroupAction,
    ErrorGroupActivity,
    ErrorGroupHourly,
    ErrorOccurrence,
    occurrence_events,
)
from forge.exceptions import ValidationFailedError


def _note(group: ErrorGroup, actor: Any, action: str, note: str, now) -> None:
    ErrorGroupActivity.objects.create(
        group=group,
        created_at=now,
        actor=actor,
        action=action,
        from_status=group.status,
        to_status=group.status,
        note=note,
    )


def _severity_max(a: str, b: str) -> str:
    return b if SEVERITY_ORDER.index(b) > SEVERITY_ORDER.index(a) else a


@transaction.atomic
def error_groups_merge(
    *, groups: list, actor: Any, into: ErrorGroup | int | None = None, note: str = ""
) -> ErrorGroup:
    """Merge `groups` into one (`into`, else the one seen most often) and log it; return it."""
    ids = sorted({g.pk if isinstance(g, ErrorGroup) else int(g) for g in groups})
    if into is not None:
        ids = sorted({*ids, into.pk if isinstance(into, ErrorGroup) else int(into)})
    locked = list(ErrorGroup.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(locked) < 2:
        raise ValidationFailedError("Choose at least two groups to merge.")
    if into is not None:
        target_id = into.pk if isinstance(into, ErrorGroup) else int(into)
        target = next(g for g in locked if g.pk == target_id)
    else:
        target = max(locked, key=lambda g: (g.times_seen, -g.pk))
    now = timezone.now()
    for other in locked:
        if other.pk == target.pk:
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO errors_errorgrouphourly (group_id, hour, count) "
                "SELECT %s, hour, count FROM errors_errorgrouphourly WHERE group_id = %s "
                "ON CONFLICT (group_id, hour) DO UPDATE "
                "SET count = errors_errorgrouphourly.count + EXCLUDED.count",
                [target.pk, other.pk],
            )
        ErrorGroupHourly.objects.filter(group=other).delete()
        ErrorOccurrence.objects.filter(group=other).update(group=target)
        ErrorGroupActivity.objects.filter(group=other).update(group=target)
        ErrorFingerprintAlias.objects.filter(group=other).update(group=target)
        ErrorFingerprintAlias.objects.create(
            fingerprint=other.fingerprint,
            group=target,
            created_at=now,
            title=other.title,
            culprit=other.culprit,
        )
        target.times_seen += other.times_seen
        target.first_seen = min(target.first_seen, other.first_seen)
        target.last_seen = max(target.last_seen, other.last_seen)
        target.severity = _severity_max(target.severity, other.severity)
        summary = (
            f"Merged group #{other.pk} “{other.title}” ({other.times_seen} events, "
            f"fingerprint {other.fingerprint[:12]}) into this group."
        )
        other.delete()
        _note(target, actor, ErrorGroupAction.MERGE, f"{summary} {note.strip()}".strip(), now)
    target.save(update_fields=["times_seen", "first_seen", "last_seen", "severity"])
    return target


@transaction.atomic
def error_group_unmerge(
    *, group: ErrorGroup | int, fingerprint: str, actor: Any, note: str = ""
) -> ErrorGroup:
    """Split `fingerprint`, merged into `group` earlier, into a group of its own; return it."""
    pk = group.pk if isinstance(group, ErrorGroup) else int(group)
    group = ErrorGroup.objects.select_for_update().get(pk=pk)
    alias = ErrorFingerprintAlias.objects.filter(group=group, fingerprint=fingerprint).first()
    if alias is None:
        raise ValidationFailedError(
            "Only a fingerprint merged into this group can be split out.",
            details={"fingerprint": ["Not merged into this group."]},
        )
    moving = ErrorOccurrence.objects.filter(group=group, fingerprint=fingerprint)
    summary = moving.aggregate(
        n=occurrence_events(), first=Min("occurred_at"), last=Max("occurred_at")
    )
    events = summary["n"] or 0
    latest = moving.order_by("-occurred_at").first()
    now = timezone.now()
    split = ErrorGroup.objects.create(
        fingerprint=fingerprint,
        title=alias.title,
        culprit=alias.culprit,
        error_type=latest.error_type if latest else group.error_type,
        severity=latest.severity if latest else group.severity,
        category=latest.category if latest else group.category,
        external_service=latest.external_service if latest else group.external_service,
        first_seen=summary["first"] or alias.created_at,
        last_seen=summary["last"] or alias.created_at,
        times_seen=events,
    )
    with connection.cursor() as cursor:
        # The split fingerprint's share of each rolled-up hour moves with it.
        cursor.execute(
            """
            WITH share AS (
                SELECT h.hour, sum(1 + o.repeats) AS n
                FROM errors_errorgrouphourly h
                JOIN errors_erroroccurrence o ON o.group_id = h.group_id
                     AND o.occurred_at >= h.hour AND o.occurred_at < h.hour + interval '1 hour'
                WHERE h.group_id = %(group)s AND o.fingerprint = %(fingerprint)s
                GROUP BY h.hour
            ), moved AS (
                UPDATE errors_errorgrouphourly h SET count = h.count - share.n
                FROM share WHERE h.group_id = %(group)s AND h.hour = share.hour
                RETURNING h.hour
            )
            INSERT INTO errors_errorgrouphourly (group_id, hour, count)
            SELECT %(split)s, hour, n FROM share
            """,
            {"group": group.pk, "fingerprint": fingerprint, "split": split.pk},
        )
    moving.update(group=split)
    alias.delete()
    group.times_seen = max(group.times_seen - events, 0)
    last = group.occurrences.aggregate(last=Max("occurred_at"))["last"]
    if last is not None:
        group.last_seen = last
    group.save(update_fields=["times_seen", "last_seen"])
    text = f"Unmerged fingerprint {fingerprint[:12]} ({events} events) into group #{split.pk}."
    _note(group, actor, ErrorGroupAction.UNMERGE, f"{text} {note.strip()}".strip(), now)
    _note(
        split,
        actor,
        ErrorGroupAction.UNMERGE,
        f"Unmerged from group #{group.pk}. {note.strip()}".strip(),
        now,
    )
    return split

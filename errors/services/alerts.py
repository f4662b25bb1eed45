"""Email staff about new groups, regressions and bursts."""

from datetime import datetime, timedelta

import structlog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from errors.models import (
    ErrorGroup,
    ErrorGroupStatus,
    ErrorOccurrence,
    occurrence_events,
)
from errors.services.groups import error_groups_unignore_expired

log = structlog.get_logger("errors")


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
    # Events from an environment their group ignores never make a burst.
    env_ignored = RawSQL(
        "(SELECT errors_erroroccurrence.environment = ANY(g.ignored_environments) "
        "FROM errors_errorgroup g WHERE g.id = errors_erroroccurrence.group_id)",
        [],
    )
    bursts = dict(
        ErrorOccurrence.objects.filter(occurred_at__gt=window_start, occurred_at__lte=now)
        .alias(env_ignored=env_ignored)
        .filter(env_ignored=False)
        .values("group_id")
        .annotate(n=occurrence_events())
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

"""Multi-window burn-rate alerts on the SLOs, sent through the errors app's alert channel.

The rules of the Google SRE workbook: a fast burn is the 1 h and the 5 min burn rates both
above FORGE_SLO_FAST_BURN_RATE (14.4 spends 2 % of a 30-day budget in an hour); a slow
burn is the 6 h and the 30 min both above FORGE_SLO_SLOW_BURN_RATE (6 spends 5 % in six
hours). The long window proves the burn is real, the short one that it is still going on.
Each SLO and rule emails staff at most once per FORGE_SLO_ALERT_COOLDOWN_MINUTES.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from errors.models import SloAlertState
from errors.services.alerts import _alert_recipients
from errors.slo import Slo, slo_definitions, slo_window

log = structlog.get_logger("errors")

# Fewer bad events than this in the long window never alert (one failure of two requests
# is a burn rate of 500, and no emergency).
MIN_BAD_EVENTS = 3


@dataclass(frozen=True)
class BurnRule:
    name: str
    long: timedelta
    short: timedelta
    setting: str


RULES = (
    BurnRule("fast", timedelta(hours=1), timedelta(minutes=5), "FORGE_SLO_FAST_BURN_RATE"),
    BurnRule("slow", timedelta(hours=6), timedelta(minutes=30), "FORGE_SLO_SLOW_BURN_RATE"),
)


def _burning(slo: Slo, rule: BurnRule, now: datetime) -> float | None:
    """Return the long window's burn rate when `rule` fires for `slo`, else None."""
    threshold = getattr(settings, rule.setting)
    long = slo_window(slo, label=rule.name, length=rule.long, now=now)
    if long.bad < MIN_BAD_EVENTS or (long.burn_rate or 0) <= threshold:
        return None
    short = slo_window(slo, label=rule.name, length=rule.short, now=now)
    if (short.burn_rate or 0) <= threshold:
        return None
    return long.burn_rate


def slo_alerts_check(*, now: datetime | None = None) -> int:
    """Email staff about SLOs burning their error budget too fast; return the alerts sent."""
    now = now or timezone.now()
    cooldown_start = now - timedelta(minutes=settings.FORGE_SLO_ALERT_COOLDOWN_MINUTES)
    to_send: list[tuple[Slo, BurnRule, float]] = []
    for slo in slo_definitions():
        for rule in RULES:
            burn = _burning(slo, rule, now)
            if burn is None:
                continue
            with transaction.atomic():
                state, _ = SloAlertState.objects.select_for_update().get_or_create(
                    slo=slo.key, rule=rule.name
                )
                if state.last_alerted_at is not None and state.last_alerted_at > cooldown_start:
                    continue
                state.last_alerted_at = now
                state.last_burn_rate = burn
                state.save(update_fields=["last_alerted_at", "last_burn_rate"])
            to_send.append((slo, rule, burn))
    if not to_send:
        return 0
    recipients = _alert_recipients()
    if not recipients:
        log.warning("slo_alert_no_recipients", alerts=len(to_send))
        return 0
    for slo, rule, burn in to_send:
        _slo_alert_send(slo=slo, rule=rule, burn=burn, recipients=recipients)
    log.info("slo_alerts_sent", count=len(to_send))
    return len(to_send)


def _slo_alert_send(*, slo: Slo, rule: BurnRule, burn: float, recipients: list[str]) -> None:
    from django.urls import reverse

    hours = rule.long.total_seconds() / 3600
    subject = f"[Forge] SLO {rule.name} burn: {slo.name}"[:200]
    body = "\n".join(
        [
            f"The SLO \u201c{slo.name}\u201d (objective {slo.objective:.3%}) is burning its error "
            f"budget {burn:.1f} times as fast as it may, over the last {hours:g} h and still now "
            f"(the {rule.name}-burn rule, threshold {getattr(settings, rule.setting):g}).",
            "",
            f"See every SLO's budget: {reverse('admin:errors_erroroverview_changelist')}",
        ]
    )
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:  # a failed email must not stop the other alerts
        log.exception("slo_alert_send_failed", slo=slo.key, rule=rule.name)

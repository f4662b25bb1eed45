"""SLOs: budget and burn-rate maths on fixed rows, the overview table, burn-rate alerts."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from errors.services import slo_alerts_check
from errors.slo import slo_report
from forge.models import RequestAggregate
from pipelines.models import GenerationPipeline

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(second=30, microsecond=0)
BUCKETS = ("le_25", "le_50", "le_100", "le_200", "le_300", "le_500", "le_1000", "le_2500")


def api_rows(*, at, ok: int, fast: int, errors: int) -> None:
    """Add `ok` 2xx API requests (`fast` of them within 200 ms) and `errors` 5xx ones at `at`."""
    minute = at.replace(second=0, microsecond=0)
    within = {b: fast for b in BUCKETS[:4]} | {b: ok for b in BUCKETS[4:]}
    RequestAggregate.objects.create(
        minute=minute, route_class="api", status_class=2, count=ok, le_5000=ok, le_10000=ok,
        **within,
    )  # fmt: skip
    RequestAggregate.objects.create(
        minute=minute, route_class="api", status_class=5, count=errors,
        **{b: errors for b in (*BUCKETS, "le_5000", "le_10000")},
    )  # fmt: skip


def runs(user, *, kind="generation", at, took=1.0, quality="draft", **statuses) -> None:
    for status, number in statuses.items():
        for _ in range(number):
            pipeline = GenerationPipeline.objects.create(
                user=user, kind=kind, status=status, config={"quality": quality}, finished_at=at
            )
            GenerationPipeline.objects.filter(pk=pipeline.pk).update(
                created_at=at - timedelta(seconds=took)
            )


def windows(report, key):
    row = next(r for r in report if r["slo"].key == key)
    return {w.label: w for w in row["windows"]}


def test_budget_left_and_burn_rate_over_each_window(user):
    # Last hour: 1000 API requests, 2 of them 5xx, 952 within 200 ms.
    api_rows(at=NOW - timedelta(minutes=10), ok=998, fast=950, errors=2)
    # Ten hours ago: 1000 more, all good and fast.
    api_rows(at=NOW - timedelta(hours=10), ok=1000, fast=1000, errors=0)
    # Generation: 98 succeeded, 1 failed, 1 canceled by its user (not counted); 3 drafts slow.
    runs(user, at=NOW - timedelta(minutes=5), succeeded=95)
    runs(user, at=NOW - timedelta(minutes=5), took=9.0, succeeded=3)
    runs(user, at=NOW - timedelta(minutes=5), failed=1, canceled=1)
    # A generation that finished 40 days ago is outside every window.
    runs(user, at=NOW - timedelta(days=40), failed=5)

    report = slo_report(now=NOW)

    availability = windows(report, "api_availability")
    assert (availability["1 h"].total, availability["1 h"].bad) == (1000, 2)
    # 0.2 % errors against a 0.1 % budget: burning twice as fast as allowed, 100 % overspent.
    assert availability["1 h"].burn_rate == pytest.approx(2.0)
    assert availability["1 h"].budget_left == pytest.approx(-1.0)
    assert availability["24 h"].burn_rate == pytest.approx(1.0)
    assert availability["24 h"].budget_left == pytest.approx(0.0)
    assert availability["30 d"].total == 2000

    latency = windows(report, "api_latency")
    # 48 of 1000 slower than 200 ms against a 5 % budget.
    assert latency["1 h"].bad == 48
    assert latency["1 h"].budget_left == pytest.approx(0.04)
    assert latency["24 h"].burn_rate == pytest.approx(0.48)

    success = windows(report, "pipeline_success")
    assert (success["1 h"].total, success["1 h"].bad) == (99, 1)
    assert success["1 h"].burn_rate == pytest.approx((1 / 99) / 0.01)
    assert success["30 d"].total == 99

    draft = windows(report, "draft_pipeline_latency")
    assert (draft["24 h"].total, draft["24 h"].bad) == (98, 3)
    assert draft["24 h"].budget_left == pytest.approx(1 - (3 / 98) / 0.05)

    exports = windows(report, "export_success")
    assert not exports["30 d"].has_data and exports["30 d"].budget_left is None


def test_export_success_counts_runs_of_kind_export(user):
    runs(user, kind="export", at=NOW - timedelta(hours=2), succeeded=9, failed=1)
    exports = windows(slo_report(now=NOW), "export_success")
    assert not exports["1 h"].has_data
    assert (exports["24 h"].total, exports["24 h"].bad) == (10, 1)
    assert exports["24 h"].budget_left == pytest.approx(1 - 0.1 / 0.01)


def test_the_overview_shows_each_slo_with_its_budget(admin_client, user):
    now = timezone.now()
    api_rows(at=now - timedelta(minutes=3), ok=999, fast=999, errors=1)
    html = admin_client.get("/admin/errors/erroroverview/").content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Service-level objectives" in html
    assert "API availability (non-5xx)" in html and "99.9 %" in html
    assert "budget left 0.0 %" in text  # 1 error in 1000 spends exactly the 0.1 % budget
    assert "Exports succeed" in html and "no data" in html


def test_a_fast_burn_alerts_once_then_waits_for_the_cool_down(staff_user, mailoutbox):
    # Half the API requests of the last few minutes fail: both burn-rate rules fire.
    api_rows(at=NOW - timedelta(minutes=2), ok=50, fast=50, errors=50)

    assert slo_alerts_check(now=NOW) == 2  # fast and slow burn of API availability
    subjects = sorted(m.subject for m in mailoutbox)
    assert subjects == [
        "[Forge] SLO fast burn: API availability (non-5xx)",
        "[Forge] SLO slow burn: API availability (non-5xx)",
    ]
    assert mailoutbox[0].to == [staff_user.email]
    assert "erroroverview" in mailoutbox[0].body

    # Still burning a minute later: the cool-down holds the alert back.
    api_rows(at=NOW - timedelta(seconds=20), ok=50, fast=50, errors=50)
    assert slo_alerts_check(now=NOW + timedelta(minutes=1)) == 0
    assert len(mailoutbox) == 2

    # Burning again after the cool-down (60 minutes): it alerts again.
    later = NOW + timedelta(minutes=61)
    api_rows(at=later - timedelta(minutes=1), ok=50, fast=50, errors=50)
    assert slo_alerts_check(now=later) == 2
    assert len(mailoutbox) == 4


def test_a_short_spike_that_is_over_does_not_alert(staff_user, mailoutbox):
    # A burst of errors 50 minutes ago, clean since: the 1 h window burns, the 5 min one not.
    api_rows(at=NOW - timedelta(minutes=50), ok=50, fast=50, errors=50)
    api_rows(at=NOW - timedelta(minutes=2), ok=500, fast=500, errors=0)
    assert slo_alerts_check(now=NOW) == 0
    assert mailoutbox == []

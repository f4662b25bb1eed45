import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connections
from django.db.models import Count, Value
from django.db.models.functions import Coalesce, TruncHour

from errors import selectors, services
from errors.models import (
    ErrorAggregation,
    ErrorGroup,
    ErrorGroupHourly,
    ErrorOccurrence,
)
from tests.errors.factories import record

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _spread(group, user, *, hours: int, start=T0):
    """Add occurrences of `group` over `hours` hours: a varied, known pattern."""
    rows = []
    for h in range(hours):
        for i in range(h % 4 + 1):
            rows.append(
                ErrorOccurrence(
                    group=group,
                    occurred_at=start + timedelta(hours=h, minutes=7 * i),
                    route=["/api/v1/assets/{id}/", "/api/v1/pipelines/"][i % 2],
                    severity=["error", "warning"][h % 2],
                    category="internal",
                    external_service="meshy" if i == 2 else None,
                    user=user if i % 2 else None,
                    fingerprint=group.fingerprint,
                )
            )
    ErrorOccurrence.objects.bulk_create(rows)


def _raw():
    rows = (
        ErrorOccurrence.objects.annotate(
            h=TruncHour("occurred_at"), svc=Coalesce("external_service", Value(""))
        )
        .values("h", "route", "severity", "category", "svc")
        .annotate(n=Count("id"), u=Count("user", distinct=True))
    )
    return {
        (r["h"], r["route"], r["severity"], r["category"], r["svc"]): (r["n"], r["u"]) for r in rows
    }


def _rolled():
    return {
        (a.hour, a.route, a.severity, a.category, a.external_service): (a.count, a.users)
        for a in ErrorAggregation.objects.all()
    }


@pytest.mark.django_db
def test_aggregation_equals_raw_counts_and_is_idempotent(user):
    group = record("x", fingerprint="x").group
    ErrorOccurrence.objects.all().delete()
    _spread(group, user, hours=30)
    services.error_aggregations_update(now=T0 + timedelta(hours=31), since=T0)
    first = _rolled()
    assert first == _raw()
    assert sum(n for n, _ in first.values()) == ErrorOccurrence.objects.count()
    services.error_aggregations_update(now=T0 + timedelta(hours=31), since=T0)
    assert _rolled() == first
    hourly = dict(ErrorGroupHourly.objects.values_list("hour", "count"))
    assert hourly[T0 + timedelta(hours=3)] == 4 and sum(hourly.values()) == sum(
        n for n, _ in first.values()
    )


@pytest.mark.django_db
def test_aggregation_catches_up_on_every_hour_missed_after_downtime(user):
    group = record("x", fingerprint="x").group
    ErrorOccurrence.objects.all().delete()
    _spread(group, user, hours=2)
    services.error_aggregations_update(now=T0 + timedelta(hours=1, minutes=30), since=T0)
    # Down for a day and a half; errors kept arriving (recorded by other processes).
    _spread(group, user, hours=36, start=T0 + timedelta(hours=2))
    result = services.error_aggregations_update(now=T0 + timedelta(hours=40))
    assert result["hours"] >= 38
    assert _rolled() == _raw()


@pytest.mark.django_db
def test_dashboard_counts_are_live_beyond_the_last_rollup(user):
    group = record("x", fingerprint="x").group
    services.error_aggregations_update()
    for _ in range(3):
        record("x", fingerprint="x")
    rows = selectors.error_counts(
        start=group.first_seen - timedelta(hours=1), end=group.first_seen + timedelta(hours=1)
    )
    assert sum(r["count"] for r in rows) == 4
    assert sum(selectors.error_group_sparklines(group_ids=[group.pk])[group.pk]) == 4


@pytest.mark.django_db
def test_retention_deletes_old_occurrences_in_batches_and_keeps_the_rest(settings, user):
    settings.FORGE_ERRORS_RETENTION_DAYS = 90
    group = record("x", fingerprint="x").group
    now = group.first_seen
    _spread(group, user, hours=5, start=now - timedelta(days=100))
    old = ErrorOccurrence.objects.filter(occurred_at__lt=now - timedelta(days=90)).count()
    services.error_aggregations_update(since=now - timedelta(days=101))
    rolled_before = _rolled()
    assert services.error_occurrences_delete_expired(now=now, batch_size=3) == old
    assert ErrorOccurrence.objects.count() == 1
    assert ErrorGroup.objects.get().times_seen == 1
    assert _rolled() == rolled_before


@pytest.mark.django_db(transaction=True)
def test_concurrent_recording_counts_exactly():
    threads, per_thread = 8, 25
    barrier = threading.Barrier(threads)
    failures = []

    def work():
        try:
            barrier.wait()
            for i in range(per_thread):
                if record(f"burst {i}", fingerprint="burst") is None:
                    failures.append(i)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert failures == []
    group = ErrorGroup.objects.get()
    assert group.times_seen == threads * per_thread
    assert ErrorOccurrence.objects.count() == threads * per_thread


@pytest.mark.django_db(transaction=True)
def test_concurrent_recording_on_a_resolved_group_regresses_it_once(staff_user):
    group = record("x", fingerprint="x").group
    services.error_group_resolve(group=group, actor=staff_user)
    barrier = threading.Barrier(6)

    def work():
        try:
            barrier.wait()
            record("x", fingerprint="x")
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for _ in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    group.refresh_from_db()
    assert group.status == "unresolved" and group.times_seen == 7
    assert group.activity.filter(action="regression").count() == 1

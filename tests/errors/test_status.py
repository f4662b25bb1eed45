from datetime import timedelta

import pytest
from django.utils import timezone

from errors import services
from errors.models import ErrorGroupActivity
from forge.exceptions import ValidationFailedError
from tests.errors.factories import record

pytestmark = pytest.mark.django_db


def _group(**kwargs):
    return record("flaky", fingerprint="flaky", **kwargs).group


def test_resolving_logs_who_when_and_why(staff_user):
    group = services.error_group_resolve(group=_group(), actor=staff_user, note="fixed in #12")
    assert group.status == "resolved" and group.resolved_by == staff_user
    assert group.resolution_note == "fixed in #12" and group.resolved_at is not None
    activity = ErrorGroupActivity.objects.get()
    assert (activity.actor, activity.action, activity.from_status, activity.to_status) == (
        staff_user, "resolve", "unresolved", "resolved",
    )  # fmt: skip


def test_a_resolved_group_that_occurs_again_regresses(staff_user):
    group = services.error_group_resolve(group=_group(), actor=staff_user)
    record("flaky", fingerprint="flaky")
    group.refresh_from_db()
    assert group.status == "unresolved" and group.regressed_at is not None
    assert group.times_seen == 2
    last = ErrorGroupActivity.objects.first()
    assert (last.action, last.actor, last.from_status) == ("regression", None, "resolved")
    record("flaky", fingerprint="flaky")
    assert ErrorGroupActivity.objects.filter(action="regression").count() == 1


def test_ignoring_forever_needs_a_reason(staff_user):
    group = _group()
    with pytest.raises(ValidationFailedError) as info:
        services.error_group_ignore(group=group, actor=staff_user, condition="forever")
    assert "note" in info.value.details
    group.refresh_from_db()
    assert group.status == "unresolved" and not ErrorGroupActivity.objects.exists()


def test_an_ignored_group_keeps_counting_and_stays_ignored(staff_user):
    group = services.error_group_ignore(
        group=_group(), actor=staff_user, condition="forever", reason="third party noise"
    )
    for _ in range(5):
        record("flaky", fingerprint="flaky")
    group.refresh_from_db()
    assert group.status == "ignored" and group.times_seen == 6


def test_ignore_until_a_date_reopens_once_the_date_has_passed(staff_user):
    group = services.error_group_ignore(
        group=_group(),
        actor=staff_user,
        condition="until_date",
        until=timezone.now() + timedelta(hours=1),
    )
    record("flaky", fingerprint="flaky")
    group.refresh_from_db()
    assert group.status == "ignored"
    type(group).objects.filter(pk=group.pk).update(
        ignore_until=timezone.now() - timedelta(seconds=1)
    )
    assert services.error_groups_unignore_expired() == 1
    group.refresh_from_db()
    assert group.status == "unresolved" and group.ignore_condition == ""
    assert ErrorGroupActivity.objects.first().action == "unignore"


def test_ignore_until_a_date_also_reopens_on_the_next_occurrence(staff_user):
    group = services.error_group_ignore(
        group=_group(), actor=staff_user, condition="until_date",
        until=timezone.now() + timedelta(hours=1),
    )  # fmt: skip
    type(group).objects.filter(pk=group.pk).update(
        ignore_until=timezone.now() - timedelta(seconds=1)
    )
    record("flaky", fingerprint="flaky")
    group.refresh_from_db()
    assert group.status == "unresolved"


def test_ignore_until_n_per_hour_reopens_when_the_rate_is_exceeded(staff_user):
    group = services.error_group_ignore(
        group=_group(), actor=staff_user, condition="until_rate", threshold=3
    )
    for _ in range(2):
        record("flaky", fingerprint="flaky")
    group.refresh_from_db()
    assert group.status == "ignored"  # 3 in the last hour: tolerated
    record("flaky", fingerprint="flaky")
    group.refresh_from_db()
    assert group.status == "unresolved" and group.alert_pending == "reopened"
    activity = ErrorGroupActivity.objects.first()
    assert activity.action == "unignore" and "4 times in the last hour" in activity.note


def test_reopen_logs_and_bulk_transition_counts_changes(staff_user):
    a, b = record("a", fingerprint="a").group, record("b", fingerprint="b").group
    services.error_group_resolve(group=a, actor=staff_user)
    changed = services.error_groups_transition(
        groups=[a, b], actor=staff_user, action="resolve", note="bulk"
    )
    assert changed == 1
    assert (
        services.error_groups_transition(groups=[a.pk, b.pk], actor=staff_user, action="reopen")
        == 2
    )
    assert ErrorGroupActivity.objects.filter(action="reopen").count() == 2

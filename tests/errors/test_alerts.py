from datetime import timedelta

import pytest
from django.utils import timezone

from errors import services
from errors.models import ErrorGroup
from tests.errors.factories import record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _alert_settings(settings):
    settings.FORGE_ERRORS_ALERT_THRESHOLD = 5
    settings.FORGE_ERRORS_ALERT_WINDOW_MINUTES = 10
    settings.FORGE_ERRORS_ALERT_COOLDOWN_MINUTES = 60
    settings.FORGE_ERRORS_ALERT_EMAILS = ["oncall@example.com"]


def test_a_new_error_emails_staff_once(staff_user, mailoutbox):
    record("payment webhook failed", fingerprint="webhook")
    assert services.error_alerts_check() == 1
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert "New error" in mail.subject and "payment webhook failed" in mail.subject
    assert set(mail.to) == {staff_user.email, "oncall@example.com"}
    assert "/admin/errors/errorgroup/" in mail.body
    assert services.error_alerts_check() == 0
    assert len(mailoutbox) == 1


def test_warnings_do_not_alert_as_new(staff_user, mailoutbox):
    record("slow down", fingerprint="429", severity="warning")
    assert services.error_alerts_check() == 0 and mailoutbox == []


def test_a_regression_alerts_after_the_cool_down_only(staff_user, mailoutbox):
    group = record("x", fingerprint="x").group
    services.error_alerts_check()
    services.error_group_resolve(group=group, actor=staff_user)
    record("x", fingerprint="x")
    assert services.error_alerts_check() == 0  # alerted as new a moment ago: cooling down
    services.error_group_resolve(group=group, actor=staff_user)
    record("x", fingerprint="x")
    later = timezone.now() + timedelta(minutes=61)
    assert services.error_alerts_check(now=later) == 1
    assert "Regression" in mailoutbox[-1].subject
    assert len(mailoutbox) == 2


def test_a_burst_alerts_and_an_ignored_group_never_does(staff_user, mailoutbox):
    for _ in range(6):
        record("noisy", fingerprint="noisy", severity="warning")
    assert services.error_alerts_check() == 1
    assert "6 occurrences in 10 minutes" in mailoutbox[0].subject

    quiet = record("quiet", fingerprint="quiet").group
    services.error_group_ignore(group=quiet, actor=staff_user, condition="forever", reason="vendor")
    for _ in range(10):
        record("quiet", fingerprint="quiet")
    later = timezone.now() + timedelta(minutes=1)
    assert services.error_alerts_check(now=later) == 0
    assert len(mailoutbox) == 1
    assert ErrorGroup.objects.get(pk=quiet.pk).alert_pending == ""

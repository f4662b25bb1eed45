import io

import pytest
from django_q.models import Schedule

from errors.models import ErrorAggregation, ErrorGroup
from errors.schedules import SCHEDULES, schedules_ensure

pytestmark = pytest.mark.django_db


def test_migrations_created_the_schedules_and_ensuring_again_is_idempotent():
    assert set(
        Schedule.objects.filter(name__in=list(SCHEDULES)).values_list("func", flat=True)
    ) == {
        "errors.tasks.errors_aggregate",
        "errors.tasks.errors_retention",
        "errors.tasks.errors_alerts_check",
        "errors.tasks.errors_ingest_drain",
        "errors.tasks.errors_ingest_cleanup",
        "errors.tasks.errors_slo_alerts_check",
    }
    schedules_ensure(Schedule)
    assert Schedule.objects.filter(name__in=list(SCHEDULES)).count() == 6


def test_schedule_tasks_run(staff_user):
    from errors import tasks

    assert tasks.errors_aggregate()["hours"] >= 1
    assert tasks.errors_retention() == 0
    assert tasks.errors_alerts_check() == 0
    assert tasks.errors_slo_alerts_check() == 0


def test_demo_seed_is_idempotent_and_fills_the_dashboard():
    from errors.seed import seed_demo
    from forge.seed import demo_users_ensure

    users = demo_users_ensure()
    seed_demo(users=users, stdout=io.StringIO())
    counts = (ErrorGroup.objects.count(), ErrorAggregation.objects.count())
    seed_demo(users=users, stdout=io.StringIO())
    assert (ErrorGroup.objects.count(), ErrorAggregation.objects.count()) == counts
    assert counts[0] == 5 and counts[1] > 50
    storage = ErrorGroup.objects.get(external_service="storage")
    assert storage.status == "unresolved" and storage.regressed_at is not None
    assert ErrorGroup.objects.get(external_service="meshy").status == "ignored"


def test_a_real_bad_token_failure_lands_in_the_seeded_group():
    import uuid

    from rest_framework.test import APIClient

    from errors.seed import seed_demo
    from forge.seed import demo_users_ensure

    seed_demo(users=demo_users_ensure(), stdout=io.StringIO())
    seeded = ErrorGroup.objects.get(category="authentication")
    assert seeded.title == "AuthenticationFailed: Invalid or revoked token."
    before = seeded.times_seen

    response = APIClient().get(
        f"/api/v1/pipelines/{uuid.uuid4()}/", HTTP_AUTHORIZATION="Bearer forge_notarealtoken123"
    )
    assert response.status_code == 401
    assert ErrorGroup.objects.count() == 5
    seeded.refresh_from_db()
    assert seeded.times_seen == before + 1
    assert seeded.occurrences.order_by("-id").first().request_id == response["X-Request-ID"]

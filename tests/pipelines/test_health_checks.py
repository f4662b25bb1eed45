"""`/health/`: the oldest queued run's age and the recent success rates, with thresholds."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from pipelines.models import GenerationPipeline

pytestmark = pytest.mark.django_db


def runs(user, *, kind="generation", **statuses):
    now = timezone.now()
    for status, number in statuses.items():
        for _ in range(number):
            GenerationPipeline.objects.create(user=user, kind=kind, status=status, finished_at=now)


def checks(client) -> dict:
    return client.get("/health/").json()["checks"]


def test_an_old_queued_run_degrades_health(client, user, settings):
    assert checks(client)["queue_age"]["status"] == "ok"
    pipeline = GenerationPipeline.objects.create(user=user, status="queued")
    GenerationPipeline.objects.filter(pk=pipeline.pk).update(
        enqueued_at=timezone.now() - timedelta(minutes=10)
    )
    settings.FORGE_HEALTH_QUEUE_AGE_MAX_SECONDS = 300
    result = checks(client)["queue_age"]
    assert result["status"] == "fail" and not result["critical"]
    assert int(re.search(r"waited (\d+) s", result["detail"]).group(1)) >= 599
    settings.FORGE_HEALTH_QUEUE_AGE_MAX_SECONDS = 3600
    assert checks(client)["queue_age"]["status"] == "ok"


def test_success_rates_below_the_threshold_degrade_health_and_cancels_do_not_count(
    client, user, settings
):
    settings.FORGE_HEALTH_SUCCESS_MIN_RATE = 0.9
    runs(user, succeeded=9, failed=1, canceled=20)
    runs(user, kind="export", succeeded=3, failed=3)
    body = client.get("/health/").json()
    assert body["checks"]["pipeline_success_rate"]["status"] == "ok"
    assert "9 of 10 generation runs" in body["checks"]["pipeline_success_rate"]["detail"]
    export = body["checks"]["export_success_rate"]
    assert export["status"] == "fail" and "3 of 6 export runs" in export["detail"]
    assert body["status"] == "degraded"


def test_too_few_runs_are_not_judged(client, user):
    runs(user, failed=2)
    result = checks(client)["pipeline_success_rate"]
    assert result["status"] == "ok" and "too few to judge" in result["detail"]

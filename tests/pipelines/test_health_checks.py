"""`/health/`: the oldest queued run's age, with its threshold."""

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

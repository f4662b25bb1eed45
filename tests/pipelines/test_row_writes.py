"""The engine's row writes: a stage boundary's rows in one statement, each row exactly once."""

import uuid

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from pipelines.models import GenerationPipeline, PipelineStage
from pipelines.services.state import pipeline_and_stages_save, stages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(user):
    from pipelines.services import pipeline_create

    pipeline, _ = pipeline_create(user=user, config={"prompt": "a wooden crate"}, enqueue=False)
    return pipeline


def test_a_pipeline_and_its_stages_are_written_in_one_statement(
    pipeline, django_assert_num_queries
):
    first, second = stages_of(pipeline)[:2]
    now = timezone.now()
    first.status, first.progress, first.output = "succeeded", 100, {"glb_key": "k", "n": 1}
    second.status, second.started_at = "running", now
    pipeline.progress, pipeline.current_stage, pipeline.updated_at = 17, second.name, now
    with django_assert_num_queries(1):
        pipeline_and_stages_save(pipeline, [first, second, first])  # a stage listed twice
    first.refresh_from_db()
    second.refresh_from_db()
    pipeline.refresh_from_db()
    assert (first.status, first.progress, first.output) == (
        "succeeded",
        100,
        {"glb_key": "k", "n": 1},
    )
    assert (second.status, second.started_at) == ("running", now)
    assert (pipeline.progress, pipeline.current_stage) == (17, second.name)


def test_a_row_that_is_gone_fails_the_write_and_the_transaction_writes_nothing(pipeline):
    first = stages_of(pipeline)[0]
    ghost = PipelineStage(pk=uuid.uuid4() if isinstance(first.pk, uuid.UUID) else 10**9)
    ghost.pipeline = pipeline
    first.status = "succeeded"
    pipeline.progress = 50
    with pytest.raises(DatabaseError, match="was not updated"), transaction.atomic():
        pipeline_and_stages_save(pipeline, [first, ghost])
    assert PipelineStage.objects.get(pk=first.pk).status != "succeeded"
    assert GenerationPipeline.objects.get(pk=pipeline.pk).progress != 50

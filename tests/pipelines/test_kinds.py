"""Run kinds: the engine runs any registered recipe with the same guarantees as generation."""

import pytest
from django.db import IntegrityError, transaction

from forge.exceptions import ValidationFailedError
from pipelines.kinds import RUN_KINDS, Finished, RunKind, Step
from pipelines.models import GenerationPipeline, PipelineStage
from pipelines.providers.base import ProviderError
from pipelines.services import pipeline_create, pipeline_retry, pipeline_run, run_create

pytestmark = pytest.mark.django_db(transaction=True)


def _validate(data):
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise ValidationFailedError("text: required.", details={"text": ["Required."]})
    return {"text": data["text"]}


def _upper(ctx):
    if ctx.config["text"] == "flaky" and not ctx.partial.get("tried"):
        ctx.progress(0.5, output={"tried": True})
        raise ProviderError("busy", code="rate_limited", retryable=True, service="test")
    data = ctx.call(lambda *, text: text.upper().encode(), text=ctx.config["text"])
    return {"key": ctx.checkpoint_save("upper.txt", data)}


def _publish(ctx):
    return ctx.checkpoint_load(ctx.outputs["prepare"]["key"]).decode()


def _finish(ctx, pipeline, value):
    return Finished(output={"text": value}, result={"text": value})


TEST_KIND = RunKind(
    kind="export",
    recipe=(Step("prepare", 70, _upper), Step("publish", 30, _publish)),
    config_validate=_validate,
    finish=_finish,
)


@pytest.fixture
def test_kind(monkeypatch):
    monkeypatch.setitem(RUN_KINDS, "export", TEST_KIND)
    return TEST_KIND


def test_a_generation_run_has_its_kind_and_its_recipes_stages_in_order(user):
    pipeline, _ = pipeline_create(user=user, config={"prompt": "a clay pot"}, enqueue=False)
    assert pipeline.kind == "generation"
    assert list(pipeline.stages.order_by("order").values_list("name", flat=True)) == list(
        RUN_KINDS["generation"].stage_names
    )


def test_another_kind_runs_its_own_recipe_and_finish_on_the_same_engine(user, test_kind):
    pipeline, created = run_create(user=user, kind="export", config={"text": "abc"})
    assert created and pipeline.kind == "export"

    result = pipeline_run(pipeline_id=pipeline.id)

    pipeline.refresh_from_db()
    assert result.status == pipeline.status == "succeeded" and pipeline.progress == 100
    assert pipeline.result == {"text": "ABC"} and pipeline.asset_id is None
    stages = list(pipeline.stages.order_by("order").values_list("name", "status"))
    assert stages == [("prepare", "succeeded"), ("publish", "succeeded")]


def test_another_kind_gets_retries_and_resume(user, test_kind, settings):
    settings.FORGE_PIPELINE_BACKOFF_BASE_SECONDS = 0
    pipeline, _ = run_create(user=user, kind="export", config={"text": "flaky"})
    pipeline_run(pipeline_id=pipeline.id)
    pipeline.refresh_from_db()
    assert pipeline.status == "queued" and pipeline.error_code == "rate_limited"
    assert pipeline_run(pipeline_id=pipeline.id).status == "succeeded"
    pipeline.refresh_from_db()
    assert pipeline.attempt == 2 and pipeline.result == {"text": "FLAKY"}


def test_an_idempotency_key_of_one_kind_conflicts_with_another_kind(user, test_kind):
    from forge.exceptions import ConflictError

    run_create(user=user, kind="export", config={"text": "abc"}, idempotency_key="same")
    with pytest.raises(ConflictError):
        pipeline_create(user=user, config={"prompt": "a clay pot"}, idempotency_key="same")


def test_a_kind_without_a_recipe_cannot_be_created(user):
    with pytest.raises(ValidationFailedError) as caught:
        run_create(user=user, kind="no_such_kind", config={})
    assert "kind" in caught.value.details
    assert not GenerationPipeline.objects.exists()


def test_a_recipe_is_checked_when_declared():
    with pytest.raises(ValueError, match="sum to 100"):
        RunKind(kind="export", recipe=(Step("prepare", 50, _upper),), config_validate=_validate, finish=_finish)  # fmt: skip
    with pytest.raises(ValueError, match="StageName"):
        RunKind(kind="export", recipe=(Step("no_such_stage", 100, _upper),), config_validate=_validate, finish=_finish)  # fmt: skip


def test_the_database_accepts_any_identifier_as_a_stage_name_but_nothing_else(user):
    pipeline, _ = pipeline_create(user=user, config={"prompt": "a clay pot"}, enqueue=False)
    PipelineStage.objects.create(pipeline=pipeline, name="package", order=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        PipelineStage.objects.create(pipeline=pipeline, name="Not A Name", order=11)
    pipeline.current_stage = "package"
    with pytest.raises(Exception, match="not a stage of kind"):
        pipeline.full_clean(exclude=["user", "asset"])


def test_a_failed_run_of_another_kind_can_be_retried(user, test_kind, settings):
    settings.FORGE_PIPELINE_MAX_ATTEMPTS = 1
    pipeline, _ = run_create(user=user, kind="export", config={"text": "flaky"})
    pipeline_run(pipeline_id=pipeline.id)
    pipeline.refresh_from_db()
    assert pipeline.status == "failed"
    pipeline_retry(pipeline=pipeline)
    assert pipeline_run(pipeline_id=pipeline.id).status == "succeeded"

"""Row transitions every part of the engine shares: stages, progress, save-and-publish, enqueue.

Each helper changes rows already locked by its caller's transaction; none opens one.
"""

from datetime import datetime
from functools import cache

from django.db import DatabaseError, connection
from django.utils import timezone

from forge.oncommit import enqueue_on_commit
from pipelines.events import pipeline_event_publish_on_commit
from pipelines.kinds import run_kind_get
from pipelines.models import DONE_STAGE_STATUSES, GenerationPipeline, PipelineStage, StageStatus

RUN_TASK = "pipelines.tasks.pipeline_run"
PIPELINE_WRITE_FIELDS = [
    "status",
    "progress",
    "current_stage",
    "error_code",
    "error_message",
    "error_retryable",
    "result",
    "external_task_id",
    "attempt",
    "max_attempts",
    "lease_owner",
    "lease_expires_at",
    "heartbeat_at",
    "next_attempt_at",
    "cancel_requested_at",
    "enqueued_at",
    "event_seq",
    "asset",
    "started_at",
    "finished_at",
    "expires_at",
    "updated_at",
]
STAGE_WRITE_FIELDS = [
    "status",
    "progress",
    "attempts",
    "external_task_id",
    "started_at",
    "finished_at",
    "output",
    "error_code",
    "error_message",
]


def stages_of(pipeline: GenerationPipeline) -> list[PipelineStage]:
    """Return the stages of `pipeline` in run order."""
    return list(PipelineStage.objects.filter(pipeline=pipeline).order_by("order"))


@cache
def _update_sql(model, fields: tuple[str, ...]) -> tuple[str, list]:
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f'"{field.column}" = %s' for field in columns)
    sql = f'UPDATE "{meta.db_table}" SET {assignments} WHERE "{meta.pk.column}" = %s'  # noqa: S608 - names from the model
    return sql, columns


def row_update(obj, fields: list[str]) -> None:
    """Write `fields` of the saved row `obj` in one UPDATE, its SQL built once per field list.

    What `save(update_fields=...)` sends, without compiling the query again on every write
    (the engine writes its rows several times per stage). No signals: nothing listens to
    updates of these rows.
    """
    sql, columns = _update_sql(type(obj), tuple(fields))
    params = [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, obj.pk])
        if cursor.rowcount != 1:
            raise DatabaseError(f"{type(obj).__name__} {obj.pk} was not updated.")


@cache
def _updates_sql(shape: tuple[tuple[type, tuple[str, ...]], ...]) -> tuple[str, list]:
    parts, columns = [], []
    for index, (model, fields) in enumerate(shape):
        sql, row_columns = _update_sql(model, fields)
        parts.append(f"u{index} AS ({sql} RETURNING 1)")
        columns.append(row_columns)
    counts = ", ".join(f"(SELECT count(*) FROM u{index})" for index in range(len(shape)))  # noqa: S608
    return f"WITH {', '.join(parts)} SELECT {counts}", columns  # noqa: S608 - names from models


def rows_update(rows: list[tuple[object, list[str]]]) -> None:
    """Write each (saved row, fields) in one statement: one UPDATE per row in a `WITH`.

    What `row_update` does for each, in one round trip instead of one each (a stage
    boundary writes two stages and the pipeline). Each row must be updated exactly once.
    """
    if len(rows) == 1:
        row_update(*rows[0])
        return
    sql, columns = _updates_sql(tuple((type(obj), tuple(fields)) for obj, fields in rows))
    params = []
    for (obj, _), row_columns in zip(rows, columns, strict=True):
        params += [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in row_columns]
        params.append(obj.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        counts = cursor.fetchone()
    for (obj, _), count in zip(rows, counts, strict=True):
        if count != 1:
            raise DatabaseError(f"{type(obj).__name__} {obj.pk} was not updated.")


def pipeline_and_stages_save(pipeline: GenerationPipeline, changed: list[PipelineStage]) -> None:
    """Write the engine's fields of `pipeline` and of each `changed` stage, in one statement."""
    stages = {stage.pk: stage for stage in changed}.values()
    rows_update(
        [(stage, STAGE_WRITE_FIELDS) for stage in stages] + [(pipeline, PIPELINE_WRITE_FIELDS)]
    )


def stages_cancel(stages: list[PipelineStage], now: datetime) -> list[PipelineStage]:
    """Mark every unfinished stage canceled; return the changed ones."""
    changed = []
    for stage in stages:
        if stage.status not in DONE_STAGE_STATUSES and stage.status != StageStatus.CANCELED:
            stage.status = StageStatus.CANCELED
            if stage.started_at and not stage.finished_at:
                stage.finished_at = now
            changed.append(stage)
    return changed


def lease_clear(pipeline: GenerationPipeline) -> None:
    """Release the pipeline's lease (its run ended or was handed back)."""
    pipeline.lease_owner = ""
    pipeline.lease_expires_at = None


def progress_of(
    pipeline: GenerationPipeline,
    stages: list[PipelineStage],
    current: str | None = None,
    fraction: float = 0.0,
) -> int:
    """Return the run's progress: the weights of its finished stages plus the current share."""
    weights = run_kind_get(pipeline.kind).weights
    done = sum(weights[s.name] for s in stages if s.status in DONE_STAGE_STATUSES)
    if current is not None:
        done += weights[current] * max(0.0, min(1.0, fraction))
    return max(0, min(99, int(done)))


def stage_begin(
    pipeline: GenerationPipeline, stages: dict[str, PipelineStage], name: str
) -> PipelineStage:
    """Mark stage `name` running and make it the pipeline's current stage; return it.

    A stage still `running` was parked while its remote task ran (`services.remote`): it
    carries on with its start time, attempt count and progress.
    """
    stage = stages[name]
    if stage.status != StageStatus.RUNNING:
        stage.status = StageStatus.RUNNING
        stage.attempts += 1
        stage.started_at = timezone.now()
        stage.progress = 0
    stage.finished_at = None
    stage.error_code = ""
    stage.error_message = ""
    pipeline.current_stage = name
    pipeline.progress = progress_of(pipeline, list(stages.values()), name, stage.progress / 100)
    return stage


def save_and_publish(
    pipeline: GenerationPipeline,
    stages: list[PipelineStage],
    changed: list[PipelineStage],
    now: datetime,
) -> None:
    """Save `pipeline` and its `changed` stages as one new event, published after commit."""
    pipeline.event_seq += 1
    pipeline.updated_at = now
    pipeline_and_stages_save(pipeline, changed)
    pipeline_event_publish_on_commit(pipeline, stages)


def run_enqueue(pipeline: GenerationPipeline, now: datetime) -> None:
    """Enqueue the run of `pipeline` with the current transaction and note when (save it after).

    `enqueued_at` lets the reaper tell a run still waiting for a worker from one whose job
    was taken by a worker that died (see `pipelines_reap`).
    """
    pipeline.enqueued_at = now
    enqueue_on_commit(RUN_TASK, str(pipeline.id))

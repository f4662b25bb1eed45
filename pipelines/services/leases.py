"""Leases: a worker claims a run, keeps it alive with a heartbeat, and writes only while it owns it.

The claim takes the lease (owner + expiry + attempt number) in one locked UPDATE. A
heartbeat thread renews it and notices a cancel request; every write-back is fenced on
owner, attempt and status, so a worker that lost its lease can never overwrite a newer
attempt.
"""

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import cache

import structlog
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from forge.prepared import PreparedQuery
from pipelines.events import pipeline_event_publish_on_commit
from pipelines.models import DONE_STAGE_STATUSES, GenerationPipeline, PipelineStage, PipelineStatus
from pipelines.services.state import (
    pipeline_and_stages_save,
    save_and_publish,
    stage_begin,
    stages_of,
)

log = structlog.get_logger("pipelines")


# The fenced read every stage boundary starts with: compiled once (forge/prepared.py).
_fenced_stages = PreparedQuery(
    lambda pipeline_id, owner, attempt: (
        PipelineStage.objects.select_related("pipeline")
        .select_for_update(of=("pipeline",))
        .filter(
            pipeline_id=pipeline_id,
            pipeline__lease_owner=owner,
            pipeline__attempt=attempt,
            pipeline__status=PipelineStatus.RUNNING,
        )
        .order_by("order")
    ),
    pipeline_id=uuid.UUID,
    owner=str,
    attempt=int,
)


class LeaseLost(Exception):
    """This worker no longer owns the pipeline: stop without writing anything."""


def worker_id_new() -> str:
    """Return an identifier for this worker process, unique per run."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lease_claim(pipeline_id, worker_id: str) -> tuple[GenerationPipeline | None, str, str]:
    """Take the lease on a queued, due pipeline and start its first unfinished stage.

    Returns the pipeline (None if not claimed), the outcome, and the stage begun.
    """
    now = timezone.now()
    with transaction.atomic():
        pipeline = (
            GenerationPipeline.objects.select_for_update()
            .filter(pk=pipeline_id, status=PipelineStatus.QUEUED)
            .first()
        )
        if pipeline is None:
            return None, "not_queued", ""
        if pipeline.next_attempt_at is not None and pipeline.next_attempt_at > now:
            return None, "backing_off", ""
        stages = stages_of(pipeline)
        pipeline.status = PipelineStatus.RUNNING
        pipeline.attempt += 1
        pipeline.lease_owner = worker_id
        pipeline.lease_expires_at = now + timedelta(seconds=settings.FORGE_PIPELINE_LEASE_SECONDS)
        pipeline.heartbeat_at = now
        pipeline.next_attempt_at = None
        pipeline.started_at = pipeline.started_at or now
        pipeline.error_code = ""
        pipeline.error_message = ""
        pipeline.error_retryable = False
        first = next((st for st in stages if st.status not in DONE_STAGE_STATUSES), None)
        changed = []
        if first is not None:
            changed.append(stage_begin(pipeline, {st.name: st for st in stages}, first.name))
        save_and_publish(pipeline, stages, changed, now)
    return pipeline, "claimed", first.name if first is not None else ""


@cache
def _stage_write_sql(fields: tuple[str, ...]) -> tuple[str, list]:
    """Return the fenced UPDATE of `fields` of one stage (built once per field list)."""
    stage_meta, pipeline_meta = PipelineStage._meta, GenerationPipeline._meta
    columns = [stage_meta.get_field(name) for name in fields]
    assignments = ", ".join(f'"{column.column}" = %s' for column in columns)
    sql = (
        f'UPDATE "{stage_meta.db_table}" AS s SET {assignments} '  # noqa: S608 - model names
        f'FROM "{pipeline_meta.db_table}" AS p '
        "WHERE p.id = s.pipeline_id AND s.pipeline_id = %s AND s.name = %s "
        "AND p.lease_owner = %s AND p.attempt = %s AND p.status = %s"
    )
    return sql, columns


class Lease:
    """This worker's hold on one attempt of one pipeline: heartbeat and fenced writes."""

    def __init__(self, pipeline: GenerationPipeline):
        self.pipeline_id = pipeline.id
        self.owner = pipeline.lease_owner
        self.attempt = pipeline.attempt
        self.duration = timedelta(seconds=settings.FORGE_PIPELINE_LEASE_SECONDS)
        self.cancel_seen = threading.Event()
        self.lost = threading.Event()
        self.ended = threading.Event()
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None
        self.last_publish = 0.0
        if pipeline.cancel_requested_at is not None:
            # Claimed to be canceled: a parked run whose remote task must be deleted.
            self.cancel_seen.set()

    def should_cancel(self) -> bool:
        """Return True once a cancel was requested or the lease was lost."""
        return self.cancel_seen.is_set() or self.lost.is_set()

    def heartbeat_start(self) -> None:
        """Renew the lease from a thread every `FORGE_PIPELINE_HEARTBEAT_SECONDS`."""
        self._heartbeat = threading.Thread(
            target=self._heartbeat_loop, name=f"lease-{self.pipeline_id}", daemon=True
        )
        self._heartbeat.start()

    def heartbeat_stop(self) -> None:
        """Stop renewing the lease."""
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join(timeout=10)

    def _heartbeat_loop(self) -> None:
        interval = settings.FORGE_PIPELINE_HEARTBEAT_SECONDS
        table = GenerationPipeline._meta.db_table
        sql = (
            f"UPDATE {table} SET lease_expires_at = %s, heartbeat_at = %s "  # noqa: S608
            "WHERE id = %s AND lease_owner = %s AND attempt = %s AND status = %s "
            "RETURNING cancel_requested_at"
        )
        try:
            while not self._stop.wait(interval):
                now = timezone.now()
                try:
                    with connection.cursor() as cursor:
                        cursor.execute(
                            sql,
                            [
                                now + self.duration,
                                now,
                                self.pipeline_id,
                                self.owner,
                                self.attempt,
                                PipelineStatus.RUNNING,
                            ],
                        )
                        row = cursor.fetchone()
                except DatabaseError:
                    log.warning("pipeline_heartbeat_failed", pipeline_id=str(self.pipeline_id))
                    continue
                if row is None:
                    if not self.ended.is_set():  # not this run's own final write
                        self.lost.set()
                        log.warning("pipeline_lease_lost", pipeline_id=str(self.pipeline_id))
                    return
                if row[0] is not None:
                    self.cancel_seen.set()
        finally:
            connection.close()

    def write(
        self,
        mutate: Callable[[GenerationPipeline, dict[str, PipelineStage]], list[PipelineStage]],
        *,
        publish: bool = True,
    ) -> GenerationPipeline:
        """Apply `mutate` to the pipeline and its stages if this worker still owns the lease.

        Raises LeaseLost (and writes nothing) otherwise. A successful write renews the lease.
        """
        with transaction.atomic():
            # One statement reads the stages and locks the fenced pipeline row (two in all:
            # this, and one writing the pipeline with its changed stages). Only the lease
            # owner writes stages while the fence holds, so the stages read are current.
            stages = _fenced_stages.all(
                pipeline_id=self.pipeline_id, owner=self.owner, attempt=self.attempt
            )
            if not stages:
                self.lost.set()
                raise LeaseLost()
            pipeline = stages[0].pipeline
            for stage in stages:
                stage.pipeline = pipeline
            by_name = {stage.name: stage for stage in stages}
            changed = mutate(pipeline, by_name)
            if pipeline.status != PipelineStatus.RUNNING:
                self.ended.set()
            now = timezone.now()
            if pipeline.status == PipelineStatus.RUNNING:
                pipeline.lease_expires_at = now + self.duration
                pipeline.heartbeat_at = now
            if publish:
                pipeline.event_seq += 1
            pipeline.updated_at = now
            pipeline_and_stages_save(pipeline, changed)
            if publish:
                pipeline_event_publish_on_commit(pipeline, stages)
                self.last_publish = time.monotonic()
        return pipeline

    def write_stage(self, name: str, **fields) -> None:
        """Update stage `name` alone (a quiet checkpoint) if this worker still owns the lease."""
        sql, columns = _stage_write_sql(tuple(fields))
        params = [column.get_db_prep_save(fields[column.name], connection) for column in columns]
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [
                    *params,
                    self.pipeline_id,
                    name,
                    self.owner,
                    self.attempt,
                    PipelineStatus.RUNNING.value,
                ],
            )
            updated = cursor.rowcount
        if not updated:
            self.lost.set()
            raise LeaseLost()

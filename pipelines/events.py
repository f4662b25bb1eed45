"""Live-status events: what a pipeline's watchers receive after every committed state change.

Every message sent to the channel layer is
`{"type": "pipelines.updated", "event": pipeline_event_build(pipeline)}` and goes to two
groups: the pipeline's own (`pipeline_group_name`) and its owner's
(`pipeline_user_group_name`). `event["seq"]` is the pipeline's `event_seq`, incremented in
the same transaction as the change it describes, so a watcher that sees a gap knows it
missed something and can ask for a fresh snapshot.
"""

from typing import Any

from django.utils import timezone

from forge.oncommit import broadcast_on_commit
from forge.tracing import trace_carrier
from pipelines.models import GenerationPipeline

EVENT_TYPE = "pipelines.updated"


def pipeline_group_name(pipeline_id) -> str:
    """Return the channel group of one pipeline's watchers."""
    hex_id = pipeline_id.hex if hasattr(pipeline_id, "hex") else str(pipeline_id).replace("-", "")
    return f"pipelines.pipeline.{hex_id}"


def pipeline_user_group_name(user_id) -> str:
    """Return the channel group of everyone watching all of one user's pipelines."""
    return f"pipelines.user.{user_id}"


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")


# What watchers learn of a finished run's result: the asset kind, and whether the result only
# approximates the prompt (with the reason, suggestions and a visibility held back).
RESULT_EVENT_KEYS = (
    "kind",
    "object_kind",
    "approximate",
    "reason",
    "suggestions",
    "visibility",
    "visibility_held",
    "visibility_note",
)


def _result_summary(result: dict[str, Any] | None) -> dict[str, Any] | None:
    if not result:
        return None
    return {key: result[key] for key in RESULT_EVENT_KEYS if key in result}


def event_trace(pipeline: GenerationPipeline) -> dict[str, str] | None:
    """Return the trace context an event carries: the current span's, else the run's stored one."""
    return trace_carrier() or pipeline.trace_context or None


def pipeline_event_build(pipeline: GenerationPipeline, stages=None) -> dict[str, Any]:
    """Return the JSON-safe snapshot of `pipeline` that watchers receive.

    Reads the stages unless given (or prefetched with `prefetch_related("stages")`) and,
    once the pipeline has one, its asset.
    """
    stages = sorted(pipeline.stages.all() if stages is None else stages, key=lambda s: s.order)
    error = None
    if pipeline.error_code:
        error = {
            "code": pipeline.error_code,
            "message": pipeline.error_message,
            "retryable": pipeline.error_retryable,
        }
    asset_id = None
    thumbnail_url = None
    if pipeline.asset_id is not None:
        asset_id = str(pipeline.asset_id)
        asset = pipeline.asset
        if asset is not None and asset.thumbnail:
            thumbnail_url = asset.thumbnail.url
    return {
        "pipeline_id": str(pipeline.id),
        "kind": pipeline.kind,
        "seq": pipeline.event_seq,
        "prompt": (pipeline.config or {}).get("prompt", ""),
        "status": pipeline.status,
        "progress": pipeline.progress,
        "current_stage": pipeline.current_stage or None,
        "stages": [
            {
                "name": stage.name,
                "order": stage.order,
                "status": stage.status,
                "progress": stage.progress,
            }
            for stage in stages
        ],
        "error": error,
        "cancel_requested": pipeline.cancel_requested_at is not None,
        "attempt": pipeline.attempt,
        "asset_id": asset_id,
        "thumbnail_url": thumbnail_url,
        "result": _result_summary(pipeline.result),
        "request_id": pipeline.request_id or None,
        "trace": event_trace(pipeline),
        "updated_at": _iso(pipeline.updated_at or timezone.now()),
    }


def pipeline_event_publish_on_commit(pipeline: GenerationPipeline, stages=None) -> dict[str, Any]:
    """Snapshot `pipeline` now and publish it once the current transaction commits.

    The snapshot is taken inside the transaction, so the event describes exactly the
    committed change; a rollback discards it unannounced.
    """
    event = pipeline_event_build(pipeline, stages)
    groups = [pipeline_group_name(pipeline.id), pipeline_user_group_name(pipeline.user_id)]
    broadcast_on_commit(groups, {"type": EVENT_TYPE, "event": event})
    return event

"""The pipeline engine's services: every write to runs and their stages, one module per concept.

- `creation`: validate a run's config, write it with its stages, enqueue it (idempotently)
- `control`: cancel and retry
- `leases`: claim, heartbeat and fenced writes
- `checkpoints`: the files stages write, per attempt, for resuming
- `run`: one attempt of a run, its kind's recipe executed stage by stage
- `maintenance`: the reaper and the daily cleanup
- `state`: row transitions the others share

What a kind of run does is declared in `pipelines.kinds`. Callers import from here:
`from pipelines.services import pipeline_create`.
"""

from pipelines.services.checkpoints import pipeline_files_delete
from pipelines.services.control import pipeline_cancel, pipeline_retry
from pipelines.services.creation import pipeline_create, run_create
from pipelines.services.leases import worker_id_new
from pipelines.services.maintenance import (
    pipelines_cleanup,
    pipelines_reap,
    pipelines_reap_after_start,
)
from pipelines.services.run import backoff_seconds, pipeline_run
from pipelines.services.state import RUN_TASK

__all__ = [
    "RUN_TASK",
    "backoff_seconds",
    "pipeline_cancel",
    "pipeline_create",
    "pipeline_files_delete",
    "pipeline_retry",
    "pipeline_run",
    "pipelines_cleanup",
    "pipelines_reap",
    "pipelines_reap_after_start",
    "run_create",
    "worker_id_new",
]

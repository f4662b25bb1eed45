"""Errors services: record occurrences, change group status, roll up, retain, alert.

One module per concept; callers keep importing from `errors.services`.
"""

from errors.services.alerts import error_alerts_check
from errors.services.groups import (
    error_group_environments_ignore,
    error_group_ignore,
    error_group_reopen,
    error_group_resolve,
    error_groups_transition,
    error_groups_unignore_expired,
    error_ignore_validate,
)
from errors.services.ingest import (
    ingest_batch_process,
    ingest_drain,
    ingest_events_delete_processed,
)
from errors.services.merge import error_group_unmerge, error_groups_merge
from errors.services.projects import (
    error_project_create,
    error_project_dsn,
    error_project_frontend_ensure,
    error_project_key_revoke,
    error_project_key_rotate,
    error_project_update,
)
from errors.services.record import (
    category_for_exception,
    error_record,
    error_record_batch,
    severity_at_least,
)
from errors.services.rollups import (
    error_aggregations_update,
    error_occurrences_delete_expired,
    hour_floor,
)
from errors.services.slo_alerts import slo_alerts_check

__all__ = [
    "error_group_environments_ignore",
    "category_for_exception",
    "error_aggregations_update",
    "error_alerts_check",
    "error_group_ignore",
    "error_group_reopen",
    "error_group_resolve",
    "error_group_unmerge",
    "error_groups_merge",
    "error_groups_transition",
    "error_groups_unignore_expired",
    "error_ignore_validate",
    "error_occurrences_delete_expired",
    "error_project_create",
    "error_project_dsn",
    "error_project_frontend_ensure",
    "error_project_key_revoke",
    "error_project_key_rotate",
    "error_project_update",
    "error_record",
    "error_record_batch",
    "hour_floor",
    "ingest_batch_process",
    "ingest_drain",
    "ingest_events_delete_processed",
    "severity_at_least",
    "slo_alerts_check",
]

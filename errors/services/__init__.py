"""Errors services: record occurrences, change group status, roll up, retain, alert.

One module per concept; callers keep importing from `errors.services`.
"""

from errors.services.alerts import error_alerts_check
from errors.services.groups import (
    error_group_ignore,
    error_group_reopen,
    error_group_resolve,
    error_groups_transition,
    error_groups_unignore_expired,
    error_ignore_validate,
)
from errors.services.record import category_for_exception, error_record, severity_at_least
from errors.services.rollups import (
    error_aggregations_update,
    error_occurrences_delete_expired,
    hour_floor,
)
from errors.services.slo_alerts import slo_alerts_check

__all__ = [
    "category_for_exception",
    "error_aggregations_update",
    "error_alerts_check",
    "error_group_ignore",
    "error_group_reopen",
    "error_group_resolve",
    "error_groups_transition",
    "error_groups_unignore_expired",
    "error_ignore_validate",
    "error_occurrences_delete_expired",
    "error_record",
    "hour_floor",
    "severity_at_least",
    "slo_alerts_check",
]

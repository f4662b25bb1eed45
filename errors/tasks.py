"""django-q2 entry points for the errors app's schedules: each just calls a service."""

from errors import services


def errors_aggregate() -> dict:
    """Roll occurrences up per hour (hourly schedule)."""
    result = services.error_aggregations_update()
    return {"hours": result["hours"], "rows": result["rows"]}


def errors_retention() -> int:
    """Delete occurrences past the retention period (daily schedule), and old request counts."""
    from forge.accesslog import access_aggregates_delete_expired

    access_aggregates_delete_expired()
    return services.error_occurrences_delete_expired()


def errors_alerts_check() -> int:
    """Email staff about new groups, regressions and bursts (every minute)."""
    return services.error_alerts_check()


def errors_ingest_drain() -> int:
    """Record the events the ingest endpoints accepted (kicked by them, and every minute)."""
    return services.ingest_drain()


def errors_ingest_cleanup() -> int:
    """Delete raw ingest events recorded long enough ago (hourly)."""
    return services.ingest_events_delete_processed()


def errors_slo_alerts_check() -> int:
    """Email staff about SLOs burning their error budget too fast (every minute)."""
    return services.slo_alerts_check()

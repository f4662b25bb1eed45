"""Connection budgets: how many PostgreSQL and Redis connections each kind of process may open.

Worst cases from the settings, per process:

- web (daphne): the Django pool's `max_size` (FORGE_DB_POOL_MAX; without the pool, e.g. behind
  PgBouncer, one connection per ASGI thread), the errors ingest pool (FORGE_INGEST_DB_POOL_MAX),
  and the `errors` alias (persistent, one per ASGI thread that records an error).
- worker (one qcluster): per worker process its `default` connection, the `errors` alias and the
  pipeline lease heartbeat thread's connection; plus the cluster's own processes (sentinel with
  the scheduler, pusher, monitor).

`manage.py services_check` prints the budget; it and system check forge.E010 fail when
`processes × per process` exceeds the allowed maximum (docs/scaling.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.conf import settings
from django.core.checks import Error, register

CLUSTER_OWN_PROCESSES = 3  # sentinel (+ scheduler), pusher, monitor
PER_WORKER_PG = 3  # default alias, errors alias, lease heartbeat thread
PER_WORKER_REDIS = 2  # channel layer (group_send), cache


def asgi_threads() -> int:
    """Threads asgiref runs sync code in, per daphne process (ASGI_THREADS, else its default)."""
    configured = os.environ.get("ASGI_THREADS")
    if configured:
        return int(configured)
    return min(32, (os.cpu_count() or 1) + 4)


@dataclass(frozen=True)
class Budget:
    web_processes: int
    worker_processes: int
    pg_per_web: int
    pg_per_worker: int
    redis_per_web: int
    redis_per_worker: int

    @property
    def pg_total(self) -> int:
        return self.web_processes * self.pg_per_web + self.worker_processes * self.pg_per_worker

    @property
    def redis_total(self) -> int:
        return (
            self.web_processes * self.redis_per_web + self.worker_processes * self.redis_per_worker
        )

    def lines(self) -> list[str]:
        return [
            f"PostgreSQL: {self.web_processes} web × {self.pg_per_web} + "
            f"{self.worker_processes} worker × {self.pg_per_worker} = {self.pg_total} connections",
            f"Redis: {self.web_processes} web × {self.redis_per_web} + "
            f"{self.worker_processes} worker × {self.redis_per_worker} = {self.redis_total} "
            "connections at most",
        ]


def pg_per_web() -> int:
    threads = asgi_threads()
    pooled = not settings.FORGE_PGBOUNCER
    default = settings.FORGE_DB_POOL_MAX if pooled else threads
    return default + settings.FORGE_INGEST_DB_POOL_MAX + threads


def pg_per_worker() -> int:
    return settings.Q_CLUSTER["workers"] * PER_WORKER_PG + CLUSTER_OWN_PROCESSES


def redis_per_web() -> int:
    layer = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]
    channel_cap = layer.get("max_connections", 100) if isinstance(layer, dict) else 100
    return channel_cap + asgi_threads()  # channel layer pool cap + one cache connection a thread


def redis_per_worker() -> int:
    return settings.Q_CLUSTER["workers"] * PER_WORKER_REDIS + 1


def budget() -> Budget:
    return Budget(
        web_processes=settings.FORGE_WEB_PROCESSES,
        worker_processes=settings.FORGE_WORKER_PROCESSES,
        pg_per_web=pg_per_web(),
        pg_per_worker=pg_per_worker(),
        redis_per_web=redis_per_web(),
        redis_per_worker=redis_per_worker(),
    )


def pg_allowed(server_max_connections: int | None = None) -> int | None:
    """The connections Forge may use: configured, else the server's maximum minus the reserve."""
    if settings.FORGE_PG_MAX_CONNECTIONS > 0:
        return settings.FORGE_PG_MAX_CONNECTIONS
    if server_max_connections is None:
        return None
    return server_max_connections - settings.FORGE_PG_RESERVED_CONNECTIONS


def pg_over_budget_message(plan: Budget, allowed: int) -> str | None:
    if plan.pg_total <= allowed:
        return None
    return (
        f"PostgreSQL connection budget exceeded: {plan.pg_total} connections "
        f"({plan.web_processes} web × {plan.pg_per_web} + {plan.worker_processes} worker × "
        f"{plan.pg_per_worker}) > {allowed} allowed. Lower FORGE_DB_POOL_MAX, "
        "FORGE_INGEST_DB_POOL_MAX or FORGE_Q_WORKERS, raise max_connections, or put PgBouncer "
        "in front (FORGE_PGBOUNCER=on, docs/scaling.md)."
    )


@register("forge")
def check_connection_budget(app_configs=None, **kwargs) -> list[Error]:
    """forge.E010: the planned processes would open more connections than configured."""
    allowed = pg_allowed()
    if allowed is None:
        return []  # only services_check asks the server (system checks do not query it)
    message = pg_over_budget_message(budget(), allowed)
    if message is None:
        return []
    return [
        Error(
            message,
            hint="FORGE_WEB_PROCESSES and FORGE_WORKER_PROCESSES count processes on all machines.",
            id="forge.E010",
        )
    ]

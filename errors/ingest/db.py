"""The web process's own async connections to PostgreSQL for the ingest endpoints.

The endpoints run on the event loop, outside Django's request cycle (no thread hop, no
ORM), so they keep a small psycopg pool of their own in autocommit mode: each statement
is its own durable transaction.
"""

import asyncio

from django.conf import settings
from psycopg.conninfo import make_conninfo
from psycopg_pool import AsyncConnectionPool

_DJANGO_OPTIONS = {
    "pool",
    "server_side_binding",
    "isolation_level",
    "assume_role",
    "prepare_threshold",
}
_pool: AsyncConnectionPool | None = None
_lock = asyncio.Lock()


def _conninfo() -> str:
    db = settings.DATABASES["default"]
    params = {
        "dbname": db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": str(db["PORT"]) if db.get("PORT") else None,
        "application_name": "forge-ingest",
    }
    # libpq options from DATABASES (sslmode, ...); Django's own keys are not libpq's.
    for name, value in db.get("OPTIONS", {}).items():
        if name not in _DJANGO_OPTIONS and isinstance(value, str | int):
            params.setdefault(name, str(value))
    return make_conninfo(**{k: v for k, v in params.items() if v})


async def pool() -> AsyncConnectionPool:
    """Return the process's pool, opening it on first use (inside the running loop)."""
    global _pool
    if _pool is None:
        async with _lock:
            if _pool is None:
                candidate = AsyncConnectionPool(
                    _conninfo(),
                    min_size=1,
                    max_size=settings.FORGE_INGEST_DB_POOL_MAX,
                    kwargs={"autocommit": True},
                    open=False,
                    timeout=5,
                )
                await candidate.open()
                _pool = candidate
    return _pool

"""Which project a request reports to, and whether its DSN key is one of that project's.

Looked up once per project and cached in the process for `FORGE_INGEST_KEY_CACHE_SECONDS`,
"no such project" included, so a flood with a wrong project or key costs no query.
A revoked or rotated key therefore stops working within that time.
"""

import hmac
import time
from dataclasses import dataclass

from django.conf import settings

from errors.ingest.db import pool


@dataclass(frozen=True)
class ProjectAuth:
    """What the endpoints need to know of a project: its keys, limit and browser origins."""

    project_id: int
    keys: frozenset[str]
    rate_limit_per_minute: int
    allowed_origins: frozenset[str]

    def key_valid(self, key: str) -> bool:
        """Say whether `key` is one of the project's active keys (compared in constant time)."""
        return any(hmac.compare_digest(key.encode(), k.encode()) for k in self.keys)

    def origin_allowed(self, origin: str) -> bool:
        """Say whether a browser page at `origin` may report to this project."""
        return "*" in self.allowed_origins or origin.rstrip("/") in self.allowed_origins


_SQL = """
SELECT p.id, p.rate_limit_per_minute, p.allowed_origins,
       coalesce(array_agg(k.public_key) FILTER (WHERE k.is_active), '{}')
FROM errors_errorproject p LEFT JOIN errors_errorprojectkey k ON k.project_id = p.id
WHERE p.id = %s GROUP BY p.id
"""
_cache: dict[int, tuple[float, ProjectAuth | None]] = {}


def _origins(text: str) -> frozenset[str]:
    return frozenset(line.strip().rstrip("/") for line in text.splitlines() if line.strip())


async def project_auth(project_id: int) -> ProjectAuth | None:
    """Return the project's auth facts, or None if there is no such project (cached)."""
    now = time.monotonic()
    hit = _cache.get(project_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    db = await pool()
    async with db.connection() as conn:
        row = await (await conn.execute(_SQL, (project_id,))).fetchone()
    auth = None
    if row is not None:
        auth = ProjectAuth(
            project_id=row[0],
            rate_limit_per_minute=row[1],
            allowed_origins=_origins(row[2]),
            keys=frozenset(row[3]),
        )
    if len(_cache) > 10_000:  # made-up project IDs must not grow the cache without bound
        _cache.clear()
    _cache[project_id] = (now + settings.FORGE_INGEST_KEY_CACHE_SECONDS, auth)
    return auth

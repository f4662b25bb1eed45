"""Sessions read from the cache and written through to the database, that outlive a Redis outage.

Django's `cached_db` backend already falls back to the database when a cache read fails, but
then refills the cache (and checks for a key, and deletes one) without catching a failure:
with Redis down, every signed-in page would fail. Here each cache step that fails is logged
and skipped; the database stays the record, so no session is lost either way.
"""

import structlog
from django.contrib.sessions.backends import cached_db

log = structlog.get_logger("forge.sessions")


class SessionStore(cached_db.SessionStore):
    """`cached_db` sessions whose cache steps never fail a request."""

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            log.warning("session_cache_unavailable", step="get", exc_info=True)
            data = None
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
        except Exception:
            log.warning("session_cache_unavailable", step="set", exc_info=True)
        return data

    def exists(self, session_key):
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:
            log.warning("session_cache_unavailable", step="exists", exc_info=True)
        return cached_db.DBStore.exists(self, session_key)

    def delete(self, session_key=None):
        cached_db.DBStore.delete(self, session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:
            log.warning("session_cache_unavailable", step="delete", exc_info=True)

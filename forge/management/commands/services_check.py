"""Stop at once, naming the service and how to start it, when PostgreSQL or Redis is down."""

import sys

import psycopg
import redis
from django.conf import settings
from django.core.management.base import BaseCommand
from psycopg import sql

from forge import connections

PG_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
REDIS_START = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no'
)


class Command(BaseCommand):
    help = (
        "Check that PostgreSQL and Redis answer; with --create-db, create the database if missing."
    )
    # It reports the connection budget itself (system check forge.E010 would stop it first).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--create-db", action="store_true")

    def handle(self, *args, create_db: bool = False, **options):
        db = settings.DATABASES["default"]
        where = f"{db.get('HOST') or 'local socket'}:{db.get('PORT') or 5432}"
        params = {
            "host": db.get("HOST") or None,
            "port": db.get("PORT") or None,
            "user": db.get("USER") or None,
            "password": db.get("PASSWORD") or None,
            "connect_timeout": 3,
        }
        try:
            with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
                exists = conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
                ).fetchone()
                if not exists and create_db:
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
                    self.stdout.write(f"Created database {db['NAME']}.")
                server_max = int(conn.execute("SHOW max_connections").fetchone()[0])
        except psycopg.OperationalError as exc:
            self._fail(
                f"PostgreSQL is not reachable at {where} ({str(exc).strip().splitlines()[0]}). "
                f"Start it with: {PG_START}  (or set DATABASE_URL)"
            )
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
        except redis.RedisError as exc:
            self._fail(
                f"Redis is not reachable at {settings.REDIS_URL} ({exc}). "
                f"Start it with: {REDIS_START}  (or set REDIS_URL)"
            )
        self.stdout.write("PostgreSQL and Redis are up.")
        self._budget(server_max)

    def _budget(self, server_max: int) -> None:
        """Print the connection budget; stop when the planned processes would exceed it."""
        plan = connections.budget()
        allowed = connections.pg_allowed(server_max)
        for line in plan.lines():
            self.stdout.write(f"Budget: {line}")
        source = (
            "FORGE_PG_MAX_CONNECTIONS"
            if settings.FORGE_PG_MAX_CONNECTIONS > 0
            else f"max_connections {server_max} - {settings.FORGE_PG_RESERVED_CONNECTIONS} reserved"
        )
        self.stdout.write(f"Budget: PostgreSQL allows {allowed} ({source}).")
        message = connections.pg_over_budget_message(plan, allowed)
        if message:
            self._fail(message)

    def _fail(self, message: str) -> None:
        sys.stderr.write(f"ERROR: {message}\n")
        raise SystemExit(3)

"""Connection budgets: the arithmetic, services_check's report and failure, system check E010."""

import os
import subprocess
import sys
from pathlib import Path

from django.core.checks import run_checks

from forge import connections
from tests.forge.test_services_check import services_check

ROOT = Path(__file__).resolve().parents[2]


def test_web_budget_is_the_pool_the_ingest_pool_and_the_errors_alias(settings, monkeypatch):
    monkeypatch.setenv("ASGI_THREADS", "6")
    settings.FORGE_PGBOUNCER = False
    settings.FORGE_DB_POOL_MAX = 20
    settings.FORGE_INGEST_DB_POOL_MAX = 8
    assert connections.pg_per_web() == 20 + 8 + 6


def test_without_the_django_pool_each_asgi_thread_may_hold_a_connection(settings, monkeypatch):
    monkeypatch.setenv("ASGI_THREADS", "6")
    settings.FORGE_PGBOUNCER = True
    settings.FORGE_INGEST_DB_POOL_MAX = 8
    assert connections.pg_per_web() == 6 + 8 + 6


def test_worker_budget_counts_each_worker_process_and_the_clusters_own(settings):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "workers": 4}
    assert connections.pg_per_worker() == 4 * 3 + 3
    assert connections.redis_per_worker() == 4 * 2 + 1


def test_total_is_processes_times_per_process(settings, monkeypatch):
    monkeypatch.setenv("ASGI_THREADS", "4")
    settings.FORGE_PGBOUNCER = False
    settings.FORGE_DB_POOL_MAX = 10
    settings.FORGE_INGEST_DB_POOL_MAX = 2
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "workers": 2}
    settings.FORGE_WEB_PROCESSES = 3
    settings.FORGE_WORKER_PROCESSES = 2
    plan = connections.budget()
    assert plan.pg_total == 3 * (10 + 2 + 4) + 2 * (2 * 3 + 3)
    assert "3 web × 16 + 2 worker × 9 = 66 connections" in plan.lines()[0]


def test_allowed_is_configured_else_the_server_maximum_minus_the_reserve(settings):
    settings.FORGE_PG_MAX_CONNECTIONS = 0
    settings.FORGE_PG_RESERVED_CONNECTIONS = 10
    assert connections.pg_allowed(100) == 90
    assert connections.pg_allowed() is None
    settings.FORGE_PG_MAX_CONNECTIONS = 400
    assert connections.pg_allowed(100) == 400


def test_system_check_e010_fires_only_over_a_configured_maximum(settings):
    settings.FORGE_WEB_PROCESSES = 50
    settings.FORGE_PG_MAX_CONNECTIONS = 0
    assert not [e for e in run_checks() if e.id == "forge.E010"]
    settings.FORGE_PG_MAX_CONNECTIONS = 100
    errors = [e for e in run_checks() if e.id == "forge.E010"]
    assert len(errors) == 1
    assert "PostgreSQL connection budget exceeded" in errors[0].msg
    assert "> 100 allowed" in errors[0].msg
    settings.FORGE_WEB_PROCESSES = 1
    settings.FORGE_PG_MAX_CONNECTIONS = 10_000
    assert not [e for e in run_checks() if e.id == "forge.E010"]


def test_pgbouncer_settings_drop_server_side_cursors_prepared_statements_and_the_pool():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "d = s.DATABASES['default']; "
        "print(d['DISABLE_SERVER_SIDE_CURSORS'], 'pool' in d['OPTIONS'], "
        "d['OPTIONS']['prepare_threshold'], s.DATABASES['errors']['DISABLE_SERVER_SIDE_CURSORS'])"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "forge.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "FORGE_PGBOUNCER": "on", "FORGE_DB_POOL": "on"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["True", "False", "None", "True"], result.stderr


def test_services_check_prints_the_budget_against_the_servers_maximum():
    result = services_check(FORGE_WEB_PROCESSES="1", FORGE_WORKER_PROCESSES="1")
    assert result.returncode == 0, result.stderr
    assert "Budget: PostgreSQL: 1 web ×" in result.stdout
    assert "reserved" in result.stdout  # the allowance came from SHOW max_connections


def test_services_check_fails_clearly_over_budget():
    result = services_check(FORGE_WEB_PROCESSES="40", FORGE_PG_MAX_CONNECTIONS="100")
    assert result.returncode == 3
    assert "PostgreSQL connection budget exceeded" in result.stderr
    assert "40 web ×" in result.stderr

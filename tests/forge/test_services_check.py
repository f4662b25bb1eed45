import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def services_check(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "services_check"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_up_services_pass():
    result = services_check()
    assert result.returncode == 0
    assert "PostgreSQL and Redis are up" in result.stdout


def test_redis_down_stops_at_once_naming_it_and_how_to_start_it():
    result = services_check(REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode == 3
    assert "Redis is not reachable at redis://127.0.0.1:1/0" in result.stderr
    assert "redis-server" in result.stderr


def test_postgres_down_stops_at_once_naming_it_and_how_to_start_it():
    result = services_check(DATABASE_URL="postgres://postgres@127.0.0.1:1/forge")
    assert result.returncode == 3
    assert "PostgreSQL is not reachable at 127.0.0.1:1" in result.stderr
    assert "pg_ctlcluster" in result.stderr

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def production_env(**env: str) -> dict[str, str]:
    """Return this process's environment without the local install's .env or settings."""
    local = {"SECRET_KEY", "DEBUG", "FORGE_HTTPS", "LOG_JSON"}
    clean = {k: v for k, v in os.environ.items() if k not in local}
    return {**clean, "FORGE_ENV_FILE": "", **env}


def run_check(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_a_secret_key_refuses_to_start_in_one_line():
    result = run_check()  # DEBUG is off unless asked for
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "SECRET_KEY" in lines[0]


def test_production_with_the_default_secret_key_refuses_to_start():
    result = run_check(DEBUG="off", SECRET_KEY="forge-insecure-development-key-change-me")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_deploy_checks_pass_in_a_production_like_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(
            SECRET_KEY="k" * 20 + "-production-secret-0123456789abcdef",
            ALLOWED_HOSTS="forge.example.com",
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_unknown_storage_or_an_s3_without_bucket_refuses_to_start_in_one_line():
    key = "k" * 40
    unknown = run_check(SECRET_KEY=key, FORGE_STORAGE="ftp")
    assert unknown.returncode != 0
    assert unknown.stderr.strip().count("\n") == 0 and "FORGE_STORAGE is 'ftp'" in unknown.stderr
    bucketless = run_check(SECRET_KEY=key, FORGE_STORAGE="s3", FORGE_S3_BUCKET="")
    assert bucketless.returncode != 0 and "FORGE_S3_BUCKET is empty" in bucketless.stderr
    ok = run_check(SECRET_KEY=key, FORGE_STORAGE="s3", FORGE_S3_BUCKET="forge-media")
    assert ok.returncode == 0, ok.stderr

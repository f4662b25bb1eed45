"""Start real Forge processes (daphne, qcluster) against the test database for end-to-end tests."""

import os
import random
import re
import shlex
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


# Listening ports for test servers come from below Linux's ephemeral range (32768-60999 by
# default): a port up there that is free now can be taken by any outgoing connection (to
# PostgreSQL, Redis) before the server binds it.
_LISTEN_PORTS = (20000, 32000)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now (below the ephemeral range)."""
    return free_port_block(1)


def free_port_block(size: int) -> int:
    """Return the first of `size` consecutive ports on 127.0.0.1 that are free right now."""
    for _ in range(200):
        base = random.randrange(_LISTEN_PORTS[0], _LISTEN_PORTS[1] - size)
        socks = []
        try:
            for port in range(base, base + size):
                sock = socket.socket()
                socks.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
    raise RuntimeError(f"no {size} consecutive free ports")


def process_env(**extra: str) -> dict[str, str]:
    """Return an environment that points a child process at this test session's services."""
    db = connection.settings_dict
    layer = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "forge.settings",
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "FORGE_CHANNEL_PREFIX": layer["prefix"],
        "FORGE_CACHE_PREFIX": caches["default"].key_prefix,
        "DEBUG": "on",
        "LOG_JSON": "on",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


@contextmanager
def running(args: list[str], *, env: dict[str, str], log_path: Path):
    """Run `args` in its own process group for the duration of the block, then stop it."""
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            # SIGTERM to the main process only: qcluster stops its own workers (a signal to the
            # whole group left its sentinel waiting); whatever is left is then killed.
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        try:
            os.killpg(proc.pid, 9)
        except ProcessLookupError:
            pass
        log.close()


def qcluster_args() -> list[str]:
    return [sys.executable, "manage.py", "qcluster"]


def daphne_args(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "daphne",
        "-b",
        "127.0.0.1",
        "-p",
        str(port),
        "--access-log",
        "/dev/null",
        "forge.asgi:application",
    ]


def procfile_web_command(port: int) -> tuple[list[str], dict[str, str]]:
    """Return the Procfile's `web` command for `port`, and the variables it sets."""
    line = next(
        line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:")
    )
    line = re.sub(r"\$\{PORT:-\d+\}", str(port), line.removeprefix("web:"))
    words = shlex.split(line)
    assignments = {}
    while "=" in words[0] and not words[0].startswith("-"):
        name, value = words.pop(0).split("=", 1)
        assignments[name] = value
    return words, assignments


def wait_until(predicate, *, timeout: float, interval: float = 0.1, what: str = "condition"):
    """Poll `predicate` until it returns a truthy value; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def wait_for_port(port: int, *, timeout: float = 20) -> None:
    """Wait until something listens on 127.0.0.1:`port`."""

    def listening() -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", port)) == 0

    wait_until(listening, timeout=timeout, what=f"port {port}")

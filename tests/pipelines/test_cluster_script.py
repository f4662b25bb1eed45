"""scripts/cluster.py as `make run-cluster` runs it: up behind HAProxy, and SIGTERM stops it all."""

import contextlib
import os
import re
import signal
import subprocess
import sys

import httpx
import pytest

from tests.processes import ROOT, free_port_block, process_env, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PORT = free_port_block(10)  # the balancer, its daphnes (+1, +2) and stats (+9)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too (its parent has not reaped it yet).
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_the_cluster_script_serves_through_haproxy_and_sigterm_stops_every_child(tmp_path):
    log = tmp_path / "cluster.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "scripts/cluster.py",
                "--port",
                str(PORT),
                "--stats-port",
                str(PORT + 9),
            ],
            cwd=ROOT,
            env=process_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def healthy() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{PORT}/health/", timeout=5).status_code < 500
            except httpx.HTTPError:
                return False

        wait_until(healthy, timeout=60, interval=0.3, what="Forge through the balancer")
        pids = [int(p) for p in re.findall(r"\(pid (\d+)\)", log.read_text())]
        assert len(pids) == 5  # two daphnes, two qclusters, HAProxy
        assert "haproxy.cfg" in {p.name for p in (ROOT / "var" / "cluster").iterdir()}

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        assert not [pid for pid in pids if alive(pid)], log.read_text()[-2000:]
    finally:
        # Whatever happened above, nothing it started may outlive the test (each child runs in
        # a process group of its own).
        for pid in [proc.pid, *map(int, re.findall(r"\(pid (\d+)\)", log.read_text()))]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        proc.wait()

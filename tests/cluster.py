"""Start Forge as a cluster for end-to-end tests: HAProxy (scripts/cluster.py's configuration)
in front of daphne processes, and qclusters, on ports of the 8300-8399 range."""

import asyncio
import csv
import importlib.util
import io
import json
import shutil
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import websockets

from tests.processes import ROOT, daphne_args, running, wait_for_port, wait_until

_spec = importlib.util.spec_from_file_location("forge_cluster_script", ROOT / "scripts/cluster.py")
cluster_script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cluster_script)

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"


@contextmanager
def balanced_webs(tmp_path: Path, env: dict[str, str], *, port: int, web_ports: list[int]):
    """Run HAProxy on `port` over daphne processes on `web_ports`; yield {port: Popen}."""
    stats = port + 9
    config = tmp_path / "haproxy.cfg"
    config.write_text(
        cluster_script.haproxy_config(
            port=port, backends=web_ports, stats_port=stats, check_interval="300ms"
        )
    )
    with ExitStack() as stack:
        webs = {}
        for web_port in web_ports:
            webs[web_port] = stack.enter_context(
                running(
                    daphne_args(web_port),
                    env={**env, "FORGE_DB_POOL": "on"},
                    log_path=tmp_path / f"web{web_port}.log",
                )
            )
        for web_port in web_ports:
            wait_for_port(web_port, timeout=30)
        stack.enter_context(
            running([HAPROXY, "-db", "-f", str(config)], env=env, log_path=tmp_path / "lb.log")
        )
        wait_for_port(port)
        wait_until(
            lambda: all(s == "UP" for s in server_states(stats).values()),
            timeout=30,
            what="HAProxy to see every daphne up",
        )
        yield webs


def server_states(stats_port: int) -> dict[str, str]:
    """Return HAProxy's view of each daphne: {"web1": "UP", ...}."""
    try:
        text = httpx.get(f"http://127.0.0.1:{stats_port}/;csv", timeout=5).text
    except httpx.HTTPError:
        return {}
    rows = csv.DictReader(io.StringIO(text.lstrip("# ")))
    return {
        row["svname"]: row["status"].split()[0]
        for row in rows
        if row["pxname"] == "daphnes" and row["svname"].startswith("web")
    }


async def watch(url: str, token: str, *, until, connected=None, timeout: float = 60):
    """Connect a token client to `url`, return every message until `until(message)` is true."""
    messages = []
    async with websockets.connect(
        url, subprotocols=["forge.token", token], open_timeout=15
    ) as socket:
        if connected is not None:
            connected()
        async with asyncio.timeout(timeout):
            while True:
                message = json.loads(await socket.recv())
                messages.append(message)
                if until(message):
                    return messages

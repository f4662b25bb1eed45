"""Sentry SDKs report into Forge: a real daphne takes envelopes, a worker records them."""

import gzip
import json
import os
import signal
import time
import uuid

import brotli
import httpx
import pytest

from errors import services
from errors.ingest.ratelimit import counter_key
from errors.models import ErrorGroup, ErrorIngestEvent, ErrorOccurrence
from tests.errors.ingest_helpers import auth_header, envelope, event, sdk_run
from tests.processes import (
    daphne_args,
    free_port,
    process_env,
    qcluster_args,
    running,
    wait_for_port,
    wait_until,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

INGEST_ENV = {
    "FORGE_INGEST_KEY_CACHE_SECONDS": "0",
    "FORGE_INGEST_MAX_BODY_BYTES": "200000",
    "FORGE_INGEST_MAX_DECOMPRESSED_BYTES": "1000000",
}


@pytest.fixture
def daphne(tmp_path):
    port = free_port()
    with running(
        daphne_args(port), env=process_env(**INGEST_ENV), log_path=tmp_path / "daphne.log"
    ):
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def project():
    return services.error_project_create(name="launcher", platform="python")


def _key(project) -> str:
    return project.keys.get(is_active=True).public_key


def _dsn(project, base: str) -> str:
    return services.error_project_dsn(key=project.keys.get(is_active=True), base_url=base)


def _url(base: str, project_id: int, endpoint: str = "envelope") -> str:
    return f"{base}/api/{project_id}/{endpoint}/"


@pytest.mark.parametrize("algo", ["br", "gzip"])
def test_the_python_sdk_reports_a_chained_exception_with_its_secret_scrubbed(daphne, project, algo):
    result = sdk_run(_dsn(project, daphne), algo=algo)
    assert result["disabled"] == []

    wait_until(lambda: ErrorIngestEvent.objects.count() == 1, timeout=30, what="accepted event")
    assert services.ingest_drain() == 1

    group = ErrorGroup.objects.get()
    assert group.title == "RuntimeError: launcher config unreadable"
    assert group.times_seen == 1
    occurrence = group.occurrences.get()
    assert occurrence.project_id == project.pk
    assert occurrence.environment == "staging"
    assert occurrence.release == "launcher@2.0.1"
    chain = occurrence.context["exception"]
    assert [e["type"] for e in chain] == ["FileNotFoundError", "RuntimeError"]
    assert "The above exception was the direct cause" in occurrence.stack_trace
    frame = chain[0]["frames"][-1]
    assert frame["function"] == "read_config" and frame["context_line"].strip()
    assert frame["vars"]["launcher_secret"] == "[Filtered]"
    stored = json.dumps(occurrence.context) + occurrence.stack_trace + occurrence.message
    assert "hunter2" not in stored
    assert occurrence.context["tags"] == {"region": "eu"}
    assert occurrence.context["sdk"]["name"] == "sentry.python"


def test_bad_input_gets_a_clear_4xx_and_stores_nothing(daphne, project):
    key = _key(project)
    url = _url(daphne, project.pk)
    body = envelope(event())
    answers = {
        "no key": httpx.post(url, content=body, timeout=10).status_code,
        "wrong key": httpx.post(
            url, content=body, headers=auth_header(uuid.uuid4().hex), timeout=10
        ).status_code,
        "unknown project": httpx.post(
            _url(daphne, project.pk + 1000), content=body, headers=auth_header(key), timeout=10
        ).status_code,
        "not json": httpx.post(
            url, content=b"{not json\n", headers=auth_header(key), timeout=10
        ).status_code,
        "truncated item": httpx.post(
            url,
            content=b'{}\n{"type":"event","length":500}\n{"a":1}\n',
            headers=auth_header(key),
            timeout=10,
        ).status_code,
        "bad gzip": httpx.post(
            url,
            content=b"\x1f\x8b not gzip at all",
            headers={**auth_header(key), "Content-Encoding": "gzip"},
            timeout=10,
        ).status_code,
        "too large": httpx.post(
            url, content=b"x" * 300_000, headers=auth_header(key), timeout=10
        ).status_code,
        "gzip bomb": httpx.post(
            url,
            content=gzip.compress(b"{}\n" + b" " * 50_000_000),
            headers={**auth_header(key), "Content-Encoding": "gzip"},
            timeout=30,
        ).status_code,
        "brotli bomb": httpx.post(
            url,
            content=brotli.compress(b"{}\n" + b" " * 50_000_000),
            headers={**auth_header(key), "Content-Encoding": "br"},
            timeout=30,
        ).status_code,
        "GET": httpx.get(url, headers=auth_header(key), timeout=10).status_code,
    }
    assert answers == {
        "no key": 401,
        "wrong key": 403,
        "unknown project": 404,
        "not json": 400,
        "truncated item": 400,
        "bad gzip": 400,
        "too large": 413,
        "gzip bomb": 413,
        "brotli bomb": 413,
        "GET": 405,
    }
    assert ErrorIngestEvent.objects.count() == 0


def test_envelopes_store_and_dedupe_with_every_key_channel_and_encoding(daphne, project):
    key = _key(project)
    url = _url(daphne, project.pk)
    first = event("first")
    session = ({"type": "session"}, b'{"sid":"x","status":"ok"}')
    transaction = ({"type": "transaction"}, json.dumps({"type": "transaction"}).encode())
    answer = httpx.post(
        url,
        content=brotli.compress(envelope(first, extra_items=[session, transaction])),
        headers={**auth_header(key), "Content-Encoding": "br"},
        timeout=10,
    )
    assert answer.status_code == 200
    assert answer.json() == {"id": first["event_id"]}
    # The same event again (a resend): accepted, stored once.
    again = httpx.post(
        f"{url}?sentry_key={key}&sentry_version=7",
        content=gzip.compress(envelope(first)),
        headers={"Content-Encoding": "gzip", "Content-Type": "text/plain"},
        timeout=10,
    )
    assert again.status_code == 200
    # The key in the envelope's own header (a DSN), deflate-compressed.
    second = event("second")
    import zlib

    dsn_header = {"event_id": second["event_id"], "dsn": _dsn(project, daphne)}
    third = httpx.post(
        url,
        content=zlib.compress(envelope(second, header=dsn_header)),
        headers={"Content-Encoding": "deflate"},
        timeout=10,
    )
    assert third.status_code == 200
    # Only sessions and client reports: accepted, nothing stored, no id.
    only_session = httpx.post(
        url,
        content=envelope(None, extra_items=[session], header={}),
        headers=auth_header(key),
        timeout=10,
    )
    assert (only_session.status_code, only_session.json()) == (200, {})
    # The legacy store endpoint.
    fourth = event("fourth")
    stored = httpx.post(
        _url(daphne, project.pk, "store"),
        content=json.dumps(fourth),
        headers=auth_header(key),
        timeout=10,
    )
    assert (stored.status_code, stored.json()) == (200, {"id": fourth["event_id"]})

    assert ErrorIngestEvent.objects.count() == 3
    assert services.ingest_drain() == 3
    assert ErrorOccurrence.objects.count() == 3


def test_a_rate_limited_project_gets_429_with_headers_and_the_sdk_backs_off(daphne):
    project = services.error_project_create(
        name="build-bot", platform="python", rate_limit_per_minute=2
    )
    if time.time() % 60 > 45:  # all requests of this test within one rate-limit window
        time.sleep(61 - time.time() % 60)
    minute = int(time.time() // 60)
    result = sdk_run(_dsn(project, daphne), count=6)

    # The SDK was told to stop (X-Sentry-Rate-Limits / Retry-After) and stopped sending.
    assert result["disabled"] != []
    wait_until(lambda: ErrorIngestEvent.objects.count() == 2, timeout=30, what="2 accepted")
    from django.core.cache import cache

    client = cache._cache.get_client(write=False)
    assert int(client.get(counter_key(project.pk, minute))) == 3

    refused = httpx.post(
        _url(daphne, project.pk),
        content=envelope(event()),
        headers=auth_header(_key(project)),
        timeout=10,
    )
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 61
    assert refused.headers["X-Sentry-Rate-Limits"] == f"{wait}::project:ratelimit"


def test_browser_cors_is_allowed_only_from_the_projects_origins(daphne):
    project = services.error_project_create(
        name="web-game",
        platform="javascript",
        allowed_origins="https://play.example",
    )
    url = f"{_url(daphne, project.pk)}?sentry_key={_key(project)}&sentry_version=7"
    preflight = httpx.options(
        url,
        headers={"Origin": "https://play.example", "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://play.example"
    allowed = httpx.post(
        url, content=envelope(event()), headers={"Origin": "https://play.example"}, timeout=10
    )
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://play.example"
    refused = httpx.post(
        url, content=envelope(event()), headers={"Origin": "https://evil.example"}, timeout=10
    )
    assert refused.status_code == 403
    assert ErrorIngestEvent.objects.count() == 1


def test_a_revoked_key_is_refused_and_a_rotated_one_works(daphne, project):
    old = project.keys.get()
    new = services.error_project_key_rotate(project=project)
    services.error_project_key_revoke(key=old)
    url = _url(daphne, project.pk)
    with_old = httpx.post(
        url, content=envelope(event()), headers=auth_header(old.public_key), timeout=10
    )
    with_new = httpx.post(
        url, content=envelope(event()), headers=auth_header(new.public_key), timeout=10
    )
    assert (with_old.status_code, with_new.status_code) == (403, 200)


def test_no_event_is_lost_or_counted_twice_when_a_worker_is_killed_mid_batch(
    daphne, project, tmp_path
):
    services.error_project_update(project=project, rate_limit_per_minute=100_000)
    key = _key(project)
    url = _url(daphne, project.pk)
    total = 1500
    with httpx.Client() as http:
        for i in range(total):
            answer = http.post(
                url,
                content=gzip.compress(envelope(event(f"burst {i % 7}"))),
                headers={**auth_header(key), "Content-Encoding": "gzip"},
                timeout=10,
            )
            assert answer.status_code == 200
    assert ErrorIngestEvent.objects.filter(processed_at__isnull=True).count() == total

    env = process_env(FORGE_INGEST_BATCH_SIZE="50", FORGE_Q_WORKERS="2")
    from django_q.tasks import async_task

    with running(qcluster_args(), env=env, log_path=tmp_path / "qcluster-1.log") as cluster:
        async_task("errors.tasks.errors_ingest_drain")
        wait_until(
            lambda: ErrorIngestEvent.objects.filter(processed_at__isnull=False).exists(),
            timeout=60,
            what="the first batches",
        )
        os.killpg(cluster.pid, signal.SIGKILL)
    processed_at_kill = ErrorIngestEvent.objects.filter(processed_at__isnull=False).count()
    assert processed_at_kill < total

    with running(qcluster_args(), env=env, log_path=tmp_path / "qcluster-2.log"):
        async_task("errors.tasks.errors_ingest_drain")  # what the minutely schedule does
        wait_until(
            lambda: not ErrorIngestEvent.objects.filter(processed_at__isnull=True).exists(),
            timeout=120,
            what="every event recorded",
        )
    assert ErrorOccurrence.objects.count() == total
    assert sum(ErrorGroup.objects.values_list("times_seen", flat=True)) == total
    assert ErrorGroup.objects.count() == 1

"""Ingest rules without a server: parsing, limits, mapping to groups, batches, merges."""

import gzip
import json
import uuid
from datetime import timedelta

import brotli
import pytest
from django.utils import timezone
from sentry_sdk.utils import event_from_exception

from errors import services
from errors.ingest import protocol
from errors.ingest.decompress import Inflater
from errors.ingest.event import event_prepare
from errors.models import (
    ErrorGroup,
    ErrorGroupAction,
    ErrorGroupHourly,
    ErrorGroupStatus,
    ErrorIngestEvent,
    ErrorOccurrence,
)
from errors.services.record import error_record_batch
from tests.errors.ingest_helpers import envelope, event


def _inflate(data: bytes, encoding: str, limit: int = 1_000_000) -> bytes:
    inflater = Inflater(encoding, limit=limit)
    for i in range(0, len(data), 1000):
        inflater.feed(data[i : i + 1000])
    return inflater.finish()


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [("gzip", gzip.compress), ("br", brotli.compress), ("deflate", __import__("zlib").compress)],
)
def test_bodies_inflate_and_bombs_stop_at_the_limit(encoding, compress):
    assert _inflate(compress(b"hello " * 100), encoding) == b"hello " * 100
    bomb = compress(b"\0" * 20_000_000)
    with pytest.raises(protocol.TooLargeError):
        _inflate(bomb, encoding, limit=1_000_000)


def test_raw_deflate_and_truncated_streams():
    import zlib

    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    data = raw.compress(b"raw deflate body") + raw.flush()
    assert _inflate(data, "deflate") == b"raw deflate body"
    with pytest.raises(protocol.ProtocolError):
        _inflate(gzip.compress(b"x" * 1000)[:20], "gzip")
    with pytest.raises(protocol.ProtocolError):
        Inflater("zstd", limit=10)


def test_envelopes_keep_the_event_and_drop_other_items():
    evt = event()
    parsed = protocol.envelope_parse(
        envelope(evt, extra_items=[({"type": "client_report"}, b"{}")]), max_event_bytes=10_000
    )
    assert parsed.event.event_id == uuid.UUID(evt["event_id"])
    assert json.loads(parsed.event.payload)["exception"]
    assert parsed.dropped == {"client_report": 1}
    # Items without a length run to the end of their line.
    body = b'{"event_id":"%s"}\n{"type":"event"}\n{"message":"hi"}\n' % evt["event_id"].encode()
    assert json.loads(protocol.envelope_parse(body, max_event_bytes=100).event.payload) == {
        "message": "hi"
    }
    with pytest.raises(protocol.TooLargeError):
        protocol.envelope_parse(envelope(evt), max_event_bytes=100)
    with pytest.raises(protocol.ProtocolError):
        protocol.envelope_parse(
            envelope(evt) + envelope(evt)[envelope(evt).index(b"\n") + 1 :], max_event_bytes=10_000
        )


def test_keys_come_from_headers_queries_and_dsns():
    assert protocol.key_from_auth_header("Sentry sentry_key=abc, sentry_version=7") == "abc"
    assert protocol.key_from_auth_header("Sentry sentry_version=7,sentry_key=def") == "def"
    assert protocol.key_from_query(b"sentry_version=7&sentry_key=ghi") == "ghi"
    assert protocol.key_from_dsn("https://jkl@errors.example/sub/42") == ("jkl", "42")


def _raise_in_forge_code():
    # A Forge function: the frame is the app's own (under BASE_DIR, not a library).
    from errors.seed import DEMO_GROUPS

    return DEMO_GROUPS[10_000]


def _sdk_event(exc: BaseException) -> dict:
    evt, _ = event_from_exception(
        (type(exc), exc, exc.__traceback__),
        client_options={
            "include_local_variables": True,
            "in_app_include": ["errors", "tests"],
            "in_app_exclude": [],
            "project_root": None,
            "max_value_length": 1024,
            "include_source_context": True,
            "add_full_stack": False,
            "max_stack_frames": 100,
            "custom_repr": None,
        },
    )
    return evt


@pytest.mark.django_db
def test_one_bug_from_forge_python_and_from_the_sdk_lands_in_one_group():
    try:
        _raise_in_forge_code()
    except IndexError as exc:
        internal = services.error_record(exc=exc)
        reported = event_prepare(
            _sdk_event(exc), project_id=None, event_id="x", received_at=timezone.now()
        )
    assert reported.fingerprint == internal.fingerprint
    error_record_batch(events=[(reported, timezone.now())])
    group = ErrorGroup.objects.get()
    assert group.times_seen == 2
    assert group.occurrences.count() == 2


def test_levels_titles_and_explicit_fingerprints():
    now = timezone.now()
    warning = event_prepare(
        event("disk low", level="warning"), project_id=1, event_id="a", received_at=now
    )
    assert (warning.severity, warning.title, warning.culprit) == (
        "warning",
        "ValueError: disk low",
        "game.server.tick",
    )
    fatal = event_prepare(event("x", level="fatal"), project_id=1, event_id="b", received_at=now)
    assert fatal.severity == "critical"
    one = event_prepare(
        event("a", fingerprint=["db-down"]), project_id=1, event_id="c", received_at=now
    )
    two = event_prepare(
        event("b", fingerprint=["db-down"]), project_id=1, event_id="d", received_at=now
    )
    assert one.fingerprint == two.fingerprint
    default = event_prepare(event("a"), project_id=1, event_id="e", received_at=now)
    same = event_prepare(
        event("a", fingerprint=["{{ default }}"]), project_id=1, event_id="f", received_at=now
    )
    split = event_prepare(
        event("a", fingerprint=["{{ default }}", "eu"]), project_id=1, event_id="g", received_at=now
    )
    assert default.fingerprint == same.fingerprint != split.fingerprint
    message = event_prepare(
        {"message": "plain text", "level": "info"}, project_id=1, event_id="h", received_at=now
    )
    assert (message.title, message.severity) == ("plain text", "info")


def test_secrets_are_scrubbed_everywhere_in_a_reported_event():
    evt = event(
        "token abcdef123456 refused",
        request={
            "url": "https://g.example/x",
            "headers": {"Authorization": "Bearer abc.def.ghi"},
            "cookies": "sessionid=zzz",
        },
        user={"id": "7", "password": "pw-in-user"},
        breadcrumbs={"values": [{"message": "login with password=hunter2", "category": "auth"}]},
    )
    evt["exception"]["values"][0]["stacktrace"]["frames"][0]["vars"] = {"api_token": "s3cr3t-t0k3n"}
    prepared = event_prepare(evt, project_id=1, event_id="a", received_at=timezone.now())
    stored = json.dumps(prepared.context) + prepared.message + prepared.stack_trace
    for secret in ("abc.def.ghi", "zzz", "pw-in-user", "hunter2", "s3cr3t-t0k3n", "abcdef123456"):
        assert secret not in stored


def _pending(project, evt: dict) -> ErrorIngestEvent:
    return ErrorIngestEvent.objects.create(
        project=project,
        event_id=uuid.UUID(evt["event_id"]),
        received_at=timezone.now(),
        payload=json.dumps(evt).encode(),
    )


@pytest.mark.django_db
def test_a_batch_records_once_and_skips_unreadable_events():
    project = services.error_project_create(name="server", platform="python")
    for i in range(5):
        _pending(project, event("same bug", environment="prod", release=f"1.{i}"))
    broken = ErrorIngestEvent.objects.create(
        project=project, event_id=uuid.uuid4(), received_at=timezone.now(), payload=b"[1, 2"
    )
    assert services.ingest_batch_process(batch_size=100) == 6
    assert services.ingest_batch_process(batch_size=100) == 0  # nothing is counted twice
    group = ErrorGroup.objects.get()
    assert group.times_seen == 5
    assert set(group.occurrences.values_list("release", flat=True)) == {f"1.{i}" for i in range(5)}
    broken.refresh_from_db()
    assert broken.processed_at is not None
    assert "JSONDecodeError" in broken.failure


def _raw_pending(project, payload: bytes) -> ErrorIngestEvent:
    return ErrorIngestEvent.objects.create(
        project=project, event_id=uuid.uuid4(), received_at=timezone.now(), payload=payload
    )


@pytest.mark.django_db
def test_numbers_out_of_range_nul_and_lone_surrogates_are_recorded_not_stuck():
    """An SDK's `1e999`, `NaN` or NUL once stopped every later event from being recorded."""
    project = services.error_project_create(name="server", platform="python")
    odd = [
        b'{"message": "inf url", "request": {"url": 1e309}}',
        b'{"message": "nan extra", "extra": {"ratio": NaN, "top": -Infinity}}',
        b'{"message": "nul \\u0000 here", "tags": {"k\\u0000": "v"}}',
        b'{"message": "lone \\ud800", "user": {"id": "\\udfff"}}',
    ]
    for payload in odd:
        _raw_pending(project, payload)
    _pending(project, event("an ordinary bug"))
    assert services.ingest_batch_process(batch_size=100) == 5
    assert not ErrorIngestEvent.objects.filter(processed_at__isnull=True).exists()
    assert list(ErrorIngestEvent.objects.exclude(failure="")) == []
    messages = set(ErrorOccurrence.objects.values_list("message", flat=True))
    assert {"inf url", "nan extra", "nul \ufffd here", "lone \ufffd", "an ordinary bug"} <= messages
    inf = ErrorOccurrence.objects.get(message="inf url")
    assert inf.context["request"]["url"] == "1e309"


@pytest.mark.django_db
def test_an_event_that_cannot_be_recorded_costs_only_itself(monkeypatch):
    """A batch that fails is recorded event by event; the bad one is kept, with the reason."""
    from errors.services import ingest as ingest_module

    project = services.error_project_create(name="server", platform="python")
    good = [_pending(project, event(f"bug {i}")) for i in range(3)]
    poison = _pending(project, event("poison"))
    real = ingest_module.error_record_batch

    def failing(*, events):
        if any(p.message == "poison" for p, _ in events):
            raise ValueError("cannot store this one")
        return real(events=events)

    monkeypatch.setattr(ingest_module, "error_record_batch", failing)
    assert services.ingest_batch_process(batch_size=100) == 4
    assert services.ingest_batch_process(batch_size=100) == 0  # nothing is stuck or retried
    assert ErrorOccurrence.objects.count() == 3
    poison.refresh_from_db()
    assert poison.processed_at is not None
    assert poison.failure == "ValueError: cannot store this one"
    for row in good:
        row.refresh_from_db()
        assert row.processed_at is not None and row.failure == ""
    # The processed-rows cleanup keeps what failed (staff read it in the admin).
    later = timezone.now() + timedelta(days=2)
    assert services.ingest_events_delete_processed(now=later) == 3
    assert ErrorIngestEvent.objects.get() == poison
    assert services.ingest_events_delete_processed(now=later + timedelta(days=90)) == 1


def test_events_nested_too_deep_are_refused_before_decoding(settings):
    settings.FORGE_INGEST_MAX_JSON_DEPTH = 64
    deep = b'{"extra": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    with pytest.raises(protocol.ProtocolError, match="nested more than 64 levels deep"):
        protocol.store_parse(deep, max_event_bytes=1_000_000)
    body = envelope(None, extra_items=[({"type": "event"}, deep)])
    with pytest.raises(protocol.ProtocolError, match="nested"):
        protocol.envelope_parse(body, max_event_bytes=1_000_000)
    ok = b'{"extra": ' + b"[" * 60 + b"]" * 60 + b"}"
    assert protocol.store_parse(ok, max_event_bytes=1_000_000).event is not None


@pytest.mark.django_db
def test_a_resolved_group_regresses_but_not_from_an_ignored_environment(staff_user):
    project = services.error_project_create(name="server", platform="python")
    _pending(project, event("flaky", environment="prod"))
    services.ingest_batch_process()
    group = ErrorGroup.objects.get()
    services.error_group_resolve(group=group, actor=staff_user)
    services.error_group_environments_ignore(
        group=group, environments=["staging"], actor=staff_user
    )

    _pending(project, event("flaky", environment="staging"))
    services.ingest_batch_process()
    group.refresh_from_db()
    assert (group.status, group.times_seen) == (ErrorGroupStatus.RESOLVED, 2)

    _pending(project, event("flaky", environment="prod"))
    services.ingest_batch_process()
    group.refresh_from_db()
    assert group.status == ErrorGroupStatus.UNRESOLVED
    assert group.activity.filter(action=ErrorGroupAction.REGRESSION).count() == 1


@pytest.mark.django_db
def test_merge_and_unmerge_keep_counts_and_hourly_aggregations_exact(staff_user):
    project = services.error_project_create(name="server", platform="python")
    for message, n in (("alpha", 3), ("beta", 2), ("gamma", 4)):
        for _ in range(n):
            _pending(project, event(message))
    services.ingest_batch_process()
    services.error_aggregations_update(since=timezone.now() - timedelta(hours=1))
    alpha, beta, gamma = (
        ErrorGroup.objects.get(title=f"ValueError: {m}") for m in ("alpha", "beta", "gamma")
    )
    beta_fingerprint = beta.fingerprint

    def hourly(group) -> int:
        return sum(ErrorGroupHourly.objects.filter(group=group).values_list("count", flat=True))

    kept = services.error_groups_merge(groups=[alpha, beta, gamma], actor=staff_user)
    assert kept.pk == gamma.pk  # the one seen most often
    assert ErrorGroup.objects.count() == 1
    assert kept.times_seen == 9 and hourly(kept) == 9
    assert kept.occurrences.count() == 9
    assert kept.activity.filter(action=ErrorGroupAction.MERGE).count() == 2

    # A later beta event records into the merged group.
    _pending(project, event("beta"))
    services.ingest_batch_process()
    services.error_aggregations_update()
    kept.refresh_from_db()
    assert kept.times_seen == 10 and hourly(kept) == 10

    split = services.error_group_unmerge(group=kept, fingerprint=beta_fingerprint, actor=staff_user)
    kept.refresh_from_db()
    assert (split.times_seen, hourly(split), split.occurrences.count()) == (3, 3, 3)
    assert (kept.times_seen, hourly(kept), kept.occurrences.count()) == (7, 7, 7)
    assert split.title == "ValueError: beta"
    assert kept.activity.filter(action=ErrorGroupAction.UNMERGE).exists()
    # Beta records into its own group again.
    _pending(project, event("beta"))
    services.ingest_batch_process()
    split.refresh_from_db()
    assert split.times_seen == 4
    assert ErrorOccurrence.objects.count() == 11

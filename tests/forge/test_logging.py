"""Log lines: JSON on standard error in production, the level applied before any work."""

import contextlib
import json
import logging

import pytest
import structlog

from forge.logging import json_dumps, logging_config


@contextlib.contextmanager
def configured(*, json: bool, level: str):
    """Configure logging as production would, then put the test settings' set-up back.

    The processors list keeps its identity: loggers already in use (cached on first use, such
    as the access log's) hold a reference to it, so they render with the new chain too.
    """
    saved = structlog.get_config()
    processors = saved["processors"]
    kept = list(processors)
    logging_config(json=json, level=level)
    new = structlog.get_config()
    processors[:] = new["processors"]
    structlog.configure(**{**new, "processors": processors})
    try:
        yield
    finally:
        processors[:] = kept
        structlog.configure(**saved)


def lines_of(captured: str) -> list[dict]:
    return [json.loads(line) for line in captured.splitlines() if line.strip()]


@pytest.mark.django_db
def test_each_request_writes_one_json_access_line_to_standard_error(client, capsys, user):
    client.force_login(user)
    with configured(json=True, level="INFO"):
        capsys.readouterr()
        client.get("/api/v1/tokens/", HTTP_X_REQUEST_ID="trace-me")
        written = capsys.readouterr().err
    events = [event for event in lines_of(written) if event.get("logger") == "forge.access"]
    assert len(events) == 1, written
    event = events[0]
    assert event["event"] == "request" and event["level"] == "info"
    assert event["request_id"] == "trace-me" and event["user_id"] == user.pk
    assert event["status"] == 200 and event["route"] == "/api/v1/tokens/"
    assert event["timestamp"].endswith("Z")


def test_lines_below_the_level_are_not_written_and_those_at_it_are(capsys):
    with configured(json=True, level="WARNING"):
        log = structlog.get_logger("forge.test.level")
        capsys.readouterr()
        log.info("quiet", n=1)
        log.debug("quieter")
        log.warning("loud", n=2)
        written = capsys.readouterr().err
    (event,) = lines_of(written)
    assert event["event"] == "loud" and event["n"] == 2
    assert event["level"] == "warning" and event["logger"] == "forge.test.level"


def test_an_exception_is_written_with_its_traceback(capsys):
    with configured(json=True, level="INFO"):
        log = structlog.get_logger("forge.test.exception")
        capsys.readouterr()
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            log.exception("failed", step="x")
        written = capsys.readouterr().err
    (event,) = lines_of(written)
    assert event["event"] == "failed" and event["level"] == "error"
    assert "Traceback" in event["exception"] and "RuntimeError: boom" in event["exception"]


def test_odd_values_are_written_not_lost(capsys):
    """orjson refuses lone surrogates, huge integers and some keys; the line still goes out."""
    with configured(json=True, level="INFO"):
        log = structlog.get_logger("forge.test.odd")
        capsys.readouterr()
        log.info("odd", text="a\ud800b\x00", big=2**80, keyed={1: "x", None: "y"})
        log.info("plain", text="é")
        written = capsys.readouterr().err
    odd, plain = lines_of(written)
    assert odd["text"] == "a\ud800b\x00" and odd["big"] == 2**80
    assert odd["keyed"] == {"1": "x", "null": "y"}
    assert plain["text"] == "é"


def test_what_neither_json_writer_accepts_is_written_as_its_repr(capsys):
    with configured(json=True, level="INFO"):
        log = structlog.get_logger("forge.test.unwritable")
        capsys.readouterr()
        log.info("tuple keys", keyed={(1, 2): "x"}, n=float("nan"))
        written = capsys.readouterr().err
    (event,) = lines_of(written)
    assert event["event"] == "'tuple keys'" and "(1, 2)" in event["keyed"]


class _ReprFails:
    def __repr__(self):
        raise RuntimeError("no repr")


@pytest.mark.parametrize("as_json", [True, False])
def test_a_value_that_cannot_be_rendered_still_gives_a_line_saying_so(capsys, as_json):
    with configured(json=as_json, level="INFO"):
        log = structlog.get_logger("forge.test.unrenderable")
        capsys.readouterr()
        log.warning("odd object", thing=_ReprFails())
        written = capsys.readouterr().err
    (event,) = lines_of(written)
    assert event["event"] == "log_line_unrenderable" and event["error_type"] == "RuntimeError"
    assert event["logged_event"] == "'odd object'" and event["level"] == "warning"


class _BrokenPipe:
    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        raise ValueError("I/O operation on closed file.")


def test_a_line_that_cannot_be_written_is_dropped_without_failing_the_caller(monkeypatch):
    with configured(json=True, level="INFO"):
        log = structlog.get_logger("forge.test.broken")
        monkeypatch.setattr("sys.stderr", _BrokenPipe())
        log.info("nobody reads this")
        log.exception("nor this")


def test_json_dumps_matches_json_for_what_both_accept():
    value = {"a": [1, 2.5, None, True], "b": {"c": 'd\n"é'}, "e": ""}
    assert json.loads(json_dumps(value)) == value
    assert json.loads(json_dumps({"n": 2**64})) == {"n": 2**64}
    assert json_dumps({"x": object()}, default=lambda _: "fallback") == '{"x":"fallback"}'


def test_lines_from_django_and_libraries_come_out_in_the_same_shape():
    """stdlib `logging` lines go through the handler's formatter: the same JSON fields."""
    with configured(json=True, level="INFO"):
        spec = logging_config(json=True, level="INFO")["formatters"]["structlog"]
    formatter = spec["()"](
        processors=spec["processors"], foreign_pre_chain=spec["foreign_pre_chain"]
    )
    record = logging.LogRecord("django.db", logging.WARNING, __file__, 1, "slow %s", ("q",), None)
    event = json.loads(formatter.format(record))
    assert event["event"] == "slow q" and event["logger"] == "django.db"
    assert event["level"] == "warning" and event["timestamp"].endswith("Z")


def test_an_unknown_level_is_refused_at_start_up():
    with pytest.raises(ValueError, match="LOG_LEVEL"):
        logging_config(json=True, level="LOUD")


def test_a_process_forked_while_a_line_is_being_written_can_still_log():
    """django-q2 forks its workers; a lock held by another thread at the fork must not hang."""
    import os
    import threading

    from forge.logging import NamedWriteLogger

    logger = NamedWriteLogger("forge.test.fork")
    holding, release = threading.Event(), threading.Event()

    def hold():
        with logger._lock:
            holding.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    holding.wait(30)
    try:
        child = os.fork()
        if child == 0:  # the child: log once, exit 0; a hung lock is killed below
            logger.msg('{"event": "from the child"}')
            os._exit(0)
        deadline_waits = 0
        while deadline_waits < 300:
            done, status = os.waitpid(child, os.WNOHANG)
            if done:
                break
            threading.Event().wait(0.1)
            deadline_waits += 1
        else:
            os.kill(child, 9)
            os.waitpid(child, 0)
            pytest.fail("the forked child hung on the log lock")
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        release.set()
        thread.join()

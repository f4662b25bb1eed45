"""structlog set-up: JSON lines in production, coloured key-values in development.

Forge's own lines (structlog loggers, the access log among them: one per request) take
structlog's native path: the level is checked before any work is done, the processors build
one dict, orjson renders it, and one `write` puts it on standard error. Lines from Django and
libraries (stdlib `logging`) go through `ProcessorFormatter` and come out in the same shape.

The native path is the cheap one: the stdlib route builds two `LogRecord`s per line, looks up
the caller's frame and renders with `json`; an access line cost 93 µs that way and 20 µs
natively, and a line below the level 21 µs and nothing (`benchmarks/ab_logging.py`).
"""

import contextlib
import json
import logging
import os
import sys
import threading

import orjson
import structlog

SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def json_dumps(event_dict: dict, default=None) -> str:
    """Render one log line with orjson; fall back to `json` for what orjson refuses.

    orjson refuses strings holding lone surrogates (a client's odd input can put one in a
    logged value) and integers beyond 64 bits; `json` escapes or writes both. What neither
    can write (a dict key that is a tuple, say) is written as its `repr`. A log line never
    raises into the code that logs it, and is never lost.
    """
    with contextlib.suppress(TypeError):  # orjson.JSONEncodeError is a TypeError
        return orjson.dumps(event_dict, default=default, option=orjson.OPT_NON_STR_KEYS).decode()
    try:
        return json.dumps(event_dict, default=default)
    except (TypeError, ValueError):
        return json.dumps({key: repr(value) for key, value in _string_keys(event_dict).items()})


def _string_keys(event_dict: dict) -> dict:
    return {key if isinstance(key, str) else repr(key): value for key, value in event_dict.items()}


class _StandardError:
    """Standard error as it is when a line is written (tests and tools may swap sys.stderr).

    A line that cannot be written (the reader of the pipe is gone, the stream is closed) is
    dropped, as stdlib `logging` drops it: logging never fails the request that logs.
    """

    def write(self, text: str) -> int:
        try:
            return sys.stderr.write(text)
        except (OSError, ValueError):
            return 0

    def flush(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()


_STANDARD_ERROR = _StandardError()

# One lock for every line this process writes, so threads never interleave two lines. A
# process forked while another thread held it (django-q2 forks its workers) would wait
# forever on its first line; the child gets the lock unheld, as stdlib `logging` does for
# its handlers' locks.
_WRITE_LOCK = threading.Lock()
os.register_at_fork(after_in_child=_WRITE_LOCK._at_fork_reinit)


class NamedWriteLogger(structlog.WriteLogger):
    """structlog's `WriteLogger` that keeps the name it was asked for (`add_logger_name`)."""

    def __init__(self, name: str):
        super().__init__(_STANDARD_ERROR)
        self._lock = _WRITE_LOCK
        self.name = name


def _named_write_logger(*args) -> NamedWriteLogger:
    return NamedWriteLogger(str(args[0]) if args else "")


class _NeverRaises:
    """Run the final renderer; if it raises (a logged value whose `repr` fails), write why.

    The stdlib route caught such errors in its handler; on the native path this does.
    """

    def __init__(self, renderer):
        self.renderer = renderer

    def __call__(self, logger, method_name: str, event_dict: dict) -> str:
        event = event_dict.get("event")  # renderers may take keys out of the dict
        try:
            return self.renderer(logger, method_name, event_dict)
        except Exception as exc:  # noqa: BLE001 - a log line must not fail its caller
            return json_dumps(
                {
                    "event": "log_line_unrenderable",
                    "logged_event": repr(event)[:200],
                    "error_type": type(exc).__name__,
                    "logger": getattr(logger, "name", ""),
                    "level": method_name,
                }
            )


def renderer_for(*, json: bool):
    """The last processor: JSON lines, or readable key-values for development."""
    return _NeverRaises(
        structlog.processors.JSONRenderer(serializer=json_dumps)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )


def native_processors(renderer) -> list:
    """The processors of Forge's own lines, ending in `renderer`."""
    return [
        *SHARED_PROCESSORS,
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        renderer,
    ]


def logging_config(*, json: bool, level: str) -> dict:
    """Configure structlog and return the `LOGGING` dict for Django."""
    renderer = renderer_for(json=json)
    level_number = logging.getLevelNamesMapping().get(level.upper())
    if level_number is None:
        raise ValueError(f"LOG_LEVEL {level!r} is not a logging level")
    structlog.configure(
        processors=native_processors(renderer),
        logger_factory=_named_write_logger,
        wrapper_class=structlog.make_filtering_bound_logger(level_number),
        cache_logger_on_first_use=True,
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structlog": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    renderer,
                ],
                "foreign_pre_chain": SHARED_PROCESSORS,
            },
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "structlog"},
        },
        "root": {"handlers": ["console"], "level": level_number},
        "loggers": {
            # The access log line comes from forge.middleware; these would repeat it.
            "django.server": {"level": "WARNING"},
            "django.request": {"level": "CRITICAL"},
            "django.channels.server": {"level": "WARNING"},
            "daphne": {"level": "WARNING"},
            "asyncio": {"level": "WARNING"},
        },
    }


def get_logger(name: str):
    """Return a structlog logger named `name`."""
    return structlog.get_logger(name)

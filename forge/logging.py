"""structlog set-up: JSON lines in production, coloured key-values in development.

Forge's own lines (structlog loggers, the access log among them: one per request) take
structlog's native path: the level is checked before any work is done, the processors build
one dict, orjson renders it, and one `write` puts it on standard error. Lines from Django and
libraries (stdlib `logging`) go through `ProcessorFormatter` and come out in the same shape.

The native path is the cheap one: the stdlib route builds two `LogRecord`s per line, looks up
the caller's frame and renders with `json`; an access line cost 93 µs that way and 20 µs
natively, and a line below the level 21 µs and nothing (`benchmarks/ab_logging.py`).
"""

import json
import logging
import sys

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
    logged value), integers beyond 64 bits and dict keys it cannot turn into strings; `json`
    escapes or writes all of them, so the line is never lost.
    """
    try:
        return orjson.dumps(event_dict, default=default, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(event_dict, default=default)


class _StandardError:
    """Standard error as it is when a line is written (tests and tools may swap sys.stderr)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


_STANDARD_ERROR = _StandardError()


class NamedWriteLogger(structlog.WriteLogger):
    """structlog's `WriteLogger` that keeps the name it was asked for (`add_logger_name`)."""

    def __init__(self, name: str):
        super().__init__(_STANDARD_ERROR)
        self.name = name


def _named_write_logger(*args) -> NamedWriteLogger:
    return NamedWriteLogger(str(args[0]) if args else "")


def logging_config(*, json: bool, level: str) -> dict:
    """Configure structlog and return the `LOGGING` dict for Django."""
    renderer = (
        structlog.processors.JSONRenderer(serializer=json_dumps)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    level_number = logging.getLevelNamesMapping().get(level.upper())
    if level_number is None:
        raise ValueError(f"LOG_LEVEL {level!r} is not a logging level")
    structlog.configure(
        processors=[
            *SHARED_PROCESSORS,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
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

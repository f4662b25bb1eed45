"""The access log line through stdlib `logging` against structlog's native path.

    .venv/bin/python benchmarks/ab_logging.py            # after `make bench-gallery`

Every request writes one access line (forge/middleware.py). Until this change Forge's
structlog loggers handed each line to stdlib `logging`, whose `ProcessorFormatter` rendered
it with `json`; now they take structlog's native path (forge/logging.py). This script builds
both loggers as production configures them (JSON, level INFO, standard error sent to
/dev/null) and measures in one run:

- one access line at INFO, and one below the level (LOG_LEVEL=WARNING), per logger;
- real requests in-process with the floor benchmark's settings (DEBUG off, the whole
  middleware stack, the gallery benchmark's database), the middleware's logger switched
  between the two on every request so both see the same load from elsewhere, and each
  going first in every other round.

Prints p50 / p95 (docs/benchmarks.md, "The access log").
"""

import contextlib
import logging
import os
import sys
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def stdlib_route_logger(stream, level: int):
    """The access logger as Forge built it before: structlog over stdlib, rendered with json."""
    import structlog

    from forge.logging import SHARED_PROCESSORS

    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(),
            ],
            foreign_pre_chain=SHARED_PROCESSORS,
        )
    )
    stdlib_logger = logging.getLogger(f"bench.stdlib_route.{level}")
    stdlib_logger.handlers[:] = [handler]
    stdlib_logger.propagate = False
    stdlib_logger.setLevel(level)
    return structlog.wrap_logger(
        stdlib_logger,
        processors=[
            *SHARED_PROCESSORS,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.stdlib.BoundLogger,
    )


def native_logger(level: int):
    """The access logger as forge/logging.py builds it now."""
    import structlog

    from forge.logging import NamedWriteLogger, native_processors, renderer_for

    return structlog.wrap_logger(
        NamedWriteLogger("forge.access"),
        processors=native_processors(renderer_for(json=True)),
        wrapper_class=structlog.make_filtering_bound_logger(level),
    )


def access_line(log) -> None:
    log.info(
        "request",
        user_id=1,
        method="GET",
        route="/api/v1/test/floor/",
        path="/api/v1/test/floor/",
        status=200,
        duration_ms=1.23,
    )


def main() -> None:
    from benchmarks.common import ab_start

    args, user = ab_start(__doc__)
    import structlog
    from django.test.utils import override_settings

    from benchmarks.common import (
        FLOOR_PATH,
        FLOOR_URLCONF,
        NOT_FOUND_PATH,
        ab_requests_time,
        ab_table,
        floor_clients,
    )
    from forge import middleware

    devnull = open(os.devnull, "w")  # noqa: SIM115 - open for the whole run
    structlog.contextvars.bind_contextvars(request_id="0" * 32)
    loggers = {
        "stdlib route": {
            level: stdlib_route_logger(devnull, level) for level in (logging.INFO, logging.WARNING)
        },
        "native": {level: native_logger(level) for level in (logging.INFO, logging.WARNING)},
    }
    print("| one access line | logger | µs per line (best of 7 × 2,000) |")
    print("| --- | --- | ---: |")
    with contextlib.redirect_stderr(devnull):
        for level, label in ((logging.INFO, "at INFO"), (logging.WARNING, "below the level")):
            for name, by_level in loggers.items():
                log = by_level[level]
                best = min(timeit.repeat(lambda log=log: access_line(log), number=2000, repeat=7))
                print(f"| {label} | {name} | {best / 2000 * 1e6:.1f} |")

    cases = [("404 (bare Django path)", "anonymous", NOT_FOUND_PATH, 404)]
    cases += [("minimal DRF view", auth, FLOOR_PATH, 200) for auth in ("session", "token")]
    kept = middleware.log

    def logger_set(by_level):
        return lambda: setattr(middleware, "log", by_level[logging.INFO])

    sides = {name: logger_set(by_level) for name, by_level in loggers.items()}
    with override_settings(ROOT_URLCONF=FLOOR_URLCONF), contextlib.redirect_stderr(devnull):
        try:
            timings = ab_requests_time(floor_clients(user), cases, sides, args.rounds)
        finally:
            middleware.log = kept
    print()
    print("\n".join(ab_table(timings, request="request (access log at INFO)", side="logger")))


if __name__ == "__main__":
    main()

"""A small HTTP client for Meshy's task API: create, follow, download, delete, balance.

One pooled `httpx.Client` per configuration is shared by every provider instance in the
process. API calls carry the bearer key; result downloads go through a second client that
never sends it (result URLs live on another host). Requests that Meshy rate limits (429)
wait as long as `Retry-After` says, within `rate_limit_wait`; 5xx answers and network
failures are retried with exponential backoff a few times. The key is never logged and is
scrubbed from every message Meshy sends back before it goes anywhere.
"""

from __future__ import annotations

import email.utils
import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from pipelines.providers.base import ProviderCanceled, RemoteTaskPending
from pipelines.providers.meshy import errors

log = structlog.get_logger("pipelines.providers.meshy")

# Task families: the path each one is created, read, streamed and deleted under.
FAMILIES = {
    "text-to-3d": "/openapi/v2/text-to-3d",
    "image-to-3d": "/openapi/v1/image-to-3d",
    "retexture": "/openapi/v1/retexture",
    "remesh": "/openapi/v1/remesh",
    "rigging": "/openapi/v1/rigging",
    "animations": "/openapi/v1/animations",
}
BALANCE_PATH = "/openapi/v1/balance"
TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELED"})
# Download answers that mean the signed URL expired (or was withdrawn): refetch the task.
EXPIRED_URL_STATUSES = frozenset({401, 403, 404, 410})
# Longest single wait on a `Retry-After` header; longer asks are waited out in steps.
MAX_RETRY_AFTER = 60.0
CANCEL_CHECK_SECONDS = 0.1
CHUNK = 256 * 1024
# Families Meshy lists (rigging and animations have no list), and how far a look back reads.
LISTABLE = frozenset({"text-to-3d", "image-to-3d", "retexture", "remesh"})
RECENT_PAGE_SIZE = 50
RECENT_PAGES = 4


@dataclass(frozen=True)
class MeshyConfig:
    """Everything the client needs; `from_settings` reads it from Django settings."""

    api_key: str
    base_url: str = "https://api.meshy.ai"
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    poll_min: float = 2.0
    poll_max: float = 30.0
    task_timeout: float = 3600.0
    download_max_bytes: int = 100 * 1024 * 1024
    retries: int = 4
    retry_base: float = 1.0
    rate_limit_wait: float = 600.0
    stream: bool = True
    stream_idle: float = 10.0
    max_connections: int = 20

    def __repr__(self) -> str:
        return f"MeshyConfig(base_url={self.base_url!r}, api_key=[redacted])"

    @classmethod
    def from_settings(cls) -> MeshyConfig:
        """Build the configuration from `MESHY_*` settings."""
        from django.conf import settings

        return cls(
            api_key=settings.MESHY_API_KEY,
            base_url=settings.MESHY_BASE_URL.rstrip("/"),
            connect_timeout=settings.MESHY_CONNECT_TIMEOUT_SECONDS,
            read_timeout=settings.MESHY_READ_TIMEOUT_SECONDS,
            poll_min=settings.MESHY_POLL_MIN_SECONDS,
            poll_max=settings.MESHY_POLL_MAX_SECONDS,
            task_timeout=settings.MESHY_TASK_TIMEOUT_SECONDS,
            download_max_bytes=settings.MESHY_DOWNLOAD_MAX_BYTES,
            retries=settings.MESHY_HTTP_RETRIES,
            retry_base=settings.MESHY_RETRY_BASE_SECONDS,
            rate_limit_wait=settings.MESHY_RATE_LIMIT_WAIT_SECONDS,
            stream=settings.MESHY_STREAM,
            stream_idle=settings.MESHY_STREAM_IDLE_SECONDS,
        )


class TaskGone(errors.ProviderError):  # noqa: N818 - reads as a state, like ProviderCanceled
    """Report that Meshy no longer knows a task (deleted, expired, or never made here)."""

    def __init__(self, family: str, task_id: str):
        super().__init__(
            "Meshy no longer has the task's results (they are kept for three days); "
            "the pipeline will make them again.",
            code=errors.RESULT_EXPIRED,
            retryable=True,
            service=errors.SERVICE,
        )
        self.family = family
        self.task_id = task_id


class _UrlExpired(Exception):
    pass


_POOL_LOCK = threading.Lock()
_POOLS: dict[MeshyConfig, tuple[httpx.Client, httpx.Client]] = {}


def _pools(config: MeshyConfig) -> tuple[httpx.Client, httpx.Client]:
    """Return the shared (api, files) clients for `config`, making them once per process."""
    with _POOL_LOCK:
        pair = _POOLS.get(config)
        if pair is None:
            timeout = httpx.Timeout(config.read_timeout, connect=config.connect_timeout)
            limits = httpx.Limits(
                max_connections=config.max_connections,
                max_keepalive_connections=config.max_connections,
            )
            api = httpx.Client(
                base_url=config.base_url,
                headers={
                    "Authorization": f"Bearer {config.api_key}",
                    "Accept": "application/json",
                    "User-Agent": "Forge (meshy provider)",
                },
                timeout=timeout,
                limits=limits,
            )
            files = httpx.Client(
                timeout=timeout,
                limits=limits,
                follow_redirects=True,
                headers={"User-Agent": "Forge (meshy provider)"},
            )
            pair = (api, files)
            _POOLS[config] = pair
        return pair


def sleep_or_cancel(seconds: float, should_cancel: Callable[[], bool]) -> None:
    """Sleep `seconds`, checking `should_cancel` often; raise ProviderCanceled when it says so."""
    deadline = time.monotonic() + max(0.0, seconds)
    while True:
        if should_cancel():
            raise ProviderCanceled(service=errors.SERVICE)
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(CANCEL_CHECK_SECONDS, left))


def retry_after_seconds(value: str | None) -> float | None:
    """Return the wait a `Retry-After` header asks for (seconds or an HTTP date), if any."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _never() -> bool:
    return False


class MeshyClient:
    """Talk to one Meshy account: tasks, their results and the credit balance."""

    def __init__(self, config: MeshyConfig):
        if not config.api_key:
            raise errors.error(
                "The Meshy provider is not configured: MESHY_API_KEY is empty.",
                code=errors.NOT_CONFIGURED,
                retryable=False,
            )
        self.config = config
        self._api, self._files = _pools(config)

    def __repr__(self) -> str:
        return f"MeshyClient(base_url={self.config.base_url!r})"

    @classmethod
    def from_settings(cls) -> MeshyClient:
        """Return a client configured from Django settings."""
        return cls(MeshyConfig.from_settings())

    # -- requests ----------------------------------------------------------------------

    def _scrub(self, text: str) -> str:
        return errors.scrub(text, self.config.api_key)

    def _server_message(self, response: httpx.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            return self._scrub(response.text.strip()[:200])
        if isinstance(body, dict):
            return self._scrub(str(body.get("message") or body.get("error") or ""))
        return ""

    def _backoff(self, failures: int) -> float:
        delay = self.config.retry_base * (2 ** max(0, failures - 1))
        return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not security

    def request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        body: dict | None = None,
        should_cancel: Callable[[], bool] = _never,
        create: bool = False,
    ) -> httpx.Response:
        """Send one API request and return its 2xx response, retrying what may be retried.

        429 waits `Retry-After` (or a backoff) within `rate_limit_wait` seconds in all;
        5xx and network failures are retried `retries` times with exponential backoff.
        A create whose answer was lost after sending is not sent again (the task may
        exist and cost credits): it raises a retryable error instead.
        """
        rate_limited_until = time.monotonic() + self.config.rate_limit_wait
        failures = 0
        while True:
            if should_cancel():
                raise ProviderCanceled(service=errors.SERVICE)
            try:
                response = self._api.request(method, path, json=body)
            except httpx.TransportError as exc:
                sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                failures += 1
                log.warning(
                    "provider.meshy.network_error",
                    method=method,
                    path=path,
                    error=type(exc).__name__,
                    attempt=failures,
                )
                if (create and sent) or failures > self.config.retries:
                    raise errors.error(
                        f"Meshy could not be reached while {what} ({type(exc).__name__}); "
                        "the pipeline will try again later.",
                        code=errors.UNAVAILABLE,
                        retryable=True,
                    ) from None
                sleep_or_cancel(self._backoff(failures), should_cancel)
                continue
            status = response.status_code
            if status < 300:
                return response
            message = self._server_message(response)
            if status == 429:
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                if wait is None:
                    wait = self._backoff(failures + 1)
                wait = min(wait, MAX_RETRY_AFTER)
                log.info(
                    "provider.meshy.rate_limited",
                    method=method,
                    path=path,
                    wait_s=round(wait, 3),
                    reason=message,
                )
                if time.monotonic() + wait > rate_limited_until:
                    raise errors.error_for_status(status, message, what=what)
                sleep_or_cancel(wait, should_cancel)
                continue
            if status >= 500:
                failures += 1
                log.warning(
                    "provider.meshy.server_error",
                    method=method,
                    path=path,
                    status=status,
                    attempt=failures,
                )
                if failures > self.config.retries:
                    raise errors.error_for_status(status, message, what=what)
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                sleep_or_cancel(
                    min(wait, MAX_RETRY_AFTER) if wait is not None else self._backoff(failures),
                    should_cancel,
                )
                continue
            if status in (401, 403):
                log.error("provider.meshy.auth_failed", status=status, path=path, reason=message)
            elif status == 402:
                log.error("provider.meshy.out_of_credits", path=path, reason=message)
            failure = errors.error_for_status(status, message, what=what)
            failure.http_status = status
            raise failure

    def create(
        self, family: str, body: dict, *, what: str, should_cancel: Callable[[], bool] = _never
    ) -> str:
        """Create a task in `family` and return its ID."""
        response = self.request(
            "POST", FAMILIES[family], body=body, what=what, should_cancel=should_cancel, create=True
        )
        try:
            data = response.json()
        except ValueError:
            data = {}
        task_id = ""
        if isinstance(data, dict):
            task_id = str(data.get("result") or data.get("id") or data.get("task_id") or "")
        if not task_id:
            raise errors.error(
                f"Meshy accepted the request while {what} but sent no task ID.",
                code=errors.UNAVAILABLE,
                retryable=True,
            )
        log.info("provider.meshy.task_created", family=family, task_id=task_id)
        return task_id

    def get(
        self, family: str, task_id: str, *, what: str, should_cancel: Callable[[], bool] = _never
    ) -> dict:
        """Return the task object; raise TaskGone when Meshy answers 404."""
        try:
            response = self.request(
                "GET", f"{FAMILIES[family]}/{task_id}", what=what, should_cancel=should_cancel
            )
        except errors.ProviderError as exc:
            if getattr(exc, "http_status", None) == 404:
                raise TaskGone(family, task_id) from None
            raise
        return response.json()

    def recent(self, family: str, *, since_ms: int, what: str) -> list[dict]:
        """Return the family's tasks created at or after `since_ms` (Meshy's clock), newest
        first, reading at most `RECENT_PAGES` pages of `RECENT_PAGE_SIZE` (Meshy's maximum)."""
        found: list[dict] = []
        for page in range(1, RECENT_PAGES + 1):
            response = self.request(
                "GET",
                f"{FAMILIES[family]}?page_num={page}&page_size={RECENT_PAGE_SIZE}"
                "&sort_by=-created_at",
                what=what,
            )
            tasks = response.json()
            if not isinstance(tasks, list):
                break
            for task in tasks:
                if not isinstance(task, dict):
                    continue
                created = task.get("created_at")
                if isinstance(created, int | float) and created < since_ms:
                    return found
                found.append(task)
            if len(tasks) < RECENT_PAGE_SIZE:
                break
        return found

    def delete(self, family: str, task_id: str) -> bool:
        """Delete (and so cancel) the task; report whether Meshy agreed. Never raises."""
        try:
            response = self._api.request("DELETE", f"{FAMILIES[family]}/{task_id}")
        except httpx.TransportError as exc:
            log.warning(
                "provider.meshy.delete_failed",
                family=family,
                task_id=task_id,
                error=type(exc).__name__,
            )
            return False
        ok = response.status_code < 300
        log.info(
            "provider.meshy.task_deleted" if ok else "provider.meshy.delete_failed",
            family=family,
            task_id=task_id,
            status=response.status_code,
        )
        return ok

    def balance(self) -> int:
        """Return the account's remaining credits."""
        response = self.request("GET", BALANCE_PATH, what="reading the credit balance")
        return int(response.json()["balance"])

    # -- waiting -----------------------------------------------------------------------

    def follow(
        self,
        family: str,
        task_id: str,
        *,
        what: str,
        should_cancel: Callable[[], bool],
        on_task: Callable[[dict], None] | None = None,
        wait_seconds: float | None = None,
    ) -> dict:
        """Wait until the task ends and return it when SUCCEEDED, raising otherwise.

        Follows the task's event stream when the API offers one, else polls with a
        backoff from `poll_min` to `poll_max` seconds. When `should_cancel` says so, the
        remote task is deleted (Meshy's only way to cancel) and ProviderCanceled raised.
        After `task_timeout` seconds a retryable timeout is raised and the task is left
        running, so a retry resumes it.

        With `wait_seconds`, the task is looked at once and followed at most that long:
        if it is still running then, `RemoteTaskPending` is raised and the task left
        running; the timeout then counts from the task's own `created_at`, so it holds
        across the calls that follow it.
        """
        deadline = time.monotonic() + self.config.task_timeout
        park_at = None if wait_seconds is None else time.monotonic() + max(0.0, wait_seconds)
        streaming = self.config.stream
        interval = self.config.poll_min
        looked = False

        def seen(task: dict) -> None:
            nonlocal looked
            looked = True
            if park_at is not None:
                self._check_age(task, what=what)
            if on_task is not None:
                on_task(task)

        try:
            while True:
                if should_cancel():
                    raise ProviderCanceled(service=errors.SERVICE)
                if park_at is not None and looked and time.monotonic() >= park_at:
                    log.info("provider.meshy.task_pending", family=family, task_id=task_id)
                    raise RemoteTaskPending(task_id)
                if time.monotonic() > deadline:
                    log.warning("provider.meshy.task_timeout", family=family, task_id=task_id)
                    raise errors.error(
                        f"Meshy took longer than {int(self.config.task_timeout)} s while {what}; "
                        "the pipeline will pick the task up again.",
                        code=errors.TIMEOUT,
                        retryable=True,
                    )
                task: dict | None = None
                if streaming:
                    outcome = self._stream(
                        family,
                        task_id,
                        what=what,
                        should_cancel=should_cancel,
                        seen=seen,
                        deadline=deadline if park_at is None else min(deadline, park_at),
                    )
                    if outcome is _IDLE:
                        if park_at is not None and not looked:
                            # A quiet stream within the wait: look once by reading the task.
                            task = self.get(family, task_id, what=what, should_cancel=should_cancel)
                            seen(task)
                            if task.get("status") in TERMINAL:
                                return self._finished(task, what=what)
                        continue
                    if outcome is None:
                        streaming = False
                        log.info(
                            "provider.meshy.stream_unavailable", family=family, task_id=task_id
                        )
                        continue
                    task = outcome
                else:
                    task = self.get(family, task_id, what=what, should_cancel=should_cancel)
                    seen(task)
                    if task.get("status") not in TERMINAL:
                        wait = (
                            interval if (task.get("progress") or 0) < 95 else self.config.poll_min
                        )
                        until = deadline if park_at is None else min(deadline, park_at)
                        sleep_or_cancel(
                            min(wait, max(0.0, until - time.monotonic())), should_cancel
                        )
                        interval = min(interval * 1.5, self.config.poll_max)
                        continue
                return self._finished(task, what=what)
        except ProviderCanceled:
            self.delete(family, task_id)
            log.info("provider.meshy.task_canceled", family=family, task_id=task_id)
            raise

    def _check_age(self, task: dict, *, what: str) -> None:
        """Raise the task timeout when a still-running task was created too long ago."""
        created = task.get("created_at")
        if task.get("status") in TERMINAL or not isinstance(created, int | float) or created <= 0:
            return
        if time.time() * 1000 - created > self.config.task_timeout * 1000:
            log.warning("provider.meshy.task_timeout", task_id=task.get("id"))
            raise errors.error(
                f"Meshy took longer than {int(self.config.task_timeout)} s while {what}; "
                "the pipeline will pick the task up again.",
                code=errors.TIMEOUT,
                retryable=True,
            )

    def _finished(self, task: dict, *, what: str) -> dict:
        status = task.get("status")
        if status == "SUCCEEDED":
            return task
        task_error = task.get("task_error") if isinstance(task.get("task_error"), dict) else None
        message = self._scrub(str((task_error or {}).get("message") or ""))
        log.warning(
            "provider.meshy.task_ended",
            task_id=task.get("id"),
            status=status,
            reason=message,
            error_type=(task_error or {}).get("type"),
        )
        if status == "CANCELED":
            raise errors.error(
                f"Meshy canceled its task while {what}.", code=errors.TASK_CANCELED, retryable=False
            )
        raise errors.error_for_failed_task(task_error, message, what=what)

    def _stream(
        self,
        family: str,
        task_id: str,
        *,
        what: str,
        should_cancel: Callable[[], bool],
        seen: Callable[[dict], None],
        deadline: float,
    ) -> dict | object | None:
        """Follow the task's SSE stream: the terminal task, `_IDLE` to reconnect, or None.

        None means streaming is not available here (not offered, refused, or the stream
        ended without a final event); the caller then polls.
        """
        path = f"{FAMILIES[family]}/{task_id}/stream"
        idle = max(0.05, min(self.config.stream_idle, deadline - time.monotonic()))
        timeout = httpx.Timeout(idle, connect=self.config.connect_timeout)
        try:
            with self._api.stream(
                "GET", path, headers={"Accept": "text/event-stream"}, timeout=timeout
            ) as response:
                if response.status_code != 200:
                    response.read()
                    log.info("provider.meshy.stream_refused", status=response.status_code)
                    return None
                for event, data in _sse_events(response.iter_lines()):
                    if should_cancel():
                        raise ProviderCanceled(service=errors.SERVICE)
                    try:
                        payload = json.loads(data)
                    except ValueError:
                        continue
                    if event == "error":
                        if isinstance(payload, dict) and payload.get("status_code") == 404:
                            raise TaskGone(family, task_id)
                        return None
                    if not isinstance(payload, dict):
                        continue
                    seen(payload)
                    if payload.get("status") in TERMINAL:
                        if (
                            payload.get("status") == "SUCCEEDED"
                            and "model_urls" not in payload
                            and "result" not in payload
                        ):
                            # A terse final event: read the whole task.
                            payload = self.get(
                                family, task_id, what=what, should_cancel=should_cancel
                            )
                        return payload
                    if time.monotonic() > deadline:
                        return _IDLE
        except httpx.ReadTimeout:
            return _IDLE
        except httpx.TransportError as exc:
            log.info("provider.meshy.stream_broken", error=type(exc).__name__)
            return None
        return None

    # -- results -----------------------------------------------------------------------

    def download(
        self,
        url_of: Callable[[], str],
        *,
        what: str,
        refetch: Callable[[], None],
        should_cancel: Callable[[], bool] = _never,
        max_bytes: int | None = None,
    ) -> bytes:
        """Download the result file `url_of()` names, at most `max_bytes` long.

        An expired signed URL calls `refetch()` (which reads the task again, with fresh
        URLs) and tries again, twice at most. Network failures and 5xx are retried.
        """
        limit = max_bytes or self.config.download_max_bytes
        refetches = 0
        failures = 0
        while True:
            if should_cancel():
                raise ProviderCanceled(service=errors.SERVICE)
            url = url_of()
            try:
                return self._download_once(url, limit=limit, what=what)
            except _UrlExpired:
                refetches += 1
                log.info("provider.meshy.result_url_expired", refetch=refetches)
                if refetches > 2:
                    raise errors.error(
                        f"Meshy's result links kept expiring while {what}.",
                        code=errors.RESULT_EXPIRED,
                        retryable=True,
                    ) from None
                refetch()
            except (httpx.TransportError, _ServerTrouble) as exc:
                failures += 1
                log.warning(
                    "provider.meshy.download_failed", error=type(exc).__name__, attempt=failures
                )
                if failures > self.config.retries:
                    raise errors.error(
                        f"Meshy's result file could not be downloaded while {what}; "
                        "the pipeline will try again later.",
                        code=errors.UNAVAILABLE,
                        retryable=True,
                    ) from None
                sleep_or_cancel(self._backoff(failures), should_cancel)

    def _download_once(self, url: str, *, limit: int, what: str) -> bytes:
        with self._files.stream("GET", url) as response:
            status = response.status_code
            if status in EXPIRED_URL_STATUSES:
                raise _UrlExpired
            if status >= 500 or status == 429:
                raise _ServerTrouble
            if status >= 300:
                raise errors.error(
                    f"Meshy's result file was refused (HTTP {status}) while {what}.",
                    code=errors.RESULT_MISSING,
                    retryable=False,
                )
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise _too_large(int(declared), limit, what)
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise _too_large(size, limit, what)
                chunks.append(chunk)
        log.info("provider.meshy.downloaded", size=size)
        return b"".join(chunks)


class _ServerTrouble(Exception):
    pass


_IDLE = object()


def _too_large(size: int, limit: int, what: str) -> errors.ProviderError:
    return errors.error(
        f"Meshy's result file is larger than Forge accepts ({size} > {limit} bytes) while {what}.",
        code=errors.RESULT_TOO_LARGE,
        retryable=False,
    )


def _sse_events(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    """Yield (event, data) pairs from Server-Sent Events lines."""
    event = "message"
    data: list[str] = []
    for line in lines:
        if line == "":
            if data:
                yield event, "\n".join(data)
            event, data = "message", []
        elif line.startswith(":"):
            continue
        elif line.startswith("event:"):
            event = line[6:].strip() or "message"
        elif line.startswith("data:"):
            value = line[5:]
            data.append(value[1:] if value.startswith(" ") else value)
    if data:
        yield event, "\n".join(data)


def task_urls(task: dict) -> dict[str, Any]:
    """Return the task's result links: `model_urls` for models, `result` for rigs and animations."""
    found: dict[str, Any] = {}
    if isinstance(task.get("model_urls"), dict):
        found.update({k: v for k, v in task["model_urls"].items() if v})
    if isinstance(task.get("result"), dict):
        found.update({k: v for k, v in task["result"].items() if isinstance(v, str) and v})
    return found

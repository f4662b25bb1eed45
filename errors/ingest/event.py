"""Turn a Sentry event (as any SDK sends it) into an occurrence ready to record.

The same rules as Forge's own errors (`errors/services/record.py`): the error type is
`module.Type` (just `Type` for builtins), the message is scrubbed, and the fingerprint
hashes type, route, normalised message and the last in-app frames as `module.function`,
so one bug reported by Forge's Python code and by a Sentry SDK lands in one group. The
event's own `fingerprint` wins (with `{{ default }}` standing for the default one).
Everything kept is scrubbed by the same rules; sizes are capped as Sentry does.
"""

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from errors import grouping, scrubbing
from errors.models import ErrorCategory, ErrorSeverity
from errors.services.record import MAX_MESSAGE_CHARS, MAX_STACK_CHARS, PreparedError

MAX_FRAMES = 50
MAX_BREADCRUMBS = 100
MAX_TAG_CHARS = 200
LEVELS = {
    "fatal": ErrorSeverity.CRITICAL,
    "critical": ErrorSeverity.CRITICAL,
    "error": ErrorSeverity.ERROR,
    "warning": ErrorSeverity.WARNING,
    "warn": ErrorSeverity.WARNING,
    "info": ErrorSeverity.INFO,
    "log": ErrorSeverity.INFO,
    "debug": ErrorSeverity.DEBUG,
}
_FRAME_FIELDS = ("filename", "abs_path", "function", "module", "lineno", "colno", "in_app")
_CHAIN_NOTE = "\nThe above exception was the direct cause of the following exception:\n\n"


def _text(value: Any, limit: int) -> str:
    if value is None:
        return ""
    return scrubbing.text_storable(str(value))[:limit]


def _values(container: Any) -> list:
    """Return the list inside `{"values": [...]}`, or the list itself (the Go SDK's form)."""
    if isinstance(container, dict):
        container = container.get("values")
    return [v for v in container if isinstance(v, dict)] if isinstance(container, list) else []


def _frames(exception: dict) -> list[dict]:
    stack = exception.get("stacktrace")
    frames = stack.get("frames") if isinstance(stack, dict) else None
    frames = [f for f in frames if isinstance(f, dict)] if isinstance(frames, list) else []
    if len(frames) > MAX_FRAMES:  # keep both ends, as Sentry trims from the middle
        half = MAX_FRAMES // 2
        frames = frames[:half] + frames[-half:]
    return frames


def _frame_label(frame: dict) -> str:
    function = str(frame.get("function") or "?")
    module = frame.get("module")
    if module:
        return f"{module}.{function}"
    where = str(frame.get("filename") or frame.get("abs_path") or "")
    path = urlsplit(where).path if "://" in where else where
    return f"{path}.{function}"


def _error_type(exception: dict) -> tuple[str, str]:
    short = _text(exception.get("type"), 200)
    module = exception.get("module")
    if short and module and module not in {"builtins", "__builtins__"}:
        return f"{_text(module, 200)}.{short}", short
    return short, short


def _message(event: dict) -> str:
    for key in ("logentry", "message"):
        value = event.get(key)
        if isinstance(value, dict):
            value = value.get("formatted") or value.get("message")
        if value:
            return str(value)
    return ""


def _stack_text(exceptions: list[dict]) -> str:
    parts = []
    for exception in exceptions:
        lines = ["Traceback (most recent call last):"]
        for frame in _frames(exception):
            where = frame.get("abs_path") or frame.get("filename") or "?"
            lines.append(
                f'  File "{where}", line {frame.get("lineno", "?")}, in {frame.get("function", "?")}'
            )
            if frame.get("context_line"):
                lines.append(f"    {str(frame['context_line']).strip()}")
        error_type, _ = _error_type(exception)
        value = exception.get("value")
        lines.append(f"{error_type}: {value}" if value else error_type)
        parts.append("\n".join(lines) + "\n")
    return _CHAIN_NOTE.join(parts)


def _exception_context(exception: dict) -> dict:
    frames = []
    for frame in _frames(exception):
        kept = {k: frame[k] for k in _FRAME_FIELDS if k in frame}
        for key in ("pre_context", "context_line", "post_context", "vars"):
            if key in frame:
                kept[key] = frame[key]
        frames.append(kept)
    mechanism = exception.get("mechanism")
    return {
        "type": exception.get("type"),
        "value": exception.get("value"),
        "module": exception.get("module"),
        "mechanism": mechanism if isinstance(mechanism, dict) else None,
        "frames": frames,
    }


def _tags(value: Any) -> dict[str, str]:
    pairs = value.items() if isinstance(value, dict) else value if isinstance(value, list) else []
    tags = {}
    for pair in pairs:
        if isinstance(pair, (list, tuple)) and len(pair) == 2:
            key, item = pair
        else:
            continue
        tags[_text(key, MAX_TAG_CHARS)] = _text(item, MAX_TAG_CHARS)
    return tags


def _request(value: Any) -> dict:
    if not isinstance(value, dict):
        return {}
    headers = value.get("headers")
    if isinstance(headers, list):
        headers = {str(p[0]): p[1] for p in headers if isinstance(p, list | tuple) and len(p) == 2}
    kept = {k: value[k] for k in ("url", "method", "query_string", "data", "env") if k in value}
    if isinstance(headers, dict):
        kept["headers"] = headers
    return kept


def _fingerprint(event: dict, default: str) -> str | None:
    """Return the explicit fingerprint the event asks for, or None to use the default."""
    parts = event.get("fingerprint")
    if not isinstance(parts, list) or not parts:
        return None
    parts = [default if p in ("{{ default }}", "{{default}}") else str(p) for p in parts]
    if parts == [default]:
        return None
    return scrubbing.text_storable("\x1f".join(parts))


def event_prepare(
    event: dict, *, project_id: int, event_id: str, received_at: datetime
) -> PreparedError:
    """Map one Sentry event to an occurrence of project `project_id`, scrubbed and fingerprinted."""
    exceptions = _values(event.get("exception"))
    main = exceptions[-1] if exceptions else {}  # Sentry lists the chain oldest first
    error_type, short_type = _error_type(main)
    raw_message = str(main.get("value") or "") if main else ""
    if not raw_message:
        raw_message = _message(event)
    clean_message = scrubbing.scrub_text(raw_message or error_type or "Error")[:MAX_MESSAGE_CHARS]
    frames = _frames(main)
    flagged = [f for f in frames if f.get("in_app") is True]
    if not flagged and not any("in_app" in f for f in frames):
        flagged = frames  # an SDK that says nothing: every frame is the app's own
    labels = [_frame_label(f) for f in flagged]

    request = _request(event.get("request"))
    route = _text(event.get("transaction"), 255) if request else ""
    method = _text(request.get("method"), 10).upper()
    severity = LEVELS.get(str(event.get("level") or "error").lower(), ErrorSeverity.ERROR)
    category = ErrorCategory.TIMEOUT if "timeout" in error_type.lower() else ErrorCategory.INTERNAL
    tags = _tags(event.get("tags"))
    environment = _text(event.get("environment"), 64)
    release = _text(event.get("release"), 200)

    default = grouping.fingerprint_compute(
        error_type=error_type or category,
        route=route,
        message=clean_message,
        frames=labels,
    )
    explicit = _fingerprint(event, default)
    fingerprint = (
        grouping.fingerprint_compute(
            error_type="", route="", message="", frames=[], explicit=explicit
        )
        if explicit
        else default
    )

    first_line = clean_message.splitlines()[0] if clean_message else ""
    title = f"{short_type}: {first_line}" if short_type and first_line != short_type else first_line
    if route:
        culprit = f"{method} {route}".strip()
    elif labels:
        culprit = labels[-1]
    else:
        culprit = _text(event.get("culprit") or event.get("logger"), 255) or category

    sdk = event.get("sdk") if isinstance(event.get("sdk"), dict) else {}
    breadcrumbs = _values(event.get("breadcrumbs"))[-MAX_BREADCRUMBS:]
    context = {
        "event_id": event_id,
        "platform": event.get("platform"),
        "sdk": {"name": sdk.get("name"), "version": sdk.get("version")},
        "environment": environment,
        "release": release,
        "server_name": event.get("server_name"),
        "transaction": event.get("transaction"),
        "logger": event.get("logger"),
        "client_timestamp": event.get("timestamp"),
        "tags": tags,
        "user": event.get("user") if isinstance(event.get("user"), dict) else None,
        "request": request,
        "exception": [_exception_context(e) for e in exceptions],
        "breadcrumbs": breadcrumbs,
        "contexts": event.get("contexts") if isinstance(event.get("contexts"), dict) else None,
        "extra": event.get("extra") if isinstance(event.get("extra"), dict) else None,
        "fingerprint": event.get("fingerprint") if explicit else None,
    }
    context = {k: v for k, v in context.items() if v not in (None, {}, [], "")}
    return PreparedError(
        fingerprint=fingerprint,
        title=title[:255] or "Error",
        culprit=culprit[:255],
        error_type=error_type[:255],
        severity=severity,
        category=category,
        external_service=None,
        error_code="",
        route=route,
        method=method,
        http_status=None,
        request_id=_text(tags.get("request_id"), 128),
        message=clean_message,
        stack_trace=scrubbing.scrub_text(_stack_text(exceptions))[-MAX_STACK_CHARS:]
        if exceptions
        else "",
        context=scrubbing.scrub_data(context),
        user_id=None,
        project_id=project_id,
        environment=environment,
        release=release,
    )

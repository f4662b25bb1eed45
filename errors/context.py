"""What an occurrence keeps of a request, extracted into plain data at capture time.

The capture layer calls `request_context_extract`; services receive the resulting
`RequestContext` and never see the request object itself.
"""

import json
import re
from dataclasses import dataclass, field
from typing import Any

import structlog
from rest_framework.request import Empty

from forge.clientip import client_ip

log = structlog.get_logger("errors")
_HEADER_LIMIT = 40
_BODY_LIMIT = 64 * 1024
_CONVERTER = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<([^>]+)>[^)]*\)")


@dataclass(frozen=True)
class RequestContext:
    """A request as plain data: where it went, who sent it, and what it carried (unscrubbed)."""

    route: str = ""
    method: str = ""
    request_id: str = ""
    user_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


def route_pattern(request: Any) -> str:
    """Return the URL pattern that matched, as `/api/v1/assets/{id}/` (never the raw path)."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.route:
        return ""
    route = _CONVERTER.sub(r"{\1}", match.route)
    route = _REGEX_GROUP.sub(r"{\1}", route).replace("^", "").replace("$", "")
    return "/" + route.lstrip("/")


def _headers(request: Any) -> dict[str, str]:
    headers = {}
    for i, (name, value) in enumerate(request.headers.items()):
        if i >= _HEADER_LIMIT:
            break
        headers[name] = value
    return headers


def _params(request: Any, drf_request: Any) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if request.GET:
        params["query"] = {k: v if len(v) > 1 else v[0] for k, v in request.GET.lists()}
    data = getattr(drf_request, "_full_data", None) if drf_request is not None else None
    if data is None or data is Empty:  # DRF has not parsed it (e.g. authentication failed)
        data = getattr(request, "_post", None)  # something already parsed the form
    if data is None and request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        data = _body(request)
    if data:
        try:
            params["data"] = dict(data.lists()) if hasattr(data, "lists") else data
        except Exception:
            params["data"] = "[unreadable]"
    return params


def _body(request: Any) -> Any:
    """Parse a small JSON or form body that nothing has consumed yet; None otherwise."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 < length <= _BODY_LIMIT or getattr(request, "_read_started", False):
        if not hasattr(request, "_body"):
            return None
    content_type = request.content_type or ""
    try:
        if content_type == "application/json":
            return json.loads(request.body)
        if content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            return request.POST
    except Exception:  # unreadable or malformed: the record goes without it
        return "[unreadable]"
    return None


def request_context_extract(request: Any) -> RequestContext:
    """Return what an occurrence keeps of `request` (a Django or DRF request), before scrubbing."""
    drf_request = request if hasattr(request, "_request") else None
    django_request = getattr(request, "_request", request)
    user = getattr(django_request, "user", None)
    user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    data: dict[str, Any] = {}
    try:
        data["path"] = django_request.path
        data["client_ip"] = client_ip(django_request)
        data["headers"] = _headers(django_request)
        data["user_agent"] = django_request.headers.get("User-Agent", "")
        data.update(_params(django_request, drf_request))
    except Exception:  # a half-built request still deserves a record
        log.warning("error_request_context_failed", exc_info=True)
    return RequestContext(
        route=route_pattern(django_request),
        method=getattr(django_request, "method", "") or "",
        request_id=getattr(django_request, "request_id", "") or "",
        user_id=user_id,
        data=data,
    )

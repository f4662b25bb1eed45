"""Request IDs and the access log, and enveloped errors for Django-level failures in /api/."""

import time

import structlog
from django.http import HttpRequest, HttpResponse

from forge import envelope
from forge.requestid import (
    REQUEST_ID_HEADER,
    request_id_is_valid,
    request_id_new,
    request_id_set,
)

log = structlog.get_logger("forge.access")


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    return "/" + match.route if match.route else match.view_name or ""


class RequestIDMiddleware:
    """Give every request an ID, return it, bind it into logs, and log one line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.started_at = time.perf_counter()
        sent = request.headers.get(REQUEST_ID_HEADER)
        request.request_id = sent if request_id_is_valid(sent) else request_id_new()
        request_id_set(request.request_id)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request.request_id)

        response = self.get_response(request)

        response[REQUEST_ID_HEADER] = request.request_id
        user = getattr(request, "user", None)
        log.info(
            "request",
            user_id=getattr(user, "pk", None) if user is not None else None,
            method=request.method,
            route=_route(request),
            path=request.path,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - request.started_at) * 1000, 2),
        )
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        """Envelope any exception that escapes a view under /api/ (DEBUG or not)."""
        if not envelope.is_api_request(request):
            return None
        return envelope.response_for_exception(request, exception)

"""Request IDs and the access log, and enveloped errors for Django-level failures in /api/."""

import time

import structlog
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from forge import envelope
from forge.exceptions import ErrorCode
from forge.parsers import unsafe_text_message
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


class ApiRequestGuardMiddleware:
    """Refuse, before authentication, API requests no endpoint could serve.

    A method the endpoint does not have is a 405 (not a 401 to anonymous callers), a
    query string holding a NUL character is a 400 `validation_failed` naming the parameter
    (PostgreSQL text cannot store NUL), and a body with a `Content-Encoding` is a 415, for
    every endpoint at once. (The Sentry-compatible ingest, which takes compressed bodies, is
    served before Django.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not envelope.is_api_request(request):
            return None
        problem = _query_text_problem(request.GET)
        if problem:
            field, message = problem
            return envelope.error_response(
                request,
                ErrorCode.VALIDATION_FAILED,
                f"{field}: {message}",
                details={field: [message]},
            )
        encoding = request.headers.get("Content-Encoding", "").strip().lower()
        if encoding not in ("", "identity"):
            # Django and DRF read bodies as sent: a compressed body would be parsed as text,
            # and a plain one labelled compressed accepted. Neither is what the client meant.
            return envelope.error_response(
                request,
                ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                "Compressed request bodies are not accepted here (Content-Encoding must be "
                "absent or identity).",
                details={"content_encoding": encoding[:64]},
            )
        view_class = getattr(view_func, "cls", None)
        if view_class is None:
            return None
        allowed = _allowed_methods(view_class)
        if request.method not in allowed:
            response = envelope.error_response(
                request,
                ErrorCode.METHOD_NOT_ALLOWED,
                f'Method "{request.method}" not allowed.',
            )
            response["Allow"] = ", ".join(allowed)
            return response
        return None


def _allowed_methods(view_class) -> list[str]:
    return [
        method.upper()
        for method in view_class.http_method_names
        if hasattr(view_class, method) or (method == "head" and hasattr(view_class, "get"))
    ]


def _query_text_problem(query) -> tuple[str, str] | None:
    for key in query:
        message = unsafe_text_message(key)
        if message:
            return "non_field_errors", message
        for value in query.getlist(key):
            message = unsafe_text_message(value)
            if message:
                return key, message
    return None


class MethodNotAllowedPageMiddleware:
    """Give a bare 405 outside /api/ (Django's `require_POST` sends an empty one) the site's page.

    Under /api/ a 405 is already enveloped (`ApiRequestGuardMiddleware`, DRF).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.content or envelope.is_api_request(request):
            return response
        allowed = response.get("Allow", "")
        page = render(
            request,
            "errors/http_error.html",
            {"status": 405, "message": f"This address takes only: {allowed}." if allowed else ""},
            status=405,
        )
        if allowed:
            page["Allow"] = allowed
        return page

"""ASGI entry point: HTTP goes to Django (the Sentry-compatible ingest endpoints to their own
app, errors/ingest/); websockets pass origin checks and auth first."""

import os
from http import HTTPStatus

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forge.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from errors.ingest.app import ingest_app, matches  # noqa: E402
from forge.bodylimit import RequestBodyLimitMiddleware  # noqa: E402
from forge.headbody import head_bodies_dropped  # noqa: E402
from forge.routing import websocket_urlpatterns  # noqa: E402
from forge.wsauth import TokenAwareOriginValidator, WebsocketAuthMiddlewareStack  # noqa: E402


def reason_phrases_complete() -> None:
    """Give daphne a reason phrase for every status Python knows (422, 429, 451, ...).

    daphne writes the status line with Twisted's table of phrases, which stops short of
    several codes Forge sends: a 429 went out as `429 Unknown Status`. ASGI carries no
    phrase, so the gaps are filled from `http.HTTPStatus`; existing entries are kept.
    """
    try:
        from twisted.web import http
    except ImportError:  # pragma: no cover - daphne depends on Twisted
        return
    for status in HTTPStatus:
        http.RESPONSES.setdefault(status.value, status.phrase.encode("ascii"))


reason_phrases_complete()

# The ingest endpoints enforce their own (compressed and decompressed) size limits.
django_http = RequestBodyLimitMiddleware(django_asgi_app)


async def _http_app(scope, receive, send):
    """Serve the Sentry-compatible ingest endpoints on the event loop; the rest is Django."""
    if matches(scope["path"]):
        return await ingest_app(scope, receive, send)
    return await django_http(scope, receive, send)


http_app = head_bodies_dropped(_http_app)


application = ProtocolTypeRouter(
    {
        "http": http_app,
        "websocket": TokenAwareOriginValidator(
            WebsocketAuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

"""ASGI entry point: HTTP goes to Django (the Sentry-compatible ingest endpoints to their own
app, errors/ingest/); websockets pass origin checks and auth first."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forge.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from errors.ingest.app import ingest_app, matches  # noqa: E402
from forge.bodylimit import RequestBodyLimitMiddleware  # noqa: E402
from forge.routing import websocket_urlpatterns  # noqa: E402
from forge.wsauth import TokenAwareOriginValidator, WebsocketAuthMiddlewareStack  # noqa: E402

# The ingest endpoints enforce their own (compressed and decompressed) size limits.
django_http = RequestBodyLimitMiddleware(django_asgi_app)


async def http_app(scope, receive, send):
    """Serve the Sentry-compatible ingest endpoints on the event loop; the rest is Django."""
    if matches(scope["path"]):
        return await ingest_app(scope, receive, send)
    return await django_http(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": http_app,
        "websocket": TokenAwareOriginValidator(
            WebsocketAuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

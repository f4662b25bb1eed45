"""ASGI entry point: HTTP goes to Django; websockets pass origin checks and auth first."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forge.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from forge.bodylimit import RequestBodyLimitMiddleware  # noqa: E402
from forge.routing import websocket_urlpatterns  # noqa: E402
from forge.wsauth import TokenAwareOriginValidator, WebsocketAuthMiddlewareStack  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": RequestBodyLimitMiddleware(django_asgi_app),
        "websocket": TokenAwareOriginValidator(
            WebsocketAuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

"""Every app's websocket routes, in one list for the ASGI router.

The list ends with a catch-all: channels' `URLRouter` raises `ValueError("No route found
...")` for a path nothing matches, which daphne logs as "Exception inside application" and
answers with HTTP 500. A socket to an unknown path is refused instead (daphne sends 403).
"""

import structlog
from django.urls import re_path

from pipelines.routing import websocket_urlpatterns as pipeline_routes

log = structlog.get_logger("forge.routing")


async def websocket_no_route(scope, receive, send):
    """Refuse the handshake of a websocket whose path matches no route."""
    message = await receive()
    if message["type"] == "websocket.connect":
        log.info("websocket_no_route", path=scope.get("path"))
        await send({"type": "websocket.close"})


websocket_urlpatterns = [*pipeline_routes, re_path(r"", websocket_no_route)]

"""Every app's websocket routes, in one list for the ASGI router."""

from pipelines.routing import websocket_urlpatterns as pipeline_routes

websocket_urlpatterns = [*pipeline_routes]

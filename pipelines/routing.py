"""Websocket routes of the pipelines app."""

websocket_urlpatterns: list = []

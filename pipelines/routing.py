"""Websocket routes of the pipelines app."""

from django.urls import path

from pipelines.consumers import PipelineConsumer, UserPipelinesConsumer

websocket_urlpatterns = [
    path("ws/pipelines/", UserPipelinesConsumer.as_asgi()),
    path("ws/pipelines/<str:pipeline_id>/", PipelineConsumer.as_asgi()),
]

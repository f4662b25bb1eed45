from django.urls import path

from pipelines.api.views import (
    PipelineCancelApi,
    PipelineDetailApi,
    PipelineListCreateApi,
    PipelineRetryApi,
    PipelineStatsApi,
)

app_name = "pipelines-api"

urlpatterns = [
    path("pipelines/", PipelineListCreateApi.as_view(), name="pipeline-list"),
    path("pipelines/stats/", PipelineStatsApi.as_view(), name="pipeline-stats"),
    path("pipelines/<uuid:pipeline_id>/", PipelineDetailApi.as_view(), name="pipeline-detail"),
    path(
        "pipelines/<uuid:pipeline_id>/cancel/", PipelineCancelApi.as_view(), name="pipeline-cancel"
    ),
    path("pipelines/<uuid:pipeline_id>/retry/", PipelineRetryApi.as_view(), name="pipeline-retry"),
]

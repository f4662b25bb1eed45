from django.urls import path

from assets.exports.api.views import (
    ExportCancelApi,
    ExportDetailApi,
    ExportEstimateApi,
    ExportListCreateApi,
    ExportPresetDetailApi,
    ExportPresetListCreateApi,
    ExportRetryApi,
)
from assets.exports.download import ExportDownloadApi

app_name = "exports-api"

urlpatterns = [
    path("exports/", ExportListCreateApi.as_view(), name="export-list"),
    path("exports/estimate/", ExportEstimateApi.as_view(), name="export-estimate"),
    path("exports/presets/", ExportPresetListCreateApi.as_view(), name="preset-list"),
    path(
        "exports/presets/<int:preset_id>/",
        ExportPresetDetailApi.as_view(),
        name="preset-detail",
    ),
    path("exports/<uuid:export_id>/", ExportDetailApi.as_view(), name="export-detail"),
    path("exports/<uuid:export_id>/cancel/", ExportCancelApi.as_view(), name="export-cancel"),
    path("exports/<uuid:export_id>/retry/", ExportRetryApi.as_view(), name="export-retry"),
    path("exports/<uuid:export_id>/download/", ExportDownloadApi.as_view(), name="export-download"),
]

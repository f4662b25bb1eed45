from django.urls import path

from assets.exports import views
from assets.exports.download import ExportSignedDownloadView

app_name = "exports"

urlpatterns = [
    path("exports/", views.export_list_view, name="list"),
    path("exports/new/", views.export_create_view, name="create"),
    path("exports/estimate/", views.export_estimate_view, name="estimate"),
    path("exports/batch/", views.export_batch_view, name="batch"),
    path("exports/<uuid:export_id>/status/", views.export_status_view, name="status"),
    path("exports/<uuid:export_id>/cancel/", views.export_cancel_view, name="cancel"),
    path("exports/<uuid:export_id>/retry/", views.export_retry_view, name="retry"),
    path("exports/download/<str:token>/", ExportSignedDownloadView.as_view(), name="download"),
]

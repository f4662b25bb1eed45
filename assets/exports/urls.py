from django.urls import path

from assets.exports import views
from assets.exports.download import ExportSignedDownloadView

app_name = "exports"

urlpatterns = [
    path("exports/", views.export_list_view, name="list"),
    path("exports/download/<str:token>/", ExportSignedDownloadView.as_view(), name="download"),
]

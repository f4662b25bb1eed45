from django.urls import path

from pipelines import views

app_name = "pipelines"

urlpatterns = [
    path("pipelines/", views.pipeline_list_view, name="list"),
    path("pipelines/new/", views.pipeline_new, name="new"),
    path("pipelines/<uuid:pipeline_id>/", views.pipeline_detail, name="detail"),
    path("pipelines/<uuid:pipeline_id>/status/", views.pipeline_status_partial, name="status"),
    path("pipelines/<uuid:pipeline_id>/cancel/", views.pipeline_cancel_view, name="cancel"),
    path("pipelines/<uuid:pipeline_id>/retry/", views.pipeline_retry_view, name="retry"),
]

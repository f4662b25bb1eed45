from django.urls import path

from assets import views

app_name = "assets"

urlpatterns = [
    path("", views.asset_list, name="list"),
    path("assets/upload/", views.asset_upload_view, name="upload"),
    path("assets/<uuid:asset_id>/", views.asset_detail, name="detail"),
    path("assets/<uuid:asset_id>/edit/", views.asset_edit, name="edit"),
    path("assets/<uuid:asset_id>/variants/", views.asset_variant_add_view, name="variant_add"),
    path("assets/<uuid:asset_id>/delete/", views.asset_delete_view, name="delete"),
]

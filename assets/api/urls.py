from django.urls import path

from assets.api.views import (
    AssetDetailApi,
    AssetListCreateApi,
    AssetVariantListApi,
    MaterialPresetListApi,
)

app_name = "assets-api"

urlpatterns = [
    path("assets/", AssetListCreateApi.as_view(), name="asset-list"),
    path("assets/<uuid:asset_id>/", AssetDetailApi.as_view(), name="asset-detail"),
    path("assets/<uuid:asset_id>/variants/", AssetVariantListApi.as_view(), name="asset-variants"),
    path("presets/", MaterialPresetListApi.as_view(), name="preset-list"),
]

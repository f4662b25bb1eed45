from django.urls import path

from assets.api.character_views import (
    AssetRigApi,
    AssetRigClipsApi,
    CharacterBuildApi,
    CharacterClipListApi,
    CharacterDetailApi,
    CharacterListCreateApi,
    CharacterRetargetApi,
)
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
    path("assets/<uuid:asset_id>/rig/", AssetRigApi.as_view(), name="asset-rig"),
    path("assets/<uuid:asset_id>/rig/clips/", AssetRigClipsApi.as_view(), name="asset-rig-clips"),
    path("characters/", CharacterListCreateApi.as_view(), name="character-list"),
    path("characters/<uuid:character_id>/", CharacterDetailApi.as_view(), name="character-detail"),
    path(
        "characters/<uuid:character_id>/build/", CharacterBuildApi.as_view(), name="character-build"
    ),
    path(
        "characters/<uuid:character_id>/clips/",
        CharacterClipListApi.as_view(),
        name="character-clips",
    ),
    path(
        "characters/<uuid:character_id>/retarget/",
        CharacterRetargetApi.as_view(),
        name="character-retarget",
    ),
]

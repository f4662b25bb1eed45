from django.urls import path

from forge.api.views import ApiTokenListCreateApi, ApiTokenRevokeApi

app_name = "forge-api"

urlpatterns = [
    path("tokens/", ApiTokenListCreateApi.as_view(), name="token-list"),
    path("tokens/<uuid:token_id>/", ApiTokenRevokeApi.as_view(), name="token-revoke"),
]

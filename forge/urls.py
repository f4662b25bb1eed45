from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from assets.media import media_serve
from forge import views

api_v1 = [
    path("", include("forge.api.urls")),
    path("", include("assets.api.urls")),
    path("", include("pipelines.api.urls")),
    path("", include("errors.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", views.health, name="health"),
    path("accounts/signup/", views.signup, name="signup"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", views.account, name="account"),
    path(
        "account/tokens/<uuid:token_id>/revoke/",
        views.account_token_revoke,
        name="account-token-revoke",
    ),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include(api_v1)),
    re_path(r"^api/(?P<path>.*)$", views.api_not_found),
    path("", include("assets.urls")),
    path("", include("pipelines.urls")),
    path("", include("errors.urls")),
    path("", views.home, name="home"),
]

if settings.FORGE_SERVE_MEDIA:
    # Every stored file is served by the app after its asset's access check (assets.media).
    urlpatterns += [
        re_path(r"^{}(?P<path>.*)$".format(settings.MEDIA_URL.lstrip("/")), media_serve)
    ]

handler400 = "forge.views.handler400"
handler403 = "forge.views.handler403"
handler404 = "forge.views.handler404"
handler500 = "forge.views.handler500"

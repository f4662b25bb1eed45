from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView

from assets.media import media_serve
from forge import views
from forge.forms import PasswordResetForm
from forge.metrics import metrics_view
from forge.openapi import SchemaView

api_v1 = [
    path("", include("forge.api.urls")),
    path("", include("assets.api.urls")),
    path("", include("pipelines.api.urls")),
    path("", include("assets.exports.api.urls")),
    path("", include("errors.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", views.health, name="health"),
    path("metrics", metrics_view, name="metrics"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=PasswordResetForm,
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("account/", views.account, name="account"),
    path(
        "account/tokens/<uuid:token_id>/revoke/",
        views.account_token_revoke,
        name="account-token-revoke",
    ),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file (?script), as the CSP requires.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="forge/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("api/v1/", include(api_v1)),
    # [\s\S], not `.`: a path holding a newline (`/api/v1/assets/%0A/`) is an API 404 too.
    re_path(r"^api/(?P<path>[\s\S]*)$", views.api_not_found),
    path("", include("assets.exports.urls")),
    path("", include("assets.urls")),
    path("", include("pipelines.urls")),
    path("characters/", include("assets.character_urls")),
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

"""URLs used only by the errors tests: views that fail while holding a transaction open."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpResponse
from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from forge.exceptions import ExternalServiceError
from forge.throttling import AnonRateThrottle
from forge.urls import urlpatterns as forge_urlpatterns

CREATED_USERNAME = "made-inside-the-failed-transaction"


def _write_then_fail(item_id):
    with transaction.atomic():
        get_user_model().objects.create(username=f"{CREATED_USERNAME}-{item_id}")
        raise RuntimeError(f"item {item_id} broke: password=hunter2 for db")


class BoomApi(APIView):
    permission_classes = [AllowAny]

    def post(self, request, item_id):
        _write_then_fail(item_id)


class ProviderApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise ExternalServiceError("Meshy answered 503.", service="meshy")


class OnePerMinute(AnonRateThrottle):
    rate = "1/min"
    scope = "errors-test-one-per-minute"


class ThrottledApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [OnePerMinute]

    def get(self, request):
        return Response({"ok": True})


def html_boom(request, slug):
    _write_then_fail(slug)
    return HttpResponse("unreachable")


api_patterns = [
    path("boom/<uuid:item_id>/", BoomApi.as_view()),
    path("provider/", ProviderApi.as_view()),
    path("throttled/", ThrottledApi.as_view()),
]

urlpatterns = [
    path("api/v1/errors-test/", include(api_patterns)),
    path("errors-test/page/<slug:slug>/", html_boom),
    *forge_urlpatterns,
]
from forge.urls import handler400, handler403, handler404, handler500  # noqa: E402,F401

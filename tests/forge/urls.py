"""URLs used only by the kernel's tests: views that fail in each way the envelope must cover."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from forge.exceptions import ConflictError
from forge.throttling import AnonRateThrottle, UserRateThrottle
from forge.urls import urlpatterns as forge_urlpatterns


class TwoPerMinute(AnonRateThrottle):
    rate = "2/min"
    scope = "test-two-per-minute"


class ThrottledApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [TwoPerMinute]

    def get(self, request):
        return Response({"ok": True})


class ThreePerMinuteUser(UserRateThrottle):
    rate = "3/min"
    scope = "test-three-per-minute-user"


class UserThrottledApi(APIView):
    throttle_classes = [ThreePerMinuteUser]

    def get(self, request):
        return Response({"ok": True})


class TwoThrottlesApi(APIView):
    """Two window throttles on one view: both counted in one round trip."""

    permission_classes = [AllowAny]
    throttle_classes = [TwoPerMinute, ThreePerMinuteUser]

    def get(self, request):
        return Response({"ok": True})


class FloorApi(APIView):
    """A constant through the whole stack: the fixed cost every API request pays (floor)."""

    def get(self, request):
        return Response({"ok": True})


class BoomApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        from forge.models import ApiToken

        with transaction.atomic():
            ApiToken.objects.all().count()
            raise RuntimeError("secret database password is hunter2")


class ConflictApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise ConflictError("Already exists.", details={"id": "x"})


def django_404(request):
    raise Http404("nothing here")


def django_403(request):
    raise PermissionDenied


def django_boom(request):
    raise ValueError("plain django view failed")


test_patterns = [
    path("floor/", FloorApi.as_view()),
    path("throttled/", ThrottledApi.as_view()),
    path("user-throttled/", UserThrottledApi.as_view()),
    path("two-throttles/", TwoThrottlesApi.as_view()),
    path("boom/", BoomApi.as_view()),
    path("conflict/", ConflictApi.as_view()),
    path("django-404/", django_404),
    path("django-403/", django_403),
    path("django-boom/", django_boom),
]

urlpatterns = [path("api/v1/test/", include(test_patterns)), *forge_urlpatterns]
from forge.urls import handler400, handler403, handler404, handler500  # noqa: E402,F401

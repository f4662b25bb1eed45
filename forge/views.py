"""Kernel views: health, accounts, and the enveloped / HTML error handlers."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from forge import envelope
from forge.auth_backend import BACKEND_PATH
from forge.exceptions import ApplicationError, ErrorCode
from forge.forms import ApiTokenCreateForm, SignInForm, SignUpForm
from forge.health import health_report
from forge.redirects import redirect_next
from forge.tokens import api_token_create, api_token_list, api_token_revoke

_NEW_TOKEN_SESSION_KEY = "forge_new_token"  # noqa: S105 - a session key name


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Report each dependency's state; 503 when a critical one is down."""
    overall, checks = health_report()
    return JsonResponse(
        {"status": overall, "checks": checks, "request_id": request.request_id},
        status=503 if overall == "down" else 200,
    )


def signup(request: HttpRequest) -> HttpResponse:
    """Create an account and sign in."""
    if request.user.is_authenticated:
        return redirect("/")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
        except IntegrityError:  # the same name, signed up a moment ago (a double submit)
            form.add_error("username", "A user with that username already exists.")
        else:
            login(request, user, backend=BACKEND_PATH)
            messages.success(request, f"Welcome to Forge, {user.username}.")
            return redirect_next(request, "/")
    return render(request, "accounts/signup.html", {"form": form})


class SignInView(LoginView):
    """Sign in; after too many failures, a form error with the wait and a 429."""

    form_class = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.retry_after:
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """Show the account and its API tokens; create a token (shown once)."""
    form = ApiTokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ApplicationError as exc:
            form.add_error("name", exc.message)
        else:
            request.session[_NEW_TOKEN_SESSION_KEY] = {"name": token.name, "token": raw}
            return redirect("account")
    new_token = request.session.pop(_NEW_TOKEN_SESSION_KEY, None)
    return render(
        request,
        "accounts/account.html",
        {"form": form, "tokens": api_token_list(user=request.user), "new_token": new_token},
    )


@login_required
@require_POST
def account_token_revoke(request: HttpRequest, token_id) -> HttpResponse:
    """Revoke one of the signed-in user's tokens."""
    try:
        token = api_token_revoke(user=request.user, token_id=token_id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("account")


@csrf_exempt
def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Answer any unknown /api/ URL with an enveloped 404 (whatever the method or credentials)."""
    return envelope.error_response(
        request, ErrorCode.NOT_FOUND, f"No API endpoint at {request.path}."
    )


def _html_or_api(request, exception, *, code: ErrorCode, message: str, template: str, status: int):
    if envelope.is_api_request(request):
        return envelope.error_response(request, code, message)
    return render(request, template, {"message": message, "status": status}, status=status)


def handler400(request, exception=None):
    return _html_or_api(
        request,
        exception,
        code=ErrorCode.VALIDATION_FAILED,
        message="Bad request.",
        template="errors/http_error.html",
        status=400,
    )


def handler403(request, exception=None):
    return _html_or_api(
        request,
        exception,
        code=ErrorCode.PERMISSION_DENIED,
        message="Permission denied.",
        template="errors/http_error.html",
        status=403,
    )


def handler404(request, exception=None):
    return _html_or_api(
        request,
        exception,
        code=ErrorCode.NOT_FOUND,
        message="Not found.",
        template="errors/http_error.html",
        status=404,
    )


def handler500(request):
    if envelope.is_api_request(request):
        return envelope.error_response(
            request, ErrorCode.INTERNAL_ERROR, envelope.internal_error_message(request)
        )
    return render(
        request,
        "errors/http_error.html",
        {"message": envelope.internal_error_message(request), "status": 500},
        status=500,
    )


def csrf_failure(request, reason: str = ""):
    """Explain a CSRF failure, enveloped under /api/."""
    return _html_or_api(
        request,
        None,
        code=ErrorCode.CSRF_FAILED,
        message="CSRF verification failed; reload the page and try again.",
        template="errors/http_error.html",
        status=403,
    )


def home(request: HttpRequest) -> HttpResponse:
    """A landing page until the gallery takes over `/`."""
    return render(request, "forge/home.html")

"""Server-rendered export pages: history, the asset page's dialog (htmx), batch export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from assets.exports.forms import ExportForm
from assets.exports.selectors import (
    export_error_for_user,
    export_estimate,
    export_get_for_user,
    export_list,
    export_preset_get_for_user,
    export_preset_list,
)
from assets.exports.services import export_cancel, export_create, export_retry
from assets.models import Asset
from forge.exceptions import ApplicationError, NotFoundError
from forge.parsers import unsafe_text_message
from forge.redirects import redirect_next
from pipelines.stages.export import FORMATS

LIST_LIMIT = 100


def _job(request: HttpRequest, export_id):
    try:
        return export_get_for_user(user=request.user, export_id=export_id)
    except NotFoundError as exc:
        raise Http404("No such export.") from exc


def _status(request: HttpRequest, job, *, status: int = 200) -> HttpResponse:
    return render(
        request,
        "assets/partials/_export_status.html",
        {"job": job, "error": export_error_for_user(job)},
        status=status,
    )


def _form_errors(form: ExportForm) -> str:
    return " ".join(e for errors in form.errors.values() for e in errors)


def _form_settings(request: HttpRequest, form: ExportForm) -> dict:
    data = form.cleaned_data
    preset = None
    if data.get("preset") is not None:
        preset = export_preset_get_for_user(user=request.user, preset_id=data["preset"])
    return {
        "assets": data["assets"],
        "format": data.get("format") or None,
        "quality": data.get("quality") or None,
        "texture_size": data.get("texture_size") or None,
        "variants": data.get("variants") or [],
        "preset": preset,
    }


@login_required
def export_list_view(request: HttpRequest) -> HttpResponse:
    """The signed-in user's exports, newest first, with re-download, cancel and retry."""
    jobs = list(export_list(user=request.user)[:LIST_LIMIT])
    rows = [(job, export_error_for_user(job)) for job in jobs]
    return render(request, "assets/export_list.html", {"rows": rows})


@login_required
@require_POST
def export_create_view(request: HttpRequest) -> HttpResponse:
    """Start an export from the dialog or the batch page; htmx gets the live status block."""
    form = ExportForm(request.POST)
    error = None
    if form.is_valid():
        try:
            job, _ = export_create(
                user=request.user, request_id=request.request_id, **_form_settings(request, form)
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            if request.htmx:
                return _status(request, job, status=202)
            messages.success(request, "Export started; it appears below when ready.")
            return redirect("exports:list")
    else:
        error = _form_errors(form)
    if request.htmx:
        # 200 so htmx swaps the message in place of the dialog's result area.
        return render(request, "assets/partials/_export_error.html", {"message": error})
    messages.error(request, error)
    return redirect_next(request, reverse("exports:list"))


@login_required
@require_POST
def export_estimate_view(request: HttpRequest) -> HttpResponse:
    """The dialog's estimate: triangles and file size before exporting (htmx fragment)."""
    form = ExportForm(request.POST)
    estimate, error = None, None
    if form.is_valid():
        try:
            settings = _form_settings(request, form)
            preset = settings["preset"]
            estimate = export_estimate(
                user=request.user,
                assets=settings["assets"],
                format=settings["format"] or preset.format,
                quality=settings["quality"] or (preset.quality if preset else "full"),
                texture_size=settings["texture_size"]
                or (preset.texture_size if preset else "original"),
            )
        except ApplicationError as exc:
            error = exc.message
    else:
        error = _form_errors(form)
    return render(
        request, "assets/partials/_export_estimate.html", {"estimate": estimate, "error": error}
    )


@login_required
def export_status_view(request: HttpRequest, export_id) -> HttpResponse:
    """One export's status block (the live script swaps it in when the run ends)."""
    return _status(request, _job(request, export_id))


@login_required
@require_POST
def export_cancel_view(request: HttpRequest, export_id) -> HttpResponse:
    job = _job(request, export_id)
    try:
        export_cancel(job=job)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Export canceled.")
    return redirect("exports:list")


@login_required
@require_POST
def export_retry_view(request: HttpRequest, export_id) -> HttpResponse:
    job = _job(request, export_id)
    try:
        export_retry(job=job)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Export queued again.")
    return redirect("exports:list")


@login_required
def export_batch_view(request: HttpRequest) -> HttpResponse:
    """Pick up to 50 of your own ready assets (the gallery's "Only my assets") and export them."""
    assets = (
        Asset.objects.filter(owner=request.user, status="ready")
        .defer("search_vector")
        .order_by("-created_at")
    )
    query = request.GET.get("q", "").strip()
    error = unsafe_text_message(query)  # PostgreSQL text cannot hold a NUL
    if error:
        query = ""
    if query:
        assets = assets.filter(name__icontains=query)
    return render(
        request,
        "assets/export_batch.html",
        {
            "assets": assets[:200],
            "formats": FORMATS.values(),
            "presets": export_preset_list(user=request.user),
            "query": query,
            "error": error,
        },
        status=400 if error else 200,
    )

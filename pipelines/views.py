"""Server-rendered pipeline pages; live updates re-render the status partials from events."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from forge.exceptions import ApplicationError, NotFoundError, ValidationFailedError
from pipelines.api.serializers import pipeline_websocket_url
from pipelines.forms import PipelineCreateForm
from pipelines.selectors import (
    generation_preferences_get,
    pipeline_get_for_user,
    pipeline_list,
)
from pipelines.services import pipeline_cancel, pipeline_create, pipeline_retry

LIST_LIMIT = 100


def _get(request: HttpRequest, pipeline_id):
    try:
        return pipeline_get_for_user(user=request.user, pipeline_id=pipeline_id)
    except NotFoundError:
        raise Http404("Pipeline not found.") from None


@login_required
def pipeline_new(request: HttpRequest) -> HttpResponse:
    """Show the generation form; start a pipeline and go to its page."""
    form = PipelineCreateForm(
        request.POST or None, preferences=generation_preferences_get(user=request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            pipeline, _ = pipeline_create(
                user=request.user,
                config=form.config(),
                request_id=request.request_id,
            )
        except ValidationFailedError as exc:
            details = exc.details if isinstance(exc.details, dict) else {}
            for field, errors in details.items():
                target = field if field in form.fields else None
                for error in errors if isinstance(errors, list) else [errors]:
                    form.add_error(target, str(error))
            if not details:
                form.add_error(None, exc.message)
        else:
            return redirect("pipelines:detail", pipeline_id=pipeline.id)
    return render(request, "pipelines/pipeline_new.html", {"form": form})


@login_required
def pipeline_list_view(request: HttpRequest) -> HttpResponse:
    """List the user's pipelines, newest first, with their progress."""
    status = request.GET.get("status") or None
    try:
        pipelines = list(pipeline_list(user=request.user, status=status)[:LIST_LIMIT])
    except ValidationFailedError:
        pipelines, status = list(pipeline_list(user=request.user)[:LIST_LIMIT]), None
    return render(
        request,
        "pipelines/pipeline_list.html",
        {"pipelines": pipelines, "status": status, "limit": LIST_LIMIT},
    )


@login_required
def pipeline_detail(request: HttpRequest, pipeline_id) -> HttpResponse:
    """Show one pipeline: its stages, progress, error and finished asset."""
    pipeline = _get(request, pipeline_id)
    return render(
        request,
        "pipelines/pipeline_detail.html",
        {"pipeline": pipeline, "websocket_url": pipeline_websocket_url(pipeline)},
    )


@login_required
def pipeline_status_partial(request: HttpRequest, pipeline_id) -> HttpResponse:
    """Render just the status block of one pipeline (for live re-rendering after an event)."""
    pipeline = _get(request, pipeline_id)
    return render(request, "pipelines/partials/_pipeline_status.html", {"pipeline": pipeline})


@login_required
@require_POST
def pipeline_cancel_view(request: HttpRequest, pipeline_id) -> HttpResponse:
    """Cancel a pipeline from its page."""
    pipeline = _get(request, pipeline_id)
    try:
        pipeline_cancel(pipeline=pipeline)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Cancel requested.")
    return redirect("pipelines:detail", pipeline_id=pipeline.id)


@login_required
@require_POST
def pipeline_retry_view(request: HttpRequest, pipeline_id) -> HttpResponse:
    """Retry a failed pipeline from its page."""
    pipeline = _get(request, pipeline_id)
    try:
        pipeline_retry(pipeline=pipeline)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Retrying from the stage that failed.")
    return redirect("pipelines:detail", pipeline_id=pipeline.id)

"""The gallery UI: the grid (full page or htmx partial), detail, upload, edit, delete, variants."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from assets.forms import AssetEditForm, AssetUploadForm, AssetVariantAddForm, GalleryFilterForm
from assets.models import AssetVisibility
from assets.selectors import (
    asset_can_change,
    asset_can_delete,
    asset_gallery,
    asset_get_for_user,
    asset_visibility_held,
    material_preset_list_unused,
)
from assets.services import asset_delete, asset_update, asset_upload, asset_variant_add
from forge.exceptions import ApplicationError, NotFoundError


def _get_asset(request: HttpRequest, asset_id) -> object:
    try:
        return asset_get_for_user(asset_id=asset_id, user=request.user)
    except NotFoundError as exc:
        raise Http404("No such asset.") from exc


def _get_own_asset(request: HttpRequest, asset_id) -> object:
    """The asset, if the user may change it; what is not yours is missing, as in the API."""
    asset = _get_asset(request, asset_id)
    if not asset_can_change(asset=asset, user=request.user):
        raise Http404("No such asset.")
    return asset


def asset_list(request: HttpRequest) -> HttpResponse:
    """Show the gallery; an htmx request gets only the results grid."""
    form = GalleryFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    params = form.gallery_params()
    mine = params.pop("mine") and request.user.is_authenticated
    result = None
    missing_page = False
    try:
        result = asset_gallery(user=request.user, mine=mine, **params)
    except NotFoundError:
        missing_page = True
    filtered = any(params[k] for k in ("q", "kind", "art_style", "tag", "status", "visibility"))
    context = {
        "form": form,
        "page": result,
        "missing_page": missing_page,
        "filtered": filtered or mine,
        "query": request.GET,
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "assets/partials/_grid.html" if partial else "assets/asset_list.html"
    response = render(request, template, context, status=404 if missing_page else 200)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _detail_response(
    request: HttpRequest, asset, *, variant_form=None, status: int = 200
) -> HttpResponse:
    variants = list(asset.variants.all())
    selected = None
    wanted = request.GET.get("variant")
    if wanted:
        selected = next((v for v in variants if str(v.id) == wanted and v.model_file), None)
    stats = getattr(asset, "variant_statistics", None)
    can_change = asset_can_change(asset=asset, user=request.user)
    if can_change and variant_form is None:
        variant_form = AssetVariantAddForm(presets=material_preset_list_unused(asset=asset))
    params = asset.generation_params or {}
    # Variants the asset's own GLB carries (KHR_materials_variants), by the preset name shown.
    in_model = set(params.get("variant_names") or [])
    for variant in variants:
        variant.in_model = variant.preset.name in in_model
    return render(
        request,
        "assets/asset_detail.html",
        {
            "asset": asset,
            "variants": variants,
            "selected": selected,
            "selected_in_model": selected is not None and selected.in_model,
            "approximate": bool(params.get("approximate")),
            "approximate_reason": params.get("approximate_reason", ""),
            "suggestions": params.get("suggestions") or [],
            "visibility_held": asset_visibility_held(asset=asset),
            "stats": stats,
            "can_change": can_change,
            "can_delete": asset_can_delete(asset=asset, user=request.user),
            "variant_form": variant_form if can_change else None,
        },
        status=status,
    )


def asset_detail(request: HttpRequest, asset_id) -> HttpResponse:
    """Show an asset in the 3D viewer with its variants, facts and statistics."""
    return _detail_response(request, _get_asset(request, asset_id))


@login_required
@require_POST
def asset_variant_add_view(request: HttpRequest, asset_id) -> HttpResponse:
    """Let the owner add a variant in a material preset; errors show on the asset page."""
    asset = _get_own_asset(request, asset_id)
    form = AssetVariantAddForm(request.POST, presets=material_preset_list_unused(asset=asset))
    if form.is_valid():
        preset = form.cleaned_data["preset"]
        try:
            variant = asset_variant_add(asset=asset, actor=request.user, preset=preset)
        except ApplicationError as exc:
            form.add_error("preset", exc.message)
        else:
            messages.success(request, f"The {preset.name} variant is ready.")
            url = reverse("assets:detail", kwargs={"asset_id": asset.id})
            return redirect(f"{url}?variant={variant.id}")
    asset = _get_asset(request, asset_id)  # fresh variants and statistics
    return _detail_response(request, asset, variant_form=form, status=400)


@login_required
def asset_upload_view(request: HttpRequest) -> HttpResponse:
    """Upload a GLB; errors name what is wrong and nothing is kept."""
    form = AssetUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = {k: v for k, v in form.cleaned_data.items() if k != "file"}
            asset = asset_upload(owner=request.user, glb=form.glb, **data)
        except ApplicationError as exc:
            details = exc.details if isinstance(exc.details, dict) else {}
            field = next((k for k in details if k in form.fields), "file")
            form.add_error(field, exc.message)
        else:
            messages.success(request, f"“{asset.name}” is uploaded.")
            return redirect("assets:detail", asset_id=asset.id)
    status = 400 if form.errors else 200
    return render(request, "assets/asset_upload.html", {"form": form}, status=status)


@login_required
def asset_edit(request: HttpRequest, asset_id) -> HttpResponse:
    """Let the owner change the name, description, tags and visibility."""
    asset = _get_own_asset(request, asset_id)
    initial = {
        "name": asset.name,
        "description": asset.description,
        "tags": asset.tags,
        "visibility": asset.visibility,
    }
    form = AssetEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            asset_update(asset=asset, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Saved.")
            return redirect("assets:detail", asset_id=asset.id)
    status = 400 if form.errors else 200
    return render(request, "assets/asset_edit.html", {"form": form, "asset": asset}, status=status)


@login_required
def asset_delete_view(request: HttpRequest, asset_id) -> HttpResponse:
    """Ask to confirm, then delete the asset (owner or staff)."""
    asset = _get_asset(request, asset_id)
    if not asset_can_delete(asset=asset, user=request.user):
        raise Http404("No such asset.")
    if request.method == "POST":
        asset_delete(asset=asset, actor=request.user)
        messages.success(request, f"“{asset.name}” is deleted.")
        return redirect("/?mine=on")
    return render(request, "assets/asset_confirm_delete.html", {"asset": asset})


@login_required
@require_POST
def asset_publish_view(request: HttpRequest, asset_id) -> HttpResponse:
    """Publish an asset kept private because it only approximates its prompt (owner only)."""
    asset = _get_own_asset(request, asset_id)
    try:
        asset_update(asset=asset, actor=request.user, visibility=AssetVisibility.PUBLIC)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"“{asset.name}” is public now.")
    return redirect("assets:detail", asset_id=asset.id)

"""The character editor: list, new, edit (live draft preview), retarget, piece thumbnails."""

import functools
import time
from urllib.parse import urlencode

import structlog
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assets.character_forms import CharacterForm, CharacterRetargetForm, form_initial
from assets.character_selectors import (
    armor_assets_for_user,
    armor_meshes,
    character_clips,
    character_list_for_user,
)
from assets.character_selectors import character_get_for_user as _character_get
from assets.character_services import (
    character_build_start,
    character_clip_borrow,
    character_create,
    character_update,
)
from assets.models import CharacterConfiguration, MaterialPreset
from forge.exceptions import ApplicationError, NotFoundError
from pipelines.stages.character.armor import ARMOR_SLOTS
from pipelines.stages.character.build import BorrowedClip, character_build, clip_names

log = structlog.get_logger(__name__)
GLB_TYPE = "model/gltf-binary"
# What the preview's URL carries: the form's configuration fields (not the name or token).
NOT_PREVIEWED = {"csrfmiddlewaretoken", "name", "visibility", "presets", "play"}


def character_get_for_user(*, user, character_id) -> CharacterConfiguration:
    """Return the user's character, or a 404 page for anyone else's."""
    try:
        return _character_get(user=user, character_id=character_id)
    except NotFoundError as exc:
        raise Http404("No such character.") from exc


def _form(request, data=None, *, initial=None, character=None) -> CharacterForm:
    clips = character_clips(character) if character else []
    return CharacterForm(
        data,
        initial=initial,
        armor_assets=armor_assets_for_user(user=request.user),
        presets=MaterialPreset.objects.filter(is_active=True).order_by("name"),
        clip_choices=[c["name"] for c in clips],
    )


def _play_choices(data: dict | None, character=None) -> list[str]:
    """Return the clips the preview can play: the configuration's own, then borrowed ones."""
    names = clip_names(data) if data else []
    if character is not None and (data or {}).get("species", "humanoid") == "humanoid":
        names += [b["name"] for b in character.data.get("borrowed_clips", [])]
    return names


def _preview_query(form_data, character=None) -> str:
    pairs = [(k, v) for k in form_data for v in form_data.getlist(k) if k not in NOT_PREVIEWED]
    if character is not None:
        # The version keeps a cached preview from outliving a retargeted clip.
        pairs += [("character", str(character.id)), ("v", str(character.version))]
    return urlencode(pairs)


def _initial_query(form: CharacterForm, character=None) -> str:
    pairs = []
    for name, _field in form.fields.items():
        if name in NOT_PREVIEWED:
            continue
        value = form[name].value()
        for v in value if isinstance(value, list | tuple) else [value]:
            if v not in (None, ""):
                pairs.append((name, v))
    if character is not None:
        # The version keeps a cached preview from outliving a retargeted clip.
        pairs += [("character", str(character.id)), ("v", str(character.version))]
    return urlencode(pairs)


def _editor(request, form, *, character=None, status=200):
    query = (
        _preview_query(request.POST, character)
        if form.is_bound
        else _initial_query(form, character)
    )
    if form.is_bound:
        data = getattr(form, "cleaned_configuration", None)
    elif character is not None:
        data = character.data
    else:
        data = {"species": "humanoid", "held": [], "clips": form.initial.get("clips", [])}
    play_choices = _play_choices(data, character)
    play = request.GET.get("play") or (form["play"].value() if form.is_bound else "") or "idle"
    if play_choices and play not in play_choices:
        play = play_choices[0]
    others = (
        character_list_for_user(user=request.user).exclude(pk=character.pk).filter(
            data__species="humanoid")
        if character else []
    )  # fmt: skip
    context = {
        "form": form,
        "character": character,
        "preview_query": query,
        "play": play,
        "play_choices": play_choices,
        "clips": character_clips(character) if character else [],
        "slots": ARMOR_SLOTS,
        "others": others,
        "retarget_form": CharacterRetargetForm(),
    }
    return render(request, "characters/character_form.html", context, status=status)


@login_required
@require_GET
def character_list(request):
    """Show the user's characters."""
    return render(request, "characters/character_list.html",
                  {"characters": character_list_for_user(user=request.user)})  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def character_new(request):
    """Create a character; saving runs the full build."""
    if request.method == "GET":
        return _editor(request, _form(request, initial={"clips": ["idle", "walk", "wave", "grip"]}))
    form = _form(request, request.POST)
    if not form.is_valid():
        return _editor(request, form, status=400)
    try:
        character = character_create(
            owner=request.user, name=form.cleaned_data["name"],
            visibility=form.cleaned_data["visibility"], data=form.cleaned_configuration,
        )  # fmt: skip
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _editor(request, form, status=400)
    return _saved(request, character)


def _saved(request, character: CharacterConfiguration):
    started = character_build_start(character=character)
    if started.cached:
        messages.success(request, "Saved. Nothing changed since the last build.")
    else:
        messages.success(
            request, "Saved. The full build is running; it joins the gallery when done."
        )
    url = f"/characters/{character.id}/"
    if started.pipeline is not None:
        url += f"?pipeline={started.pipeline.id}"
    return redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def character_detail(request, character_id):
    """Edit a character: the form, its live preview, its clips and retargeting."""
    character = character_get_for_user(user=request.user, character_id=character_id)
    if request.method == "GET":
        form = _form(request, initial=form_initial(character), character=character)
        return _editor(request, form, character=character)
    form = _form(request, request.POST, character=character)
    if not form.is_valid():
        return _editor(request, form, character=character, status=400)
    data = form.configuration(character.data.get("borrowed_clips"))
    try:
        character = character_update(
            character=character, name=form.cleaned_data["name"],
            visibility=form.cleaned_data["visibility"], data=data,
        )  # fmt: skip
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _editor(request, form, character=character, status=400)
    return _saved(request, character)


@login_required
@require_POST
def character_retarget(request, character_id):
    """Borrow a clip from another of the user's characters, then play it."""
    character = character_get_for_user(user=request.user, character_id=character_id)
    form = CharacterRetargetForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of your characters and a clip.")
        return redirect(f"/characters/{character.id}/")
    source = character_get_for_user(user=request.user, character_id=form.cleaned_data["source"])
    try:
        character = character_clip_borrow(character=character, source=source,
                                          clip=form.cleaned_data["clip"])  # fmt: skip
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(f"/characters/{character.id}/")
    name = character.data["borrowed_clips"][-1]["name"]
    messages.success(request, f"Clip “{name}” retargeted from {source.name}.")
    return redirect(f"/characters/{character.id}/?play={name}")


def _preview_form(request):
    character = None
    if request.GET.get("character"):
        character = character_get_for_user(user=request.user, character_id=request.GET["character"])
    data = request.GET.copy()
    blank = _form(request)
    # A value the query leaves out takes the editor's starting value.
    for name, field in blank.fields.items():
        initial = blank.get_initial_for_field(field, name)
        if name not in data and initial not in (None, "", []):
            data.setlistdefault(name, list(initial) if isinstance(initial, list) else [initial])
    data.setdefault("name", "preview")
    return _form(request, data, character=character), character


@login_required
@require_GET
def character_preview_panel(request):
    """Return the preview panel (htmx): a model-viewer on the draft GLB of the form's values."""
    form, character = _preview_form(request)
    if not form.is_valid():
        # A form error shown in place of the preview (htmx swaps only 2xx answers).
        return render(request, "characters/partials/_preview.html",
                      {"errors": form.errors, "play": ""})  # fmt: skip
    query = urlencode([(k, v) for k in request.GET for v in request.GET.getlist(k)
                       if k not in NOT_PREVIEWED])  # fmt: skip
    choices = _play_choices(form.cleaned_configuration, character)
    play = form.cleaned_data.get("play") or "idle"
    if choices and play not in choices:
        play = choices[0]
    context = {"preview_query": query, "play": play, "play_choices": choices, "oob": True}
    return render(request, "characters/partials/_preview.html", context)


@login_required
@require_GET
def character_preview(request):
    """Return the draft GLB of the configuration in the query (built in-process, ~0.1 s)."""
    started = time.perf_counter()
    form, character = _preview_form(request)
    if not form.is_valid():
        return HttpResponseBadRequest("Invalid character configuration.", content_type="text/plain")
    data = form.cleaned_configuration
    borrowed = []
    if character is not None and data["species"] == "humanoid":
        sources = {str(c.pk): c.data for c in character_list_for_user(user=request.user)}
        borrowed = [BorrowedClip(b["name"], sources[b["source"]], b["clip"])
                    for b in character.data.get("borrowed_clips", [])
                    if b["source"] in sources]  # fmt: skip
    try:
        gallery = armor_meshes(user=request.user, gallery_armor=data["gallery_armor"])
    except NotFoundError as exc:
        raise Http404(str(exc)) from exc
    built = character_build(data, draft=True, gallery=gallery, borrowed=borrowed)
    response = HttpResponse(built.glb, content_type=GLB_TYPE)
    response["Cache-Control"] = "private, max-age=600"
    log.info("character_preview_built", ms=round((time.perf_counter() - started) * 1000, 1))
    return response


@functools.lru_cache(maxsize=len(ARMOR_SLOTS))
def _piece_png(slot: str) -> bytes:
    from assets.thumbnails import thumbnail_render
    from pipelines.stages.character.armor import fit_armor
    from pipelines.stages.character.body import humanoid_body
    from pipelines.stages.character.gltf import (
        ARRAY_BUFFER,
        ELEMENT_ARRAY_BUFFER,
        FLOAT,
        GltfWriter,
    )
    from pipelines.stages.character.skeleton import humanoid_skeleton

    skeleton = humanoid_skeleton()
    segments: dict = {}
    body = humanoid_body(skeleton, detail="draft", segments=segments)
    pieces = fit_armor(skeleton, body, [slot], segments=segments)
    w = GltfWriter()
    primitives = []
    for item in pieces:
        p = item.piece.with_normals()
        primitives.append({
            "attributes": {
                "POSITION": w.accessor(p.positions, "VEC3", FLOAT, target=ARRAY_BUFFER, minmax=True),
                "NORMAL": w.accessor(p.normals, "VEC3", FLOAT, target=ARRAY_BUFFER),
            },
            "indices": w.accessor(p.indices.reshape(-1), "SCALAR", 5125, target=ELEMENT_ARRAY_BUFFER),
            "material": 0,
        })  # fmt: skip
    w.doc["materials"] = [{"pbrMetallicRoughness": {"baseColorFactor": [0.6, 0.62, 0.66, 1],
                                                    "metallicFactor": 0.6, "roughnessFactor": 0.4},
                           "doubleSided": True}]  # fmt: skip
    w.doc["meshes"] = [{"primitives": primitives}]
    w.doc["nodes"] = [{"mesh": 0}]
    w.doc["scenes"] = [{"nodes": [0]}]
    w.doc["scene"] = 0
    return thumbnail_render(w.glb(), size=128)


@require_GET
def character_piece_thumbnail(request, slot: str):
    """Return the thumbnail (PNG) of a generated armor piece, as the editor's pickers show it."""
    if slot not in ARMOR_SLOTS:
        return HttpResponse(status=404)
    response = HttpResponse(_piece_png(slot), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response

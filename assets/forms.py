"""Forms of the gallery UI: filters (GET), upload, owner edit."""

from django import forms
from django.conf import settings

from assets.gallery import SORTS
from assets.glb import glb_inspect
from assets.models import (
    AssetArtStyle,
    AssetKind,
    AssetStatus,
    AssetVisibility,
    MaterialPreset,
)
from assets.services import tags_normalize, upload_limit_check
from forge.exceptions import ApplicationError

SORT_LABELS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "name": "Name (A–Z)",
    "triangles": "Fewest triangles",
    "-triangles": "Most triangles",
}


VISIBILITY_HELP = (
    "Private (the default): only you see it. Unlisted: anyone with the link. "
    "Public: everyone, in the gallery."
)


def visibility_field(**kwargs) -> forms.ChoiceField:
    """Return the visibility choice every asset form uses: private first and by default."""
    return forms.ChoiceField(
        choices=AssetVisibility.choices,
        initial=AssetVisibility.PRIVATE,
        help_text=VISIBILITY_HELP,
        **kwargs,
    )


def _any(choices) -> list[tuple[str, str]]:
    return [("", "Any"), *choices]


class GalleryFilterForm(forms.Form):
    """The gallery's search, filters, sort and page; every field is optional."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Search name, tags, description…"}
        ),
    )
    kind = forms.ChoiceField(label="Kind", required=False, choices=_any(AssetKind.choices))
    art_style = forms.ChoiceField(
        label="Style", required=False, choices=_any(AssetArtStyle.choices)
    )
    tag = forms.CharField(label="Tag", required=False, max_length=40)
    sort = forms.ChoiceField(
        label="Sort", required=False, choices=[(s, SORT_LABELS[s]) for s in SORTS]
    )
    mine = forms.BooleanField(label="Only my assets", required=False)
    status = forms.ChoiceField(label="Status", required=False, choices=_any(AssetStatus.choices))
    visibility = forms.ChoiceField(
        label="Visibility", required=False, choices=_any(AssetVisibility.choices)
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    page_size = forms.IntegerField(
        required=False, min_value=1, max_value=100, widget=forms.HiddenInput
    )

    def clean_tag(self):
        return " ".join(self.cleaned_data["tag"].strip().lower().split())

    def gallery_params(self) -> dict:
        """Return the selector arguments; invalid fields fall back to their defaults."""
        data = self.cleaned_data if self.is_bound else {}
        return {
            "q": data.get("q") or "",
            "kind": data.get("kind") or "",
            "art_style": data.get("art_style") or "",
            "tag": data.get("tag") or "",
            "sort": data.get("sort") or "newest",
            "mine": bool(data.get("mine")),
            "status": data.get("status") or "",
            "visibility": data.get("visibility") or "",
            "page": data.get("page") or 1,
            "page_size": data.get("page_size") or settings.FORGE_GALLERY_PAGE_SIZE,
        }


class TagsFormField(forms.CharField):
    """Tags typed as a comma-separated list."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def clean(self, value):
        value = super().clean(value)
        try:
            return tags_normalize([part for part in (value or "").split(",")])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc


class AssetUploadForm(forms.Form):
    """Upload a GLB: the file and the fields are checked in the same round.

    After a valid submission `glb` holds the file's bytes.
    """

    KEEP_FILE_NOTE = "This file is fine, but a browser cannot keep it: choose it again."

    file = forms.FileField(
        label="GLB file",
        help_text="A binary glTF 2.0 (.glb) file with at least one mesh, up to "
        f"{settings.FORGE_UPLOAD_MAX_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".glb,model/gltf-binary"}),
    )
    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea, required=False, max_length=5000)
    kind = forms.ChoiceField(choices=AssetKind.choices, initial=AssetKind.PROP)
    art_style = forms.ChoiceField(
        label="Art style", choices=AssetArtStyle.choices, initial=AssetArtStyle.STYLIZED
    )
    tags = TagsFormField(required=False, help_text="Comma-separated, e.g. “crate, wood”.")
    visibility = visibility_field()

    glb: bytes = b""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            upload_limit_check(size=upload.size)  # before reading it into memory
            data = upload.read()
            glb_inspect(data, max_size=settings.FORGE_UPLOAD_MAX_BYTES)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc
        self.glb = data
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.errors and "file" not in self.errors:
            self.add_error("file", self.KEEP_FILE_NOTE)
        return cleaned


class AssetEditForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea, required=False, max_length=5000)
    tags = TagsFormField(required=False, help_text="Comma-separated.")
    visibility = visibility_field()


class AssetVariantAddForm(forms.Form):
    """Choose a material preset the asset has no variant in yet."""

    preset = forms.ModelChoiceField(
        label="Material preset",
        queryset=MaterialPreset.objects.none(),
        to_field_name="slug",
        empty_label="Choose a preset…",
        help_text="A recoloured copy of the model, with its own thumbnail, in the switcher.",
        error_messages={
            "required": "Choose a material preset.",
            "invalid_choice": "Choose one of the listed presets; this asset has no variant in "
            "them yet.",
        },
    )

    def __init__(self, *args, presets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset"].queryset = presets

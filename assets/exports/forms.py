"""The export dialog's form: shape only; the service checks what needs the database."""

import uuid

from django import forms
from django.core.validators import slug_re

from assets.exports.models import FORMAT_CHOICES, ExportQuality, ExportTextureSize
from pipelines.kinds.export import BATCH_MAX


class ExportForm(forms.Form):
    assets = forms.TypedMultipleChoiceField(
        choices=(), coerce=str, error_messages={"required": "Choose at least one asset."}
    )
    preset = forms.IntegerField(required=False, widget=forms.HiddenInput)
    format = forms.ChoiceField(choices=[("", "—"), *FORMAT_CHOICES], required=False)
    quality = forms.ChoiceField(choices=[("", "—"), *ExportQuality.choices], required=False)
    texture_size = forms.ChoiceField(
        choices=[("", "—"), *ExportTextureSize.choices], required=False
    )
    variants = forms.MultipleChoiceField(choices=(), required=False)

    def __init__(self, *args, asset_ids=(), variant_slugs=(), **kwargs):
        super().__init__(*args, **kwargs)
        data = args[0] if args else kwargs.get("data")
        ids = list(asset_ids) or (data.getlist("assets") if data is not None else [])
        slugs = list(variant_slugs) or (data.getlist("variants") if data is not None else [])
        self.fields["assets"].choices = [(i, i) for i in ids]
        self.fields["variants"].choices = [(s, s) for s in slugs]

    def clean_assets(self):
        assets = self.cleaned_data["assets"]
        if len(assets) > BATCH_MAX:
            raise forms.ValidationError(f"Choose at most {BATCH_MAX} assets for one export.")
        try:
            return [str(uuid.UUID(a)) for a in assets]
        except ValueError:
            # Never echoed: the value may hold anything (a NUL, a megabyte).
            raise forms.ValidationError("No such asset.") from None

    def clean_variants(self):
        variants = self.cleaned_data["variants"]
        # Whether the asset has these variants needs the database: the service checks it.
        if not all(slug_re.match(slug) for slug in variants):
            raise forms.ValidationError("This asset has no such variant; choose another.")
        return variants

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("format") and cleaned.get("preset") is None:
            raise forms.ValidationError("Choose a format or a preset.")
        return cleaned

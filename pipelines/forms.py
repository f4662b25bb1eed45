"""The generation form: renders the config fields; the config's rules live in one place.

The form only turns HTML input into a config (a number from text, a list from checkboxes);
every rule (required fields, lengths, choices, seed range, active presets, defaults) is
applied by `pipeline_create` through the generation kind's validator, and the view shows its
errors on these fields.
"""

from django import forms

from assets.forms import visibility_field
from assets.models import AssetArtStyle, AssetKind, MaterialPreset
from pipelines.api.serializers import MAX_PRESETS, PROMPT_MAX, PROMPT_MIN
from pipelines.models import PipelineQuality


class PipelineCreateForm(forms.Form):
    prompt = forms.CharField(
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "e.g. an ornate golden sword", "maxlength": PROMPT_MAX}
        ),
        help_text=f"Describe one object, {PROMPT_MIN}–{PROMPT_MAX} characters.",
    )
    negative_prompt = forms.CharField(required=False, help_text="Optional: what to avoid.")
    kind = forms.ChoiceField(required=False, choices=AssetKind.choices, initial=AssetKind.PROP)
    art_style = forms.ChoiceField(
        required=False, choices=AssetArtStyle.choices, initial=AssetArtStyle.REALISTIC
    )
    quality = forms.ChoiceField(
        required=False,
        choices=PipelineQuality.choices,
        initial=PipelineQuality.STANDARD,
        widget=forms.RadioSelect,
        help_text="Draft is fastest; high has the most detail.",
    )
    presets = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=f"Up to {MAX_PRESETS} material variants.",
    )
    seed = forms.IntegerField(
        required=False, help_text="Optional: the same prompt and seed give the same model."
    )
    visibility = visibility_field(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.preset_objects = list(MaterialPreset.objects.filter(is_active=True))
        self.fields["presets"].choices = [(p.slug, p.name) for p in self.preset_objects]

    def config(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("seed") is None:
            data.pop("seed", None)
        return data

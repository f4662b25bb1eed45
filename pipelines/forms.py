from django import forms

from assets.models import AssetArtStyle, AssetKind, AssetVisibility, MaterialPreset
from pipelines.models import PipelineQuality


class PipelineCreateForm(forms.Form):
    prompt = forms.CharField(
        min_length=3,
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "e.g. an ornate golden sword"}),
        help_text="Describe one object, 3–600 characters.",
    )
    negative_prompt = forms.CharField(
        required=False, max_length=600, help_text="Optional: what to avoid."
    )
    kind = forms.ChoiceField(choices=AssetKind.choices, initial=AssetKind.PROP)
    art_style = forms.ChoiceField(choices=AssetArtStyle.choices, initial=AssetArtStyle.REALISTIC)
    quality = forms.ChoiceField(
        choices=PipelineQuality.choices,
        initial=PipelineQuality.STANDARD,
        widget=forms.RadioSelect,
        help_text="Draft is fastest; high has the most detail.",
    )
    presets = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Up to 8 material variants.",
    )
    seed = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        help_text="Optional: the same prompt and seed give the same model.",
    )
    visibility = forms.ChoiceField(choices=AssetVisibility.choices, initial=AssetVisibility.PRIVATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.preset_objects = list(MaterialPreset.objects.filter(is_active=True))
        self.fields["presets"].choices = [(p.slug, p.name) for p in self.preset_objects]

    def config(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("seed") is None:
            data.pop("seed", None)
        return data

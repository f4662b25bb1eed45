"""The character editor's form: sliders and pickers that become a configuration."""

from typing import Any

from django import forms

from assets.api.character_serializers import (
    BODY_LIMITS,
    COLOUR_KEYS,
    DEFAULT_COLOURS,
    HELD,
    WORN_SLOTS,
    character_data_clean,
)
from assets.models import AssetVisibility
from forge.exceptions import ValidationFailedError
from pipelines.stages.character.clips import HUMANOID_CLIPS

SLOT_LABELS = {
    "helmet": "Helmet", "breastplate": "Breastplate", "pauldrons": "Pauldrons",
    "gauntlets": "Gauntlets", "greaves": "Greaves", "shield": "Shield on the arm",
    "weapon": "Sword in the hand",
}  # fmt: skip
BODY_LABELS = {"height": "Height (m)", "build": "Build", "head_size": "Head size",
               "limb_length": "Limb length"}  # fmt: skip


class CharacterForm(forms.Form):
    """Name, visibility and the whole configuration; `gallery_<asset id>` fields pick gallery pieces."""

    name = forms.CharField(max_length=120, initial="New character")
    visibility = forms.ChoiceField(choices=AssetVisibility.choices, initial="private")
    species = forms.ChoiceField(
        choices=[("humanoid", "Humanoid"), ("quadruped", "Quadruped")], initial="humanoid"
    )
    armor = forms.MultipleChoiceField(
        required=False, choices=[(s, SLOT_LABELS[s]) for s in WORN_SLOTS],
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    held = forms.MultipleChoiceField(
        required=False, choices=[(s, SLOT_LABELS[s]) for s in HELD],
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    clips = forms.MultipleChoiceField(
        choices=[(c, c) for c in HUMANOID_CLIPS], widget=forms.CheckboxSelectMultiple,
        help_text="Attack is added only when the character holds a weapon.",
    )  # fmt: skip
    presets = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    play = forms.CharField(required=False, max_length=40, label="Play clip")

    def __init__(self, *args, armor_assets=(), presets=(), clip_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        for key, (low, high, default) in BODY_LIMITS.items():
            self.fields[key] = forms.FloatField(
                label=BODY_LABELS[key], min_value=low, max_value=high, initial=default,
                widget=forms.NumberInput(attrs={"type": "range", "min": low, "max": high,
                                                "step": 0.01}),
            )  # fmt: skip
        for key in COLOUR_KEYS:
            self.fields[f"colour_{key}"] = forms.RegexField(
                r"^#[0-9a-fA-F]{6}$", label=key.capitalize(), initial=DEFAULT_COLOURS[key],
                widget=forms.TextInput(attrs={"type": "color"}),
            )  # fmt: skip
        self.fields["presets"].choices = [(p.slug, p.name) for p in presets]
        self.armor_assets = list(armor_assets)
        slot_choices = [("", "Not worn")] + [(s, SLOT_LABELS[s]) for s in WORN_SLOTS + HELD]
        for asset in self.armor_assets:
            self.fields[f"gallery_{asset.id}"] = forms.ChoiceField(
                required=False, choices=slot_choices, label=asset.name
            )
        self.clip_choices = list(clip_choices)

    @property
    def gallery_fields(self):
        return [(asset, self[f"gallery_{asset.id}"]) for asset in self.armor_assets]

    def configuration(self, borrowed_clips: list | None = None) -> dict[str, Any]:
        """Return the configuration the cleaned form describes (call after `is_valid`)."""
        c = self.cleaned_data
        gallery = {c[f"gallery_{a.id}"]: str(a.id) for a in self.armor_assets
                   if c.get(f"gallery_{a.id}")}  # fmt: skip
        armor = set(c.get("armor", [])) | {s for s in gallery if s in WORN_SLOTS}
        held = set(c.get("held", [])) | {s for s in gallery if s in HELD}
        quadruped = c.get("species") == "quadruped"
        return {
            "species": c.get("species", "humanoid"),
            "body": {key: c[key] for key in BODY_LIMITS},
            "colours": {key: c[f"colour_{key}"] for key in COLOUR_KEYS},
            "armor": [] if quadruped else sorted(armor),
            "held": [] if quadruped else sorted(held),
            "gallery_armor": {} if quadruped else gallery,
            "clips": list(c.get("clips", [])),
            "presets": list(c.get("presets", [])),
            "borrowed_clips": [] if quadruped else list(borrowed_clips or []),
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.cleaned_configuration = character_data_clean(self.configuration())
        except ValidationFailedError as exc:
            for field, errors in (exc.details or {}).items():
                target = field if field in self.fields else None
                for error in errors if isinstance(errors, list) else [errors]:
                    self.add_error(target, f"{field}: {error}")
        return cleaned


def form_initial(character) -> dict[str, Any]:
    """Return the form's initial values for a saved character."""
    data = character.data
    initial = {
        "name": character.name,
        "visibility": character.visibility,
        "species": data["species"],
        "armor": data["armor"],
        "held": data["held"],
        "clips": data["clips"],
        "presets": data["presets"],
        **data["body"],
        **{f"colour_{k}": v for k, v in data["colours"].items()},
    }
    for slot, asset_id in data.get("gallery_armor", {}).items():
        initial[f"gallery_{asset_id}"] = slot
    return initial


class CharacterRetargetForm(forms.Form):
    """Borrow a clip from another of your characters."""

    source = forms.UUIDField()
    clip = forms.ChoiceField(choices=[(c, c) for c in HUMANOID_CLIPS])

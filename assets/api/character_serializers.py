"""Character configurations: the shape of a configuration, and the API's input and output."""

from typing import Any

from rest_framework import serializers

from assets.models import AssetVisibility
from forge.exceptions import ValidationFailedError
from forge.strict_serializers import StrictInputSerializer, error_path_message
from pipelines.stages.character.armor import ARMOR_SLOTS, HELD_SLOTS
from pipelines.stages.character.clips import HUMANOID_CLIPS, QUADRUPED_CLIPS

WORN_SLOTS = [s for s in ARMOR_SLOTS if s not in HELD_SLOTS]
HELD = [s for s in ARMOR_SLOTS if s in HELD_SLOTS]
COLOUR_KEYS = ("skin", "hair", "eyes", "shirt", "trousers", "boots", "armor", "trim", "fur")
# (minimum, maximum, default) of each body proportion.
BODY_LIMITS = {
    "height": (1.2, 2.3, 1.75),
    "build": (0.0, 1.0, 0.5),
    "head_size": (0.8, 1.4, 1.0),
    "limb_length": (0.85, 1.15, 1.0),
}
DEFAULT_COLOURS = {
    "skin": "#c68642", "hair": "#2b1b10", "eyes": "#2a4d8f", "shirt": "#8c2f2f",
    "trousers": "#3a3f4a", "boots": "#5a3a22", "armor": "#b8bec6", "trim": "#c9a043",
    "fur": "#8a6a4a",
}  # fmt: skip
MAX_BORROWED_CLIPS = 8
MAX_PRESETS = 4


def character_defaults() -> dict[str, Any]:
    """Return the configuration a new character starts from."""
    return {
        "species": "humanoid",
        "body": {k: v[2] for k, v in BODY_LIMITS.items()},
        "colours": dict(DEFAULT_COLOURS),
        "armor": [],
        "held": [],
        "gallery_armor": {},
        "clips": ["idle", "walk", "run", "wave", "grip"],
        "presets": [],
        "borrowed_clips": [],
    }


class _BodySerializer(StrictInputSerializer):
    height = serializers.FloatField(min_value=1.2, max_value=2.3, default=1.75)
    build = serializers.FloatField(min_value=0.0, max_value=1.0, default=0.5)
    head_size = serializers.FloatField(min_value=0.8, max_value=1.4, default=1.0)
    limb_length = serializers.FloatField(min_value=0.85, max_value=1.15, default=1.0)


class _ColoursSerializer(StrictInputSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in COLOUR_KEYS:
            self.fields[key] = serializers.RegexField(
                r"^#[0-9a-fA-F]{6}$", default=DEFAULT_COLOURS[key],
                error_messages={"invalid": "Use a colour like #a1b2c3."},
            )  # fmt: skip


class _BorrowedClipSerializer(StrictInputSerializer):
    name = serializers.RegexField(r"^[a-z][a-z0-9_]{0,39}$")
    source = serializers.UUIDField()
    clip = serializers.ChoiceField(choices=HUMANOID_CLIPS)


class CharacterDataSerializer(StrictInputSerializer):
    """The configuration of a character: every field bounded, unknown clips and slots refused."""

    species = serializers.ChoiceField(choices=["humanoid", "quadruped"], default="humanoid")
    body = _BodySerializer(default=dict)
    colours = _ColoursSerializer(default=dict)
    armor = serializers.ListField(
        child=serializers.ChoiceField(choices=WORN_SLOTS), max_length=len(WORN_SLOTS), default=list
    )
    held = serializers.ListField(
        child=serializers.ChoiceField(choices=HELD), max_length=len(HELD), default=list
    )
    gallery_armor = serializers.DictField(
        child=serializers.UUIDField(), default=dict,
        help_text="Armor slot -> id of one of your armor or weapon assets to wear there.",
    )  # fmt: skip
    clips = serializers.ListField(
        child=serializers.ChoiceField(choices=HUMANOID_CLIPS), min_length=1,
        max_length=len(HUMANOID_CLIPS), default=lambda: ["idle", "walk", "run", "wave", "grip"],
    )  # fmt: skip
    presets = serializers.ListField(
        child=serializers.SlugField(max_length=50), max_length=MAX_PRESETS, default=list
    )
    borrowed_clips = _BorrowedClipSerializer(many=True, default=list)

    def validate(self, attrs):
        errors = {}
        for key in ("armor", "held", "clips", "presets"):
            if len(set(attrs[key])) != len(attrs[key]):
                errors[key] = ["Each entry may appear only once."]
        # Keep the canonical order, so equal configurations hash alike.
        attrs["armor"] = [s for s in WORN_SLOTS if s in attrs["armor"]]
        attrs["held"] = [s for s in HELD if s in attrs["held"]]
        attrs["clips"] = [c for c in HUMANOID_CLIPS if c in attrs["clips"]]
        if attrs["species"] == "quadruped":
            attrs["clips"] = [c for c in attrs["clips"] if c in QUADRUPED_CLIPS] or ["idle"]
            if attrs["armor"] or attrs["held"] or attrs["borrowed_clips"]:
                errors["species"] = ["Quadrupeds wear no armor and borrow no humanoid clips."]
        slots = set(attrs["armor"]) | set(attrs["held"])
        unknown = [slot for slot in attrs["gallery_armor"] if slot not in slots]
        if unknown:
            errors["gallery_armor"] = [f"Choose the slot first: {', '.join(sorted(unknown))}."]
        attrs["gallery_armor"] = {k: str(v) for k, v in sorted(attrs["gallery_armor"].items())}
        borrowed = [dict(b, source=str(b["source"])) for b in attrs["borrowed_clips"]]
        names = [b["name"] for b in borrowed]
        if len(borrowed) > MAX_BORROWED_CLIPS:
            errors["borrowed_clips"] = [f"At most {MAX_BORROWED_CLIPS} borrowed clips."]
        elif len(set(names)) != len(names) or set(names) & set(HUMANOID_CLIPS):
            errors["borrowed_clips"] = ["Each borrowed clip needs its own, new name."]
        attrs["borrowed_clips"] = borrowed
        if errors:
            raise serializers.ValidationError(errors)
        attrs["body"] = {**{k: v[2] for k, v in BODY_LIMITS.items()}, **attrs["body"]}
        colours = {**DEFAULT_COLOURS, **attrs["colours"]}
        attrs["colours"] = {k: v.lower() for k, v in colours.items()}
        return attrs


class _ConfigurationInputSerializer(StrictInputSerializer):
    data = CharacterDataSerializer()


def character_data_clean(data: Any) -> dict[str, Any]:
    """Return the cleaned, complete configuration `data`; raise ValidationFailedError if it is not."""
    if not isinstance(data, dict):
        raise ValidationFailedError(
            "data: a character configuration is a JSON object.",
            details={"data": ["Must be an object."]},
        )
    # Validated as the `data` field it is, so an unknown key is reported on its own path
    # (`data.body.heigth`); `details` stay relative to the configuration (`body`).
    serializer = _ConfigurationInputSerializer(data={"data": data})
    if not serializer.is_valid():
        details = serializer.errors["data"]
        raise ValidationFailedError(error_path_message(details, "data"), details=details)
    return _plain(serializer.validated_data["data"])


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class CharacterInputSerializer(StrictInputSerializer):
    """Create or change a character: its name, visibility and configuration."""

    name = serializers.CharField(max_length=120)
    visibility = serializers.ChoiceField(choices=AssetVisibility.choices, default="private")
    data = serializers.JSONField(default=character_defaults)


class CharacterUpdateInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=120, required=False)
    visibility = serializers.ChoiceField(choices=AssetVisibility.choices, required=False)
    data = serializers.JSONField(required=False)


class CharacterOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    visibility = serializers.CharField()
    version = serializers.IntegerField()
    config_hash = serializers.CharField()
    data = serializers.JSONField()
    asset = serializers.UUIDField(source="asset_id", allow_null=True)
    built = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_built(self, obj) -> bool:
        """True when the asset was built from the current version."""
        return bool(obj.asset_id) and obj.built_hash == obj.config_hash


class CharacterBuildOutputSerializer(serializers.Serializer):
    cached = serializers.BooleanField()
    asset = serializers.UUIDField(allow_null=True)
    pipeline = serializers.UUIDField(allow_null=True)
    websocket_url = serializers.CharField(allow_null=True)


class CharacterClipOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    duration = serializers.FloatField()
    loop = serializers.BooleanField()
    source = serializers.CharField(help_text="`forge` or the id of the character it came from.")


class CharacterRetargetInputSerializer(StrictInputSerializer):
    source = serializers.UUIDField(help_text="One of your characters: the clip's owner.")
    clip = serializers.ChoiceField(choices=HUMANOID_CLIPS)
    name = serializers.RegexField(r"^[a-z][a-z0-9_]{0,39}$", required=False)


class RigClipsInputSerializer(StrictInputSerializer):
    clips = serializers.ListField(
        child=serializers.ChoiceField(choices=HUMANOID_CLIPS), min_length=1,
        max_length=len(HUMANOID_CLIPS),
    )  # fmt: skip
    source = serializers.UUIDField(
        required=False, help_text="One of your characters whose proportions the clips are made for."
    )


class RigReportOutputSerializer(serializers.Serializer):
    joint_count = serializers.IntegerField()
    joint_names = serializers.ListField(child=serializers.CharField())
    humanoid_bones = serializers.ListField(child=serializers.CharField())
    humanoid = serializers.BooleanField()
    clips = serializers.ListField(child=serializers.CharField())

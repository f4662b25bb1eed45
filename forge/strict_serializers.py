"""Input serializers that take exactly the shape they document.

DRF's `Serializer` ignores keys it has no field for, and its `CharField` (and `RegexField`,
`SlugField`, `UUIDField`) turns a number or a boolean into a string (`2**70` became the name
"1180591620717411303424", `7` the UUID `...0007`). A typo then silently becomes a default
and a wrong type a wrong value. Every input serializer of the API mixes in
`StrictInputMixin`, which refuses both in the same 400 as the other field errors:

- an unknown key of the request body: `non_field_errors: ["Unknown field(s): a, b."]`
  (the whole list in the message); an unknown key of a nested object (a nested serializer
  with the mixin): `"<key>": ["Unknown field."]`, so the error's path names it
  (`data.body.heigth`, see `error_path_message`);
- anything but a string for a string field, or in a list or a dict of strings:
  `"Must be a string."` on the field (on the item: `{"0": [...]}`).

The schema says so too: request bodies of these serializers have
`additionalProperties: false` (`forge.openapi.StrictInputSchema`).
"""

from collections.abc import Mapping

from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.settings import api_settings

MUST_BE_A_STRING = "Must be a string."
UNKNOWN_FIELD = "Unknown field."
# Fields whose input is a string: CharField covers RegexField, SlugField, EmailField, URLField.
STRING_FIELDS = (serializers.CharField, serializers.UUIDField)


def _not_a_string(value) -> bool:
    return value is not None and not isinstance(value, str)


def string_errors(field: serializers.Field, value):
    """Return the errors of `value` given to `field` if a string is due and something else came."""
    if value is empty:
        return None
    if isinstance(field, STRING_FIELDS):
        return [MUST_BE_A_STRING] if _not_a_string(value) else None
    child = getattr(field, "child", None)
    if not isinstance(child, STRING_FIELDS):
        return None
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        items = enumerate(value)
    elif isinstance(field, serializers.DictField) and isinstance(value, dict):
        items = value.items()
    else:
        return None
    return {key: [MUST_BE_A_STRING] for key, item in items if _not_a_string(item)} or None


class StrictInputMixin:
    """Refuse unknown keys and non-strings for string fields (mix in before `Serializer`)."""

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            return super().to_internal_value(data)  # DRF's "Expected a dictionary" error
        writable = {name for name, field in self.fields.items() if not field.read_only}
        unknown = sorted(str(key) for key in data if key not in writable)
        type_errors = {}
        for name in writable:
            field = self.fields[name]
            problem = string_errors(field, field.get_value(data))
            if problem:
                type_errors[name] = problem
        try:
            value = super().to_internal_value(data)
            errors = {}
        except serializers.ValidationError as exc:
            value, errors = None, dict(exc.detail)
        errors.update(type_errors)
        if unknown:
            if self.parent is None:
                key = api_settings.NON_FIELD_ERRORS_KEY
                message = f"Unknown field(s): {', '.join(unknown)}."
                errors = {key: [message, *errors.pop(key, [])], **errors}
            else:
                errors = {**dict.fromkeys(unknown, [UNKNOWN_FIELD]), **errors}
        if errors:
            raise serializers.ValidationError(errors)
        return value


class StrictInputSerializer(StrictInputMixin, serializers.Serializer):
    """A `Serializer` that takes exactly its fields, strings as strings."""


def error_path_message(errors, prefix: str = "") -> str:
    """Return `"<dotted path>: <message>"` for the first error in DRF's nested `errors`."""
    path = [prefix] if prefix else []
    while True:
        if isinstance(errors, Mapping) and errors:
            key, errors = next(iter(errors.items()))
            if key != api_settings.NON_FIELD_ERRORS_KEY:
                path.append(str(key))
        elif isinstance(errors, list) and errors:
            # A list serializer's errors hold `{}` for every valid item.
            index = next((i for i, item in enumerate(errors) if item), 0)
            if isinstance(errors[index], Mapping):
                path.append(str(index))
            errors = errors[index]
        else:
            message = str(errors)
            return f"{'.'.join(path)}: {message}" if path else message

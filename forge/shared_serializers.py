"""Serializers built once per class and shared by every request, for validation and output.

A DRF `Serializer` builds its fields every time one is made: it deep-copies the declared
fields (about 20 µs each) and a `ModelSerializer` builds the rest from the model (more).
A list endpoint validating ten query parameters, or shaping a page of rows, paid more for
that than for its own query. A serializer that keeps no state between calls and reads no
`context` (no request, no instance) can serve every request, as these helpers make it:

- `query_params_validate(cls, data)` runs its validation and raises the same
  `ValidationError` as `is_valid(raise_exception=True)`;
- `represent(cls, obj)` / `represent_many(cls, objs)` give what `cls(obj).data` and
  `cls(objs, many=True).data` give.

The serializer classes still document the API in the schema (`extend_schema`). Tests hold
each shared use equal to a fresh serializer's answer.
"""

import threading

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

_shared: dict[type, serializers.Serializer] = {}
_lock = threading.Lock()


def _serializer(serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    serializer = _shared.get(serializer_class)
    if serializer is None:
        with _lock:
            serializer = _shared.get(serializer_class)
            if serializer is None:
                serializer = serializer_class(context={})
                serializer.fields  # bind the fields once, before any request shares them  # noqa: B018
                _shared[serializer_class] = serializer
    return serializer


def query_params_validate(serializer_class: type[serializers.Serializer], data) -> dict:
    """Return `data` (e.g. `request.query_params`) validated by `serializer_class`."""
    try:
        return _serializer(serializer_class).run_validation(data)
    except ValidationError as exc:
        raise ValidationError(exc.detail) from None


def represent(serializer_class: type[serializers.Serializer], obj) -> dict:
    """Return `serializer_class(obj).data`, from the shared serializer."""
    return _serializer(serializer_class).to_representation(obj)


def represent_many(serializer_class: type[serializers.Serializer], objs) -> list[dict]:
    """Return `serializer_class(objs, many=True).data`, from the shared serializer."""
    to_representation = _serializer(serializer_class).to_representation
    return [to_representation(obj) for obj in objs]

"""API body parsers that refuse, before any view sees it, input nothing downstream can hold.

Two classes of input fail here once, for every endpoint:

- a JSON document nested deeper than `FORGE_API_MAX_JSON_DEPTH`: a parse error, found by
  counting brackets before decoding (the standard decoder recurses and would overflow the
  stack on 100,000 nested `[`);
- a JSON object with a key given twice, or a number too large for a float (`1e400`, which
  would decode to infinity): a parse error;
- text holding a NUL character or a lone UTF-16 surrogate, anywhere in a JSON document (keys
  and values) or a form or multipart body: a validation error naming the field. PostgreSQL
  text cannot store NUL, and a lone surrogate cannot be encoded as UTF-8 to be stored, logged
  or sent back.
"""

import codecs
import math
import re
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.settings import api_settings
from rest_framework.utils import json

_UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")

NUL_MESSAGE = "Null characters are not allowed."
SURROGATE_MESSAGE = "Unpaired surrogate characters are not allowed."


def unsafe_text_message(text: str) -> str | None:
    """Say why `text` cannot be accepted (a NUL or a lone surrogate in it), or None if it can."""
    found = _UNSAFE_TEXT.search(text)
    if found is None:
        return None
    return NUL_MESSAGE if found.group() == "\x00" else SURROGATE_MESSAGE


def unsafe_text_find(data: Any, path: str = "") -> tuple[str, str] | None:
    """Return `(field path, message)` for the first unsafe string in decoded `data`, else None.

    The path is dotted (`tags.0`); a bad key is reported at its parent, so the answer never
    echoes the bad character back.
    """
    if isinstance(data, str):
        message = unsafe_text_message(data)
        return (path or "non_field_errors", message) if message else None
    if isinstance(data, dict):
        items = data.items()
    elif isinstance(data, list | tuple):
        items = ((str(index), value) for index, value in enumerate(data))
    else:
        return None
    for key, value in items:
        key_message = unsafe_text_message(key)
        if key_message:
            return (path or "non_field_errors", key_message)
        found = unsafe_text_find(value, f"{path}.{key}" if path else key)
        if found:
            return found
    return None


def unsafe_text_error(data: Any) -> ValidationError | None:
    """Return the validation error for the first unsafe string in `data`, or None."""
    found = unsafe_text_find(data)
    if found is None:
        return None
    field, message = found
    return ValidationError({field: [message]})


def json_too_deep(text: str, limit: int) -> bool:
    """Say whether the JSON `text` nests arrays and objects more than `limit` deep."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub('""', text)):
        if bracket.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _finite_float(text: str) -> float:
    """Decode a JSON number; one too large for a float (1e400) is refused, not made infinite."""
    value = float(text)
    if math.isinf(value):
        raise ValueError("a number is too large")
    return value


def _object_without_repeated_keys(pairs: list[tuple[str, Any]]) -> dict:
    """Decode a JSON object; a key given twice is refused (which one counts is ambiguous).

    Every copy is also checked for NUL and lone surrogates, since only one survives decoding.
    """
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                if unsafe_text_message(key):
                    raise ValueError("a key is repeated in one object")
                raise ValueError(f"the key {key[:100]!r} is repeated in one object")
            seen.add(key)
    return data


class SafeJSONParser(parsers.JSONParser):
    """JSON with bounded nesting and no NUL or lone surrogate in any key or value."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read() if stream is not None else ""
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        limit = settings.FORGE_API_MAX_JSON_DEPTH
        if json_too_deep(text, limit):
            raise ParseError(f"JSON parse error - nested more than {limit} levels deep.")
        try:
            parse_constant = json.strict_constant if api_settings.STRICT_JSON else None
            data = json.loads(
                text,
                parse_constant=parse_constant,
                parse_float=_finite_float,
                object_pairs_hook=_object_without_repeated_keys,
            )
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        error = unsafe_text_error(data)
        if error:
            raise error
        return data


def _form_error(parsed) -> ValidationError | None:
    data, files = (
        (parsed.data, parsed.files) if isinstance(parsed, parsers.DataAndFiles) else (parsed, {})
    )
    fields = [(key, data.getlist(key)) for key in data]
    fields += [(key, [f.name or "" for f in files.getlist(key)]) for key in files]
    for key, values in fields:
        message = unsafe_text_message(key)
        if message:
            return ValidationError({"non_field_errors": [message]})
        for value in values:
            message = unsafe_text_message(value) if isinstance(value, str) else None
            if message:
                return ValidationError({key: [message]})
    return None


class SafeFormParser(parsers.FormParser):
    """URL-encoded forms with no NUL in any field name or value."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        error = _form_error(parsed)
        if error:
            raise error
        return parsed


class SafeMultiPartParser(parsers.MultiPartParser):
    """Multipart forms with no NUL in any field name, value or file name."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        error = _form_error(parsed)
        if error:
            raise error
        return parsed

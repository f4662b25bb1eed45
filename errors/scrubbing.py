"""Make everything an occurrence stores safe: no secrets, and text PostgreSQL accepts.

A header, field or key is secret when its name contains one of `FORGE_ERRORS_SCRUB_KEYS`
(fragments such as auth, token, key), so `X-Auth`, `Authentication` and `X-Api-Key` are
covered without being listed. Text is also cleaned of what PostgreSQL cannot store (NUL
characters, lone surrogates), so a record survives any input.
"""

import re
from functools import lru_cache
from typing import Any

from django.conf import settings

FILTERED = "[Filtered]"
MAX_DEPTH = 6
MAX_ITEMS = 100
MAX_VALUE_CHARS = 2000

# Secrets that announce themselves whatever key (if any) they sit under.
_VALUE_PATTERNS = [
    (re.compile(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=\-]{6,}"), r"\1 " + FILTERED),
    (re.compile(r"\bforge_[A-Za-z0-9_\-]{6,}"), FILTERED),
    (re.compile(r"(?i)(\b[a-z][a-z0-9+.\-]*://[^\s:/@]+:)[^\s@/]+@"), r"\1" + FILTERED + "@"),
    (re.compile(r"\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{8,}"), FILTERED),
    (re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"), FILTERED),
]

# Fragments every match of `_VALUE_PATTERNS` contains (case aside), for the pre-check.
_VALUE_HINTS = ["bearer", "basic", "token", "forge_", "://", "_live_", "_test_", "eyj"]

# NUL is refused by PostgreSQL text and jsonb; lone surrogates cannot be encoded as UTF-8.
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
# CamelCase names such as `KeyError` or `AuthenticationFailed` are exception types in a
# message or stack trace, not secret keys (`Key: value`, `X-Auth-Token: value` still are).
_CLASS_NAME = re.compile(r"[\"']?(?:[A-Z][a-z0-9]+){2,}[\"']?")


def text_storable(text: str) -> str:
    """Return `text` with the characters PostgreSQL cannot store replaced by U+FFFD."""
    if _UNSTORABLE.search(text) is None:  # the usual case, without building a copy
        return text
    return _UNSTORABLE.sub("\ufffd", text)


@lru_cache(maxsize=8)
def _keys(keys: tuple[str, ...]) -> tuple[tuple[str, ...], re.Pattern, tuple[str, ...]]:
    lowered = tuple(k.lower().replace("-", "_") for k in keys if k)
    names = "|".join(re.escape(k) for k in sorted(lowered, key=len, reverse=True)) or "(?!)"
    # key=value, key: value, "key": "value", key is value (a name containing a scrub key).
    pattern = re.compile(
        r"(?i)(([\"']?\b[\w\-]*(?:" + names + r")[\w\-]*[\"']?)\s*(?:[=:]|\bis\b)\s*)"
        r"(\"[^\"]*\"|'[^']*'|[^\s,;&)}\]]+)"
    )
    # One scan that every text with a secret matches (a superset of all the patterns):
    # most text (stack frames, messages) has none, and skips the full set of patterns.
    hints = tuple(sorted({*lowered, *(k.replace("_", "-") for k in lowered), *_VALUE_HINTS}))
    return lowered, pattern, hints


def _scrub_keys() -> tuple[tuple[str, ...], re.Pattern, tuple[str, ...]]:
    return _keys(tuple(settings.FORGE_ERRORS_SCRUB_KEYS))


def key_is_sensitive(key: str) -> bool:
    """Say whether a dictionary key or header name names a secret."""
    lowered, _, _ = _scrub_keys()
    normalized = str(key).lower().replace("-", "_")
    return any(k in normalized for k in lowered)


def _filter_value(match: re.Match) -> str:
    if _CLASS_NAME.fullmatch(match.group(2)):
        return match.group(0)
    return match.group(1) + FILTERED


def _may_hold_secret(text: str, hints: tuple[str, ...]) -> bool:
    """Say whether `text` contains any fragment every secret pattern needs (a cheap pre-check)."""
    lowered = text.lower()
    for hint in hints:
        if hint in lowered:
            return True
    return False


def scrub_text(text: str) -> str:
    """Return `text`, storable, with secret-looking values replaced by `[Filtered]`."""
    if not text:
        return text
    _, key_pattern, hints = _scrub_keys()
    return _scrub_text(text_storable(text), key_pattern, hints)


def _scrub_text(text: str, key_pattern: re.Pattern, hints: tuple[str, ...]) -> str:
    if not _may_hold_secret(text, hints):
        return text
    for pattern, replacement in _VALUE_PATTERNS:
        text = pattern.sub(replacement, text)
    return key_pattern.sub(_filter_value, text)


def _all_clean_text(items: list, hints: tuple[str, ...]) -> bool:
    """Say whether `items` are all short strings that need no change (checked as one text)."""
    if not all(type(item) is str and len(item) <= MAX_VALUE_CHARS for item in items):
        return False
    joined = "\n".join(items)
    return _UNSTORABLE.search(joined) is None and not _may_hold_secret(joined, hints)


def scrub_data(value: Any, *, depth: int = 0) -> Any:
    """Return a JSON-safe copy of `value` with sensitive keys and secret-looking text removed."""
    lowered, key_pattern, hints = _scrub_keys()
    return _scrub(value, depth, (lowered, key_pattern, hints, {}))


def _scrub(value: Any, depth: int, rules: tuple) -> Any:
    # `rules[3]` remembers each key's verdict: the same keys repeat in every stack frame.
    if isinstance(value, str):
        if len(value) > MAX_VALUE_CHARS:
            value = value[:MAX_VALUE_CHARS] + "…"
        return _scrub_text(text_storable(value), rules[1], rules[2]) if value else value
    if depth > MAX_DEPTH:
        return "[Truncated]"
    if isinstance(value, dict):
        lowered, sensitive = rules[0], rules[3]
        if len(value) <= MAX_ITEMS and _all_clean_text(list(value.values()), rules[2]):
            # e.g. a frame's local variables: keys still decide, values checked as one text
            keys = list(value)
            verdicts = [sensitive.get(k) if type(k) is str else None for k in keys]
            if all(v is False for v in verdicts) and _all_clean_text(keys, ()):
                return dict(value)
        out = {}
        for i, (key, item) in enumerate(value.items()):
            if i >= MAX_ITEMS:
                out["[Truncated]"] = f"{len(value) - MAX_ITEMS} more"
                break
            key = text_storable(str(key))
            secret = sensitive.get(key)
            if secret is None:
                normalized = key.lower().replace("-", "_")
                secret = sensitive[key] = any(k in normalized for k in lowered)
            out[key] = FILTERED if secret else _scrub(item, depth + 1, rules)
        return out
    if isinstance(value, list | tuple | set):
        items = list(value)[:MAX_ITEMS]
        if _all_clean_text(items, rules[2]):  # e.g. a frame's context lines: one check
            return items
        return [_scrub(item, depth + 1, rules) for item in items]
    if value is None or isinstance(value, bool | int | float):
        return value
    return _scrub(str(value), depth, rules)

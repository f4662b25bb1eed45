"""Template helpers of the gallery: file URLs and query strings that keep the current state."""

from django import template
from django.core.files.storage import default_storage

register = template.Library()


@register.filter
def media_url(name) -> str:
    """Return the URL of stored file `name` (a name string or a FieldFile), or ""."""
    name = getattr(name, "name", name)
    return default_storage.url(name) if name else ""


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """Return the current query string with `changes` applied (None or "" removes a key)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def choice_label(value: str) -> str:
    """Turn a choice value like `low_poly` into a label like `Low poly`."""
    return str(value).replace("_", " ").capitalize()

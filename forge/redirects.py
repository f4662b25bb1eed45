"""Where a form may send the user next: a path on this site, never another site."""

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def next_url_safe(request: HttpRequest, default: str) -> str:
    """Return the `next` the request carries (form field, then query) if it is a local path.

    Only a path on this site is followed ("/pipelines/", not "https://evil.example/",
    "//evil.example/", "javascript:..." or a view name); anything else gives `default`.
    """
    for candidate in (request.POST.get("next"), request.GET.get("next")):
        if (
            candidate
            and candidate.startswith("/")
            and candidate.isprintable()  # no NUL, newline or other control character
            and url_has_allowed_host_and_scheme(
                candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
        ):
            return candidate
    return default


def redirect_next(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Redirect to the request's safe `next` (see `next_url_safe`), else to `default`."""
    return HttpResponseRedirect(next_url_safe(request, default))

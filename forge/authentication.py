"""DRF authentication by `Authorization: Bearer <token>`."""

from rest_framework import authentication, exceptions

from forge.auththrottle import wait_phrase
from forge.clientip import client_ip
from forge.tokens import api_token_attempt


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Authenticate a request by an API token sent as a bearer token."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        raw, problem = _raw_token(header)
        attempt = api_token_attempt(raw=raw, address=client_ip(request))
        if attempt.locked_out_seconds:
            raise _locked_out(attempt.locked_out_seconds)
        if problem:
            raise exceptions.AuthenticationFailed(problem)
        if attempt.token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        return attempt.token.user, attempt.token

    def authenticate_header(self, request) -> str:
        return self.keyword


def _raw_token(header: list[bytes]) -> tuple[str | None, str | None]:
    """Return the token a `Bearer` header carries, or None and why the header is not one."""
    if len(header) != 2:
        return None, "Invalid Authorization header: expected `Bearer <token>`."
    try:
        return header[1].decode(), None
    except UnicodeError:
        return None, "Invalid token."


# Brute-force protection (forge/tokens.py `api_token_attempt`): per client address; a wrong
# token names no account.


def _locked_out(wait: int) -> exceptions.Throttled:
    exc = exceptions.Throttled(
        detail=f"Too many wrong tokens from your address. Try again {wait_phrase(wait)}."
    )
    exc.wait = wait  # the envelope sends it as Retry-After
    return exc


def authorization_scheme_hint(request) -> str | None:
    """Explain an `Authorization` header in a scheme Forge does not read, or return None."""
    header = authentication.get_authorization_header(request).split()
    keyword = BearerTokenAuthentication.keyword
    if not header or header[0].lower() == keyword.lower().encode():
        return None
    scheme = header[0].decode("latin-1")
    named = f"`{scheme}` " if scheme.isalnum() and len(scheme) <= 32 else ""
    return (
        f"The Authorization scheme {named}is not supported; "
        f"send `Authorization: {keyword} <token>`."
    )

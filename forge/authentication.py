"""DRF authentication by `Authorization: Bearer <token>`."""

from rest_framework import authentication, exceptions

from forge.auththrottle import LockoutRead, auth_failure_note, wait_phrase
from forge.clientip import client_ip
from forge.models import ApiToken
from forge.tokens import api_token_find, api_token_used


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Authenticate a request by an API token sent as a bearer token."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        # The address's lock-out is read from Redis while the token is looked up in
        # PostgreSQL; a locked-out address is refused whatever it sent, before anything is
        # written (the token's last use, a failure count).
        with LockoutRead(address=client_ip(request)) as lockout:
            token, problem = _token_lookup(header)
            wait = lockout.wait()
        if wait:
            raise _locked_out(wait)
        if problem:
            raise exceptions.AuthenticationFailed(problem)
        if token is None:
            token_failure_note(request)
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        api_token_used(token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


def _token_lookup(header: list[bytes]) -> tuple[ApiToken | None, str | None]:
    """Return the active token a `Bearer` header names, or why the header is not one."""
    if len(header) != 2:
        return None, "Invalid Authorization header: expected `Bearer <token>`."
    try:
        raw = header[1].decode()
    except UnicodeError:
        return None, "Invalid token."
    return api_token_find(raw=raw), None


# Brute-force protection (forge/auththrottle.py): per client address; a wrong token names
# no account.


def _locked_out(wait: int) -> exceptions.Throttled:
    exc = exceptions.Throttled(
        detail=f"Too many wrong tokens from your address. Try again {wait_phrase(wait)}."
    )
    exc.wait = wait  # the envelope sends it as Retry-After
    return exc


def token_failure_note(request) -> None:
    """Count a wrong token against the client's address."""
    auth_failure_note(address=client_ip(request))


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

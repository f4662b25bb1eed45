"""DRF authentication by `Authorization: Bearer <token>`."""

from rest_framework import authentication, exceptions

from forge.auththrottle import auth_failure_note, auth_lockout_wait, wait_phrase
from forge.clientip import client_ip
from forge.tokens import api_token_authenticate


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Authenticate a request by an API token sent as a bearer token."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        token_attempt_allow(request)
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Invalid Authorization header: expected `Bearer <token>`."
            )
        try:
            raw = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        token = api_token_authenticate(raw=raw)
        if token is None:
            token_failure_note(request)
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


# Brute-force protection (forge/auththrottle.py): per client address; a wrong token names
# no account.


def _locked_out(wait: int) -> exceptions.Throttled:
    exc = exceptions.Throttled(
        detail=f"Too many wrong tokens from your address. Try again {wait_phrase(wait)}."
    )
    exc.wait = wait  # the envelope sends it as Retry-After
    return exc


def token_attempt_allow(request) -> None:
    """Raise `Throttled` if the client's address used up its failed-attempt allowance."""
    wait = auth_lockout_wait(address=client_ip(request))
    if wait:
        raise _locked_out(wait)


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

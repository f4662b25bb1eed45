"""DRF authentication by `Authorization: Bearer <token>`."""

from rest_framework import authentication, exceptions

from forge.tokens import api_token_authenticate


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Authenticate a request by an API token sent as a bearer token."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
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
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


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

"""Websocket authentication: the session cookie for browsers, an API token for API clients.

API clients send the token as a subprotocol pair, `Sec-WebSocket-Protocol: forge.token,
<token>` (browsers cannot set an Authorization header on a websocket). The consumer
answers with the `forge.token` subprotocol. A query parameter is not accepted: URLs end
up in logs.
"""

from channels.auth import AuthMiddlewareStack
from channels.middleware import BaseMiddleware
from channels.security.websocket import AllowedHostsOriginValidator

from forge.clientip import scope_client_ip
from forge.tokens import api_token_attempt
from forge.wsdb import consumer_database_sync_to_async

TOKEN_SUBPROTOCOL = "forge.token"  # noqa: S105 - a protocol name


@consumer_database_sync_to_async
def _user_for_token(raw: str, address: str):
    """Return (the token's user or None, seconds the address is locked out for or 0).

    The same brute-force rule as the API's bearer tokens (`api_token_attempt`).
    """
    attempt = api_token_attempt(raw=raw, address=address)
    user = attempt.token.user if attempt.token is not None else None
    return user, attempt.locked_out_seconds


def _offers_token(scope) -> bool:
    return TOKEN_SUBPROTOCOL in (scope.get("subprotocols") or [])


def _has_origin(scope) -> bool:
    return any(name == b"origin" for name, _ in scope.get("headers", []))


def TokenAwareOriginValidator(inner):  # noqa: N802 - mirrors channels' validator factories
    """Check the Origin against ALLOWED_HOSTS, except for token clients that send none.

    Browsers always send an Origin on a websocket, and the check stops another site from
    riding on the session cookie. A client without an Origin is not a browser; when it
    authenticates by token subprotocol the cookie is never used (the token, right or wrong,
    decides who it is), so there is nothing to protect and it may connect.
    """
    checked = AllowedHostsOriginValidator(inner)

    async def validator(scope, receive, send):
        if not _has_origin(scope) and _offers_token(scope):
            return await inner(scope, receive, send)
        return await checked(scope, receive, send)

    return validator


class TokenSubprotocolMiddleware(BaseMiddleware):
    """Set `scope["user"]` from a `forge.token, <token>` subprotocol pair when present."""

    async def __call__(self, scope, receive, send):
        protocols = scope.get("subprotocols") or []
        if TOKEN_SUBPROTOCOL in protocols:
            index = protocols.index(TOKEN_SUBPROTOCOL)
            raw = protocols[index + 1] if index + 1 < len(protocols) else ""
            user, wait = await _user_for_token(raw, scope_client_ip(scope)) if raw else (None, 0)
            scope = dict(scope)
            scope["token_auth"] = True
            if wait:
                scope["token_locked_out_seconds"] = wait
            if user is not None:
                scope["user"] = user
            else:
                from django.contrib.auth.models import AnonymousUser

                scope["user"] = AnonymousUser()
        return await super().__call__(scope, receive, send)


def WebsocketAuthMiddlewareStack(inner):  # noqa: N802 - mirrors channels' AuthMiddlewareStack
    """Session auth, then token auth overriding it when a token is offered."""
    return AuthMiddlewareStack(TokenSubprotocolMiddleware(inner))

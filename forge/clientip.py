"""Who the client is: forwarded headers are believed only from configured proxy addresses.

`FORGE_TRUSTED_PROXIES` lists the addresses or networks (CIDR) of the reverse proxies in front
of Forge. A request whose peer (`REMOTE_ADDR`) is one of them may tell Forge the original scheme
(`X-Forwarded-Proto`, read by Django through `SECURE_PROXY_SSL_HEADER`) and the original client
address (`X-Forwarded-For`). Anyone else could forge those headers, so they are dropped.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

# The request headers only a trusted proxy may set (X-Forwarded-Proto is also named by
# SECURE_PROXY_SSL_HEADER; both are dropped, whatever that setting names, plus that one).
FORWARDED_META_KEYS = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"FORGE_TRUSTED_PROXIES: {entry!r} is not an IP address or network."
            ) from exc
    return tuple(networks)


def trusted_proxy_networks() -> tuple[Network, ...]:
    """Return the configured proxy networks (raises ImproperlyConfigured on a bad entry)."""
    return _networks(tuple(e for e in settings.FORGE_TRUSTED_PROXIES if e.strip()))


def is_trusted_proxy(address: str | None) -> bool:
    """Tell whether `address` belongs to one of the configured reverse proxies."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted_proxy_networks())


def client_ip(request: HttpRequest) -> str:
    """Return the client's address: `X-Forwarded-For` counts only when a trusted proxy sent it.

    The header is read from the right (the address the nearest proxy saw) past every trusted
    proxy; the first address that is not a proxy is the client. Entries further left were
    written by the client itself and are never believed.
    """
    return _client_address(
        request.META.get("REMOTE_ADDR", "") or "", request.META.get("HTTP_X_FORWARDED_FOR", "")
    )


def scope_client_ip(scope) -> str:
    """`client_ip` for an ASGI connection (a websocket): its peer and `X-Forwarded-For`."""
    peer = (scope.get("client") or ("", 0))[0] or ""
    forwarded = ",".join(
        value.decode("latin-1")
        for name, value in scope.get("headers") or []
        if name.lower() == b"x-forwarded-for"
    )
    return _client_address(peer, forwarded)


def _client_address(peer: str, forwarded: str) -> str:
    if not is_trusted_proxy(peer):
        return peer
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a malformed chain: fall back to the address that connected
        if not is_trusted_proxy(hop):
            return hop
    return hops[0] if hops else peer


class TrustedProxyMiddleware:
    """Drop forwarded headers unless the peer is a trusted proxy (before SecurityMiddleware).

    Without this, any client could send `X-Forwarded-Proto: https` to skip the HTTPS redirect
    and get secure-only behaviour over plain HTTP.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        trusted_proxy_networks()  # fail at start-up on a malformed setting

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_trusted_proxy(request.META.get("REMOTE_ADDR")):
            keys = set(FORWARDED_META_KEYS)
            if settings.SECURE_PROXY_SSL_HEADER:
                keys.add(settings.SECURE_PROXY_SSL_HEADER[0])
            for key in keys:
                request.META.pop(key, None)
        return self.get_response(request)

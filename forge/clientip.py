"""The client's address: REMOTE_ADDR, or X-Forwarded-For when the peer is a trusted proxy."""

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def _trusted(address: str) -> bool:
    networks = _networks(tuple(getattr(settings, "FORGE_TRUSTED_PROXIES", None) or ()))
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _valid(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return ""


def client_ip(request: Any) -> str:
    """Return the address of the client that sent `request` ("" if unknown).

    X-Forwarded-For is believed only when the direct peer is in `FORGE_TRUSTED_PROXIES`
    (addresses or networks; empty by default): its entries are read right to left,
    skipping trusted proxies, and the first untrusted one is the client. Anything else
    a client sends in that header is ignored, so it cannot choose its own address.
    """
    meta = getattr(request, "META", {}) or {}
    remote = _valid(str(meta.get("REMOTE_ADDR", "")).strip())
    if not remote or not _trusted(remote):
        return remote
    forwarded = [part.strip() for part in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    for hop in reversed([hop for hop in forwarded if hop]):
        address = _valid(hop)
        if not address:
            return remote  # a garbled chain: trust nothing past the proxy
        if not _trusted(address):
            return address
    return remote

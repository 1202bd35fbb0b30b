"""The client's address, seen through the reverse proxies the operator trusts.

Behind a proxy the peer of every request is the proxy; the client is in ``X-Forwarded-For``,
which any client can also send. So the header is read only when the peer is one of
``PATRON_TRUSTED_PROXIES`` (addresses or networks), and then from the right: each proxy appends
the address it saw, so the rightmost address that is not a trusted proxy is the client (what a
client wrote to the left of it may be forged). The audit trail, the login lockout (django-axes,
``AXES_CLIENT_IP_CALLABLE``) and the API's rate limit all read the address here.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted)


def _parse(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(request) -> str | None:
    """The address of the client that sent ``request`` (``REMOTE_ADDR`` without trusted proxies)."""
    peer = request.META.get("REMOTE_ADDR") or None
    networks = _networks(tuple(settings.PATRON_TRUSTED_PROXIES))
    if not networks or not _trusted(_parse(peer or ""), networks):
        return peer
    client = peer
    hops = [hop for hop in request.META.get(FORWARDED_FOR, "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            break  # garbage from the client's side: the last proxy's neighbour is all we know
        client = str(address)
        if not _trusted(address, networks):
            break
    return client

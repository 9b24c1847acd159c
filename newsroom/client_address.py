"""Who is the client? `REMOTE_ADDR`, unless that is a proxy we trust (DJANGO_TRUSTED_PROXIES):
then the rightmost `X-Forwarded-For` address that is not a trusted proxy.

Each proxy appends the address of whoever connected to it, so an entry is only as reliable
as the hop to its right: we walk from the right while the hop we stand on is trusted. What
a client writes into the header itself ends up left of its real address and is never
reached. An entry we cannot read as an address ends the walk: the client is then the last
hop we know (REMOTE_ADDR when it is the rightmost entry), never anything further left that
the client may have written. Ports (`1.2.3.4:80`) and brackets (`[::1]`) count as
unreadable: nginx's `$proxy_add_x_forwarded_for` writes bare addresses.

Used by the login limit (AXES_CLIENT_IP_CALLABLE) and the request id (newsroom.request_log).
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Iterable, Sequence
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """The networks named by DJANGO_TRUSTED_PROXIES; a bare address is one host."""
    return tuple(_network(entry.strip()) for entry in entries)


def _network(entry: str) -> Network:
    try:
        return ipaddress.ip_network(entry)
    except ValueError as error:
        reason = str(error)
    hint = ""
    with contextlib.suppress(ValueError):  # host bits set, e.g. 10.0.0.1/8
        hint = f" Did you mean {ipaddress.ip_network(entry, strict=False)}?"
    raise ImproperlyConfigured(
        f"DJANGO_TRUSTED_PROXIES: {entry!r} is not a network in CIDR notation such as "
        f"127.0.0.1/32 or 10.0.0.0/8 ({reason}).{hint}"
    )


def parse_address(text: str) -> Address | None:
    """The address in `text`, IPv4-mapped IPv6 as IPv4; None when it is not one."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted(address: Address | None, trusted: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in trusted)


def resolve_client(remote_addr: str, forwarded_for: str, trusted: Sequence[Network]) -> str:
    """The client's address from the connection's peer and the X-Forwarded-For header."""
    client = parse_address(remote_addr)
    if client is None:
        return remote_addr  # not an IP connection (e.g. a unix socket): nothing to vouch for
    for hop in reversed(forwarded_for.split(",") if forwarded_for else []):
        if not is_trusted(client, trusted):
            break
        previous = parse_address(hop)
        if previous is None:
            break
        client = previous
    return str(client)


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return trusted_networks(entries)


def _configured() -> tuple[Network, ...]:
    return _networks(tuple(settings.TRUSTED_PROXIES))


def client_address(request) -> str:
    """AXES_CLIENT_IP_CALLABLE: the client of a Django request."""
    return resolve_client(
        request.META.get("REMOTE_ADDR", ""),
        request.META.get("HTTP_X_FORWARDED_FOR", ""),
        _configured(),
    )


def from_trusted_proxy(request) -> bool:
    """Whether the request came straight from a proxy we trust (for headers it may set)."""
    return is_trusted(parse_address(request.META.get("REMOTE_ADDR", "")), _configured())

"""Who the client is, for sign-in throttling (django-axes' AXES_CLIENT_IP_CALLABLE).

Without a trusted proxy the address is REMOTE_ADDR and X-Forwarded-For is ignored: anyone can
write that header, so trusting it would let a client pick the address it is locked under, or
lock someone else out. Behind a reverse proxy (settings ELEVSTOD_TRUSTED_PROXY_COUNT or
ELEVSTOD_TRUSTED_PROXIES) the client is read from the right-hand end of X-Forwarded-For, where
the trusted proxies wrote it; whatever the client put further left is never believed.
Decision 0016.
"""

import ipaddress
from collections.abc import Iterable
from functools import cache

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> str | None:
    """The address in `text` (a header entry may carry spaces), or None when it is none."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


@cache
def _trusted_networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _is_trusted(address: str, networks: Iterable[Network]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in networks)


def client_address_from(
    remote_addr: str | None,
    forwarded_for: str,
    *,
    proxy_count: int,
    proxies: tuple[str, ...],
) -> str | None:
    """The client's address, from what the request says and what is trusted."""
    remote = _address(remote_addr or "")
    if remote is None or not (proxy_count or proxies):
        return remote
    chain = [_address(part) for part in forwarded_for.split(",")] if forwarded_for else []
    if proxies:
        networks = _trusted_networks(proxies)
        if not _is_trusted(remote, networks):
            return remote  # not from our proxy: the header is the client's own words
        # Right to left past our own proxies; the first other address is the client.
        for hop in reversed(chain):
            if hop is None:
                return remote
            if not _is_trusted(hop, networks):
                return hop
        return remote
    # `proxy_count` proxies: the last is REMOTE_ADDR, and each appended the address it saw.
    if len(chain) < proxy_count:
        return remote  # the request did not come through all of them
    client = chain[-proxy_count]
    return client if client is not None else remote


def client_address(request: HttpRequest) -> str | None:
    return client_address_from(
        request.META.get("REMOTE_ADDR"),
        request.META.get("HTTP_X_FORWARDED_FOR", ""),
        proxy_count=settings.ELEVSTOD_TRUSTED_PROXY_COUNT,
        proxies=tuple(settings.ELEVSTOD_TRUSTED_PROXIES),
    )


@register()
def check_trusted_proxies(**kwargs: object) -> list[CheckMessage]:
    """A wrong proxy setting is refused at start-up, not met at the first sign-in."""
    errors: list[CheckMessage] = []
    if settings.ELEVSTOD_TRUSTED_PROXY_COUNT < 0:
        errors.append(
            Error(
                "ELEVSTOD_TRUSTED_PROXY_COUNT must be 0 or more.",
                id="accounts.E001",
            )
        )
    for proxy in settings.ELEVSTOD_TRUSTED_PROXIES:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            errors.append(
                Error(
                    f"ELEVSTOD_TRUSTED_PROXIES: {proxy!r} is not an address or a network.",
                    id="accounts.E002",
                )
            )
    if settings.ELEVSTOD_TRUSTED_PROXY_COUNT and settings.ELEVSTOD_TRUSTED_PROXIES:
        errors.append(
            Error(
                "Set ELEVSTOD_TRUSTED_PROXY_COUNT or ELEVSTOD_TRUSTED_PROXIES, not both.",
                id="accounts.E003",
            )
        )
    return errors

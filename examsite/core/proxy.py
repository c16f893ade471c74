"""X-Forwarded-* headers, honoured only when the request comes straight from a trusted proxy.

werkzeug's ProxyFix believes the headers of every request. When gunicorn can be reached
directly (not only through nginx), a client would choose its own address with
``X-Forwarded-For: 10.1.2.3`` and so pass a sitting's allowed networks or dodge the login
throttle. :class:`TrustedProxyFix` looks at the address the request really came from (the
WSGI ``REMOTE_ADDR``, before any fix): a peer in ``EXAMSITE_TRUSTED_PROXIES`` gets ProxyFix
(the ``EXAMSITE_PROXY_COUNT``-th address from the right of ``X-Forwarded-For``, likewise
``X-Forwarded-Proto`` and ``X-Forwarded-Host``); from any other peer the headers are removed
and the request is seen as it arrived.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

from werkzeug.middleware.proxy_fix import ProxyFix

from examsite.config import ConfigError

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Removed from a request whose peer is not a trusted proxy.
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PREFIX",
)


def parse_trusted_proxies(value: str | Iterable[str]) -> tuple[Network, ...]:
    """Addresses and CIDR networks, comma-separated (or a list); a bad entry is a ConfigError."""
    entries = value.split(",") if isinstance(value, str) else list(value)
    networks: list[Network] = []
    for raw in entries:
        entry = raw.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=True))
        except ValueError as exc:
            raise ConfigError(
                f"EXAMSITE_TRUSTED_PROXIES: {entry!r} is not an IP address or CIDR network ({exc})."
            ) from exc
    return tuple(networks)


def is_trusted(remote_addr: str | None, networks: Iterable[Network]) -> bool:
    """Whether the direct peer's address lies in one of the networks (no address: never)."""
    try:
        address = ipaddress.ip_address((remote_addr or "").strip())
    except ValueError:
        return False
    candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [address]
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        candidates.append(address.ipv4_mapped)  # ::ffff:127.0.0.1 from a dual-stack socket
    return any(candidate in network for candidate in candidates for network in networks)


class TrustedProxyFix:
    """ProxyFix for requests from a trusted proxy; the forwarded headers dropped otherwise."""

    def __init__(self, app: WSGIApplication, count: int, trusted: Iterable[Network]) -> None:
        self.app = app
        self.trusted = tuple(trusted)
        self.proxied = ProxyFix(app, x_for=count, x_proto=count, x_host=count)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if is_trusted(environ.get("REMOTE_ADDR"), self.trusted):
            return self.proxied(environ, start_response)
        for key in FORWARDED_HEADERS:
            environ.pop(key, None)
        return self.app(environ, start_response)


def install_proxy_fix(app: Flask) -> None:
    """Wrap the app per EXAMSITE_PROXY_COUNT and EXAMSITE_TRUSTED_PROXIES.

    Both are checked even when the count is 0, so that a typo refuses to start at once.
    """
    count = app.config["EXAMSITE_PROXY_COUNT"]
    if not isinstance(count, int) or count < 0:
        raise ConfigError(f"EXAMSITE_PROXY_COUNT must be 0 or more, not {count!r}.")
    trusted = parse_trusted_proxies(app.config["EXAMSITE_TRUSTED_PROXIES"])
    if count:
        app.wsgi_app = TrustedProxyFix(app.wsgi_app, count, trusted)  # type: ignore[method-assign]

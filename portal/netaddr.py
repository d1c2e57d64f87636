"""The client's real address, behind the proxies named in PORTAL_TRUSTED_PROXIES.

`X-Forwarded-For` is only believed when the connection itself (REMOTE_ADDR) comes from a
trusted proxy. Its list is then read from the right (each proxy appends the address it
received the request from) and the first address that is not itself a trusted proxy is the
client: anything to its left was written by the client and may be forged.

`client_ip(request) -> str` has the signature django-axes expects of AXES_CLIENT_IP_CALLABLE;
the audit log (`portal.accounts.audit.client_ip`) calls the same function. This module imports
nothing of the portal's apps, so settings, apps and axes may all use it.
"""

import functools
import ipaddress
from collections.abc import Iterable

from django.core.exceptions import ImproperlyConfigured

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_address(text: str | None) -> Address | None:
    """An address as proxies write it ("203.0.113.7", "203.0.113.7:4711", "2001:db8::1",
    "[2001:db8::1]:443", "::ffff:203.0.113.7"), else None ("unknown", garbage, empty). An
    IPv4 address mapped into IPv6 comes back as the IPv4 address; a zone (%eth0) is dropped."""
    if not text:
        return None
    text = text.strip().strip('"')
    if text.startswith("["):  # [v6] or [v6]:port
        end = text.find("]")
        if end < 0:
            return None
        text = text[1:end]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    text = text.split("%", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """PORTAL_TRUSTED_PROXIES' entries (addresses or CIDR networks); a wrong one is refused
    with a sentence that names it."""
    networks = []
    for entry in entries:
        entry = entry.strip()
        if not entry:
            continue
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"PORTAL_TRUSTED_PROXIES: {entry!r} is neither an address nor a network "
                "(write e.g. 10.0.0.5, 10.0.0.0/8 or 2001:db8::/32, separated by commas)."
            ) from None
        networks.append(network)
    return tuple(networks)


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(entries)


def trusted_networks() -> tuple[Network, ...]:
    from django.conf import settings

    entries = getattr(settings, "PORTAL_TRUSTED_PROXIES", ())
    if isinstance(entries, str):
        entries = entries.split(",")
    return _networks(tuple(entries))


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    if isinstance(address, ipaddress.IPv4Address):
        # a proxy listed by its IPv4 address also when a dual-stack socket reports it mapped
        return any(address in n for n in networks if n.version == 4)
    return any(address in n for n in networks if n.version == 6)


def client_address(remote_addr: str | None, forwarded_for: str | None, networks) -> str:
    """The rule itself, on plain values (REMOTE_ADDR, X-Forwarded-For, the trusted networks)."""
    current = parse_address(remote_addr)
    if current is None:
        return ""
    if not forwarded_for or not _trusted(current, networks):
        return str(current)
    for hop in reversed(forwarded_for.split(",")):
        address = parse_address(hop)
        if address is None:
            break  # a trusted proxy wrote something that is no address: stop at that proxy
        current = address
        if not _trusted(current, networks):
            break
    return str(current)


def client_ip(request) -> str:
    """The address the request comes from ("" when unknown, e.g. no request)."""
    meta = getattr(request, "META", None)
    if not meta:
        return ""
    return client_address(
        meta.get("REMOTE_ADDR"), meta.get("HTTP_X_FORWARDED_FOR"), trusted_networks()
    )

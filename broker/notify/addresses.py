"""Which webhook URLs and addresses the broker may reach: public ones only, checked as the client reads them.

A webhook URL is chosen by an organisation, so the broker must not become its way into the networks
behind the broker (cloud metadata at 169.254.169.254, databases on 10.x, the broker's own admin
ports on 127.0.0.1). Three things make a naive check of the URL's host useless, and this module
answers each:

- **Spellings.** The same address has many: `2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1` are all
  127.0.0.1 to the C resolver (inet_aton), `%31%32%37.0.0.1` is 127.0.0.1 to urllib3, which decodes
  the host, and `::ffff:10.0.0.1`, `64:ff9b::a00:1` or `2002:a00:1::` reach 10.0.0.1 over IPv6. The
  host is therefore taken from the URL exactly as `requests` prepares it (the string it connects to),
  a URL that other parsers read differently is refused, and every numeric form the resolver accepts
  is read here the way it reads it (`ipv4_literal`).
- **Names.** A name can point anywhere and can change. Names are not resolved when a URL is
  registered (the answer would be stale by the first delivery); `resolve` is called at delivery
  time, refuses the delivery if *any* address of the name is not public, and its caller connects to
  an address it checked (see broker/notify/delivery.py), so the name cannot change in between.
- **Loopback.** Tests and a broker on a developer's machine post to receivers on 127.0.0.1; the
  deployment switch BROKER_WEBHOOK_ALLOW_LOOPBACK (default off) allows loopback, and only loopback,
  and then also plain http to it. Nothing else non-public is ever allowed.
"""

import ipaddress
import re
import socket
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult
from urllib.parse import urlsplit

import requests

from broker import problems

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# host, port -> the addresses a connection may use, in the order to try them (socket.getaddrinfo's).
Resolver = Callable[[str, int], Sequence[str]]

MAX_URL_LENGTH = 2000
DEFAULT_PORTS = {"http": 80, "https": 443}
# A DNS label: letters, digits and hyphens, not at either end (RFC 1123).
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# inet_aton's parts: hexadecimal (0x…), octal (a leading 0) or decimal.
_HEX, _OCTAL, _DECIMAL = re.compile(r"^0x[0-9a-f]+$"), re.compile(r"^0[0-7]*$"), re.compile(r"^[1-9][0-9]*$")
# Networks that carry an IPv4 address inside an IPv6 one: a connection there reaches that IPv4 address.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052 well-known prefix
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215 local-use translation
_COMPATIBLE = ipaddress.IPv6Network("::/96")  # RFC 4291 IPv4-compatible (deprecated)
_TEREDO = ipaddress.IPv6Network("2001::/32")  # RFC 4380: the client's IPv4 address, obfuscated
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")  # RFC 6598 carrier-grade NAT


class AddressRefused(ValueError):
    """A URL or address the broker must not reach; the message says why, for the organisation to read."""


@dataclass(frozen=True)
class Target:
    """Where one delivery goes: the URL's host as the client reads it, and the checked addresses."""

    host: str  # as requests connects to it: lower case, IPv6 without brackets
    port: int
    host_header: str  # the Host header the receiver must see: the URL's, never the pinned address
    tls_name: str | None  # the name the certificate must carry (None for an address literal)
    addresses: tuple[IPAddress, ...]


def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's answer for a name (socket.getaddrinfo), each address once, in its order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def allow_loopback_setting(settings: Mapping[str, Any]) -> bool:
    """BROKER_WEBHOOK_ALLOW_LOOPBACK as a boolean; anything but true or false is a configuration error."""
    value = settings.get("WEBHOOK_ALLOW_LOOPBACK", False)
    if not isinstance(value, bool):
        raise ValueError(f"BROKER_WEBHOOK_ALLOW_LOOPBACK must be true or false, not {value!r}")
    return value


def check_url(url: str, *, allow_loopback: bool = False) -> str:
    """The URL if the broker may post to it; otherwise ValidationFailed naming `url`.

    Host names pass unresolved: what they point at is checked at every delivery (`resolve`).
    """
    try:
        _checked_url(url, allow_loopback)
    except AddressRefused as refused:
        reason = str(refused)
        raise problems.ValidationFailed(
            f"the webhook URL is not usable: {reason}", errors={"url": [reason]}
        ) from None
    return url


def resolve(url: str, resolver: Resolver, *, allow_loopback: bool = False) -> Target:
    """Where a delivery to `url` may connect now: every address of its host, each of them checked.

    `url` is a prepared request's URL (what the client would connect to). The URL is checked again
    as at registration (the switch may have been turned off since), then a name is resolved and
    refused if any of its addresses is not public: a name that answers with one public and one
    private address is a name an attacker may steer, so none of them is used.
    """
    parts, host = _checked_url(url, allow_loopback)
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    literal = address_literal(host)
    if literal is not None:
        addresses: tuple[IPAddress, ...] = (literal,)
    else:
        try:
            answered = resolver(host, port)
        except OSError as error:
            raise AddressRefused(f"{host} cannot be resolved: {error}") from error
        addresses = tuple(dict.fromkeys(_resolved(host, answer) for answer in answered))
        if not addresses:
            raise AddressRefused(f"{host} resolves to no address")
        for address in addresses:
            kind = non_public(address, allow_loopback=allow_loopback)
            if kind is not None:
                raise AddressRefused(
                    f"{host} resolves to {address}, {_article(kind)} {kind} address: deliveries go to "
                    "public addresses only, never into private networks"
                )
    return Target(host, port, parts.netloc, None if literal is not None else host, addresses)


def address_literal(host: str) -> IPAddress | None:
    """The address a host names by itself, in any spelling the resolver accepts; None for a name.

    `host` is as urlsplit gives it: lower case, IPv6 without brackets. One trailing dot is ignored,
    since some resolvers read `127.0.0.1.` as the address too.
    """
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            return None
    return ipv4_literal(host.removesuffix("."))


def ipv4_literal(text: str) -> ipaddress.IPv4Address | None:
    """An IPv4 address as inet_aton reads it: 1 to 4 parts, each decimal, octal (0…) or hex (0x…).

    The last part fills the remaining bytes, so `2130706433`, `0x7f.1`, `0177.0.0.1` and `127.1` are
    all 127.0.0.1 and `10.1` is 10.0.0.1. None when the text is not such an address.
    """
    parts = text.lower().split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values = []
    for part in parts:
        if _HEX.match(part):
            values.append(int(part[2:], 16))
        elif _OCTAL.match(part):
            values.append(int(part, 8))
        elif _DECIMAL.match(part):
            values.append(int(part))
        else:
            return None
    *leading, last = values
    if any(value > 0xFF for value in leading) or last >= 1 << (8 * (4 - len(leading))):
        return None
    number = last
    for position, value in enumerate(leading):
        number |= value << (8 * (3 - position))
    return ipaddress.IPv4Address(number)


def non_public(address: IPAddress, *, allow_loopback: bool = False) -> str | None:
    """What kind of non-public address this is (`private`, `loopback`, …), or None if it is public.

    An IPv6 address that carries an IPv4 one (IPv4-mapped, NAT64, 6to4) is judged by the IPv4
    address it reaches. `is_global` alone is not enough: Python counts multicast, site-local and
    translated addresses as global.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return "scoped (zone index)"
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            kind = non_public(embedded, allow_loopback=allow_loopback)
            return None if kind is None else f"{kind} (IPv4 {embedded} inside IPv6)"
        translated = address in _NAT64_LOCAL or address in _COMPATIBLE
        if translated and not (address.is_loopback or address.is_unspecified):  # ::1 and :: are in ::/96
            return "translated (IPv4 inside IPv6)"
        if address in _TEREDO:
            return "Teredo tunnel"
        if address.is_site_local:
            return "site-local"
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return None if allow_loopback else "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_private:
        return "private or reserved"
    if address.is_reserved:
        return "reserved"
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED:
        return "shared (carrier-grade NAT)"
    if not address.is_global:
        return "special-purpose"
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    return None


def _checked_url(url: str, allow_loopback: bool) -> tuple[SplitResult, str]:
    """The URL split as the HTTP client splits it, and its host; AddressRefused saying what is wrong."""
    if len(url) > MAX_URL_LENGTH:
        raise AddressRefused(f"longer than {MAX_URL_LENGTH} characters")
    if any(character.isspace() or not character.isprintable() for character in url):
        raise AddressRefused("contains whitespace or control characters")
    if "\\" in url:
        # WHATWG and urllib3 read a backslash as a path separator, urlsplit as part of the user name.
        raise AddressRefused("contains a backslash, which URL parsers read differently")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as error:
        raise AddressRefused(f"cannot be parsed: {error}") from None
    if not parts.hostname:
        raise AddressRefused("has no host")
    if "@" in parts.netloc:
        raise AddressRefused("must not carry credentials (they would be shown wherever the URL is)")
    if parts.fragment:
        raise AddressRefused("must not have a fragment")
    if parts.scheme not in DEFAULT_PORTS:
        raise AddressRefused(_https_needed(allow_loopback))
    if parts.port == 0:
        raise AddressRefused("port 0 is not a port a receiver listens on")
    host = parts.hostname
    _check_client_reads_the_same(url, parts)
    literal = address_literal(host)
    if literal is not None:
        kind = non_public(literal, allow_loopback=allow_loopback)
        if kind is not None:
            raise AddressRefused(
                f"points at {literal}, {_article(kind)} {kind} address: the broker posts to public "
                "addresses only, never into private networks"
            )
        loopback = literal.is_loopback or _loopback_inside(literal)
    else:
        _check_name(host, allow_loopback)
        loopback = _is_localhost(host)
    if parts.scheme == "http" and not (allow_loopback and loopback):
        raise AddressRefused(_https_needed(allow_loopback))
    return parts, host


def _check_client_reads_the_same(url: str, parts: SplitResult) -> None:
    """Refuse a URL whose host or port `requests` would read differently from urlsplit (and so from us)."""
    try:
        prepared = urlsplit(requests.Request("POST", url).prepare().url or "")
        same = (prepared.hostname, prepared.port) == (parts.hostname, parts.port)
    except (requests.RequestException, ValueError, UnicodeError):
        same = False
    if not same:
        raise AddressRefused(
            "its host is read differently by the HTTP client (percent-encoded, non-ASCII or malformed "
            "host): write the host as plain ASCII (an IDN in its xn-- form)"
        )


def _check_name(host: str, allow_loopback: bool) -> None:
    """A host that is not an address must be a plain DNS name, and not one that is loopback by definition."""
    name = host.removesuffix(".")
    labels = name.split(".")
    if "%" in host or not name or len(name) > 253 or not all(_LABEL.match(label) for label in labels):
        raise AddressRefused(f"the host {host!r} is neither an address nor a valid DNS name")
    if labels[-1].isdigit() or labels[-1].startswith("0x"):
        # Not an address inet_aton reads (08.1, 1.2.3.999) yet numeric: resolvers disagree about it.
        raise AddressRefused(f"the host {host!r} looks like an address but is not a valid one")
    if _is_localhost(host) and not allow_loopback:
        raise AddressRefused(
            f"{host} is loopback by definition (RFC 6761): the broker posts to public addresses only, "
            "never into private networks"
        )


def _is_localhost(host: str) -> bool:
    name = host.removesuffix(".")
    return name == "localhost" or name.endswith(".localhost")


def _loopback_inside(address: IPAddress) -> bool:
    embedded = _embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
    return embedded is not None and embedded.is_loopback


def _resolved(host: str, answer: str) -> IPAddress:
    try:
        return ipaddress.ip_address(answer)
    except ValueError as error:
        raise AddressRefused(f"{host} resolves to {answer!r}, which is not an address") from error


def _https_needed(allow_loopback: bool) -> str:
    if allow_loopback:
        return "must use https (http is accepted only on loopback: 127.0.0.1, ::1, localhost)"
    return "must use https"


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"

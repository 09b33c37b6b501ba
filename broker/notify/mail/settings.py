"""The deployment's mail settings: the SMTP server, the sender, and the portal's public address.

BROKER_SMTP_URL names the server and how to reach it:

- `smtps://user:password@host:465`: TLS from the first byte;
- `smtp://user:password@host:587`: STARTTLS, required (a server that does not offer it is an error);
- `smtp+plain://host:25`: no encryption, for a relay on the same machine (refused in production
  unless the host is a loopback address: broker/cli/startup.py).

User and password are optional and percent-decoded. BROKER_MAIL_FROM is the sender's address, and
BROKER_PUBLIC_URL the portal's address as people open it (`https://broker.example.eu`), which every
link in a mail starts with.
"""

import ipaddress
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import unquote
from urllib.parse import urlsplit


class Security(StrEnum):
    """How the connection to the SMTP server is protected."""

    TLS = "smtps"
    STARTTLS = "smtp"
    NONE = "smtp+plain"


DEFAULT_PORTS = {Security.TLS: 465, Security.STARTTLS: 587, Security.NONE: 25}


@dataclass(frozen=True)
class MailSettings:
    """Where and how mails are sent, and what their links start with."""

    host: str
    port: int
    security: Security
    sender: str
    public_url: str
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    # None: the system's CA bundle; the tests pass a context that trusts their own CA.
    tls_context: ssl.SSLContext | None = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "MailSettings | None":
        """The mail settings, None when BROKER_SMTP_URL is not set; ValueError naming the bad setting."""
        url = settings.get("SMTP_URL")
        if not url:
            return None
        host, port, security, username, password = parse_smtp_url(str(url))
        sender = settings.get("MAIL_FROM")
        if not sender or "@" not in str(sender) or any(c in str(sender) for c in "\r\n"):
            raise ValueError(
                "BROKER_MAIL_FROM must be the sender's e-mail address when BROKER_SMTP_URL is set"
            )
        return cls(
            host=host,
            port=port,
            security=security,
            sender=str(sender),
            public_url=public_url(settings.get("PUBLIC_URL")),
            username=username,
            password=password,
        )

    @property
    def loopback(self) -> bool:
        """Whether the server is on this machine (the one place an unencrypted connection is fine)."""
        return is_loopback(self.host)


def parse_smtp_url(url: str) -> tuple[str, int, Security, str | None, str | None]:
    """(host, port, security, user, password) of an SMTP URL; ValueError saying what is wrong."""
    parts = urlsplit(url)
    try:
        security = Security(parts.scheme)
    except ValueError:
        raise ValueError(
            f"BROKER_SMTP_URL must start with smtps://, smtp:// (STARTTLS) or smtp+plain://, not {parts.scheme!r}"
        ) from None
    try:
        port = parts.port or DEFAULT_PORTS[security]
    except ValueError:
        raise ValueError("BROKER_SMTP_URL has a port that is not a number from 1 to 65535") from None
    if not parts.hostname:
        raise ValueError("BROKER_SMTP_URL names no host")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("BROKER_SMTP_URL is scheme://[user:password@]host[:port], with nothing after")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return parts.hostname, port, security, username, password


def public_url(value: object) -> str:
    """The portal's public address without a trailing slash; ValueError unless an http(s) URL."""
    parts = urlsplit(str(value or ""))
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(
            "BROKER_PUBLIC_URL must be the portal's address as people open it (https://broker.example.eu) "
            "when BROKER_SMTP_URL is set: every mail links to it"
        )
    return str(value).rstrip("/")


def is_loopback(host: str) -> bool:
    """localhost or a loopback address."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

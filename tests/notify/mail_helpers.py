"""A real SMTP server for the mail tests (aiosmtpd on a loopback port) and what it received.

A module of its own, imported by name as tests/portal/portal_helpers.py is, so that the fixtures in
the mail tests stay short.
"""

import email
import socket
from email import policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from broker.notify.mail.settings import MailSettings
from broker.notify.mail.settings import Security

SENDER = "broker@broker.test"
PUBLIC_URL = "https://broker.test"


class Mailbox:
    """The server's handler: every mail it accepted, and the answer it gives some recipients instead."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        # address -> the SMTP answer to its RCPT TO, e.g. "550 5.1.1 No such mailbox"
        self.answers: dict[str, str] = {}

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.answers:
            return self.answers[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(parsed)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 2.0.0 Accepted"

    def to(self, address: str) -> list[EmailMessage]:
        """The mails received for one address."""
        return [mail for mail in self.received if mail["To"] == address]


class SmtpServer:
    """aiosmtpd's server in a thread of its own, on a port chosen free, started and stopped by the test."""

    def __init__(self, **options: Any) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        # aiosmtpd's own: tls_context= (STARTTLS), ssl_context= (TLS from the start), authenticator=, ...
        self.options = options
        self.controller: Controller | None = None

    def start(self) -> None:
        """Listen (again: a stopped controller cannot restart, so each start makes a new one)."""
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port, **self.options)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def settings(self, security: Security = Security.NONE, **changes: Any) -> MailSettings:
        """The broker's settings for this server: by default no TLS, as to a relay on the same machine."""
        return MailSettings(
            host="127.0.0.1",
            port=self.port,
            security=security,
            sender=SENDER,
            public_url=PUBLIC_URL,
            **changes,
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])

"""Mail to an SMTP server over TLS, with a login: STARTTLS (smtp://) and TLS from the start (smtps://).

The server is aiosmtpd with a certificate from a CA made for the test (tests/notify/conftest.py);
the broker trusts that CA alone, and checks the certificate names the server it connects to.
"""

import ssl
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.smtp import AuthResult
from aiosmtpd.smtp import LoginPassword
from mail_helpers import SmtpServer

from broker.notify.mail import operations
from broker.notify.mail.operations import OrderRef
from broker.notify.mail.sending import send_due
from broker.notify.mail.settings import Security
from broker.notify.models import MailMessage
from broker.notify.models import MailTopic


def accept_broker(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    """aiosmtpd's authenticator: only the broker's account, with its password."""
    good = isinstance(data, LoginPassword) and (data.login, data.password) == (b"broker", b"s3cret pass")
    return AuthResult(success=good)


@pytest.fixture
def queued(database: Any, clock: Any, exchange: Any) -> MailMessage:
    """One mail in the outbox, to an address (as a 24/7 contact's)."""
    order = exchange.draft()
    with database.transaction() as session:
        (mail,) = operations.enqueue(
            session,
            clock,
            topic=MailTopic.ORDER_ARRIVED,
            event="order.issued",
            order=OrderRef(uuid.UUID(order["id"]), "epoc", True),
            organisation_ids=[],
            at_once=["desk@examplemail.test"],
        )
        return mail


@pytest.fixture
def trusting(authority: Any) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(authority.bundle))


@pytest.fixture
def servers() -> Iterator[list[SmtpServer]]:
    started: list[SmtpServer] = []
    yield started
    for server in started:
        server.stop()


def run(server: SmtpServer, servers: list[SmtpServer]) -> SmtpServer:
    server.start()
    servers.append(server)
    return server


def sent(database: Any) -> MailMessage:
    with database.transaction() as session:
        return session.scalars(sa.select(MailMessage)).one()


@pytest.mark.parametrize("security", [Security.STARTTLS, Security.TLS])
def test_mail_goes_over_tls_with_a_login(
    security, queued, authority, trusting, servers, database, clock, tmp_path
):
    certificate = authority.issue(tmp_path, (), ("127.0.0.1",))
    if security is Security.STARTTLS:
        tls = {"tls_context": certificate, "require_starttls": True, "auth_require_tls": True}
    else:  # aiosmtpd does not count a connection that was TLS from the start as TLS for AUTH
        tls = {"ssl_context": certificate, "auth_require_tls": False}
    server = run(SmtpServer(authenticator=accept_broker, **tls), servers)
    settings = server.settings(security, username="broker", password="s3cret pass", tls_context=trusting)

    assert send_due(database, clock, settings) == 1
    (mail,) = server.mailbox.received
    assert mail["To"] == "desk@examplemail.test"
    assert sent(database).sent_at == clock()


def test_a_server_without_starttls_is_never_sent_to_in_clear_text(queued, servers, trusting, database, clock):
    server = run(SmtpServer(), servers)
    send_due(database, clock, server.settings(Security.STARTTLS, tls_context=trusting))
    assert server.mailbox.received == []
    row = sent(database)
    assert row.sent_at is None and row.failed_at is None, "the deployment's trouble: retried, not failed"
    assert "STARTTLS" in row.last_error


def test_a_certificate_from_another_authority_is_refused(
    queued, authority, servers, database, clock, tmp_path
):
    certificate = authority.issue(tmp_path, (), ("127.0.0.1",))
    server = run(SmtpServer(tls_context=certificate, require_starttls=True), servers)
    send_due(database, clock, server.settings(Security.STARTTLS))  # the system's CAs, which never signed it
    assert server.mailbox.received == []
    assert "CERTIFICATE_VERIFY_FAILED" in sent(database).last_error

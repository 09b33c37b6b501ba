"""Sending the mail outbox over SMTP (the standard library's smtplib), safe with many workers and any crash.

Each mail is sent in its own transaction that holds the row from the claim to the recorded outcome,
as webhooks are (broker/notify/delivery.py): a worker that dies mid-send rolls back and the mail stays
due, so it may arrive twice (with the same Message-ID), never not at all. One SMTP connection serves a
round; a connection that cannot be made or breaks ends the round, to try again at the next.

What the server says decides the outcome: 2xx sent; 4xx or no answer retried with backoff for 24 hours;
5xx (no such mailbox, policy refusal) failed at once, since asking again will not change the answer.
"""

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

import sqlalchemy as sa
from sqlalchemy import orm

from broker.clock import Clock
from broker.db import Database
from broker.notify.mail import operations
from broker.notify.mail import queries
from broker.notify.mail.compose import compose
from broker.notify.mail.settings import MailSettings
from broker.notify.mail.settings import Security

log = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 500


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: no error (sent), or the error and whether the server called it permanent."""

    error: str | None = None
    permanent: bool = False
    # The connection is unusable: the round stops.
    broken: bool = False


def send_due(database: Database, clock: Clock, settings: MailSettings, *, limit: int = 50) -> int:
    """Attempt up to `limit` due mails, emergencies first, then oldest; how many attempts were made."""
    made = 0
    with _Connection(settings) as connection:
        for _ in range(limit):
            try:
                with database.transaction() as session:
                    outcome = _send_next(session, clock, settings, connection)
            except sa.exc.OperationalError as error:
                log.warning("mail round interrupted: %s", error.orig)
                break
            if outcome is None:
                break
            made += 1
            if outcome.broken:
                break
    return made


def _send_next(
    session: orm.Session, clock: Clock, settings: MailSettings, connection: "_Connection"
) -> Outcome | None:
    """Send the first due mail: None if none is due (or another worker claimed it), else its outcome."""
    now = clock()
    mail = queries.next_due(session, now)
    if mail is None:
        return None
    number = operations.claim_attempt(session, mail)
    if number is None:
        return None
    outcome = connection.send(compose(mail, settings, now))
    operations.record_attempt(mail, now, number, outcome.error, permanent=outcome.permanent)
    return outcome


class _Connection:
    """An SMTP session opened at the first mail of a round and closed at its end."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "_Connection":
        return self

    def __exit__(self, *_: object) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()

    def send(self, message: EmailMessage) -> Outcome:
        """Send one message; what the server answered."""
        try:
            smtp = self.smtp or self._open()
            refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            return _refusal(*next(iter(error.recipients.values())))
        except smtplib.SMTPDataError as error:
            return _refusal(error.smtp_code, error.smtp_error)
        except (smtplib.SMTPException, OSError) as error:
            # No connection, no TLS, wrong credentials, our sender refused: the deployment's trouble,
            # not this mail's, so it is retried, and the round stops.
            self._drop()
            return Outcome(_truncate(f"{type(error).__name__}: {error}"), broken=True)
        if refused:  # only with several recipients; a mail has one
            return _refusal(*next(iter(refused.values())))
        return Outcome()

    def _drop(self) -> None:
        if self.smtp is not None:
            self.smtp.close()
            self.smtp = None

    def _open(self) -> smtplib.SMTP:
        settings = self.settings
        context = settings.tls_context or ssl.create_default_context()
        smtp: smtplib.SMTP
        if settings.security is Security.TLS:
            smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        try:
            if settings.security is Security.STARTTLS:
                # starttls() refuses a server that does not offer it: never fall back to plain text.
                smtp.starttls(context=context)
            if settings.username is not None:
                smtp.login(settings.username, settings.password or "")
        except BaseException:
            smtp.close()
            raise
        self.smtp = smtp
        return smtp


def _refusal(code: int, text: bytes | str) -> Outcome:
    """The server's refusal of this mail: permanent when its code is 5xx."""
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return Outcome(_truncate(f"SMTP {code} {said}".strip()), permanent=500 <= code < 600)


def _truncate(text: str) -> str:
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"

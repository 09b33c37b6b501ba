"""People are told by e-mail, sent by the worker over a real SMTP dialogue (aiosmtpd on loopback).

Orders are driven through the API as the parties' systems drive them; the worker's round
(`broker.cli.worker.run_once`) sends the mail outbox to the server, on the tests' frozen clock.
"""

import uuid
from collections.abc import Callable
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import argon2
import pytest
import requests
import sqlalchemy as sa
from mail_helpers import PUBLIC_URL
from mail_helpers import SENDER
from mail_helpers import SmtpServer

from broker.cli.worker import run_once
from broker.notify.mail import operations as mail_operations
from broker.notify.models import MailMessage
from broker.notify.models import MailTopic
from broker.parties.models import Addressee
from broker.parties.models import User
from broker.parties.people import passwords
from broker.parties.people.operations import credentials

EMERGENCY = {"emergency": True, "emergency_justification": "A threat to life: the victim is held now."}
DESK = "desk-247@examplemail.test"


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "HASHER", argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def person(database: Any, clock: Any, network: Any) -> Callable[[str], str]:
    """person("provider") gives that party's user a portal password (people are mailed; machines are not)."""

    def add(handle: str) -> str:
        with database.transaction() as session:
            user = session.scalars(sa.select(User).where(User.email == f"{handle}@example.test")).one()
            credentials.set_password(session, clock, user, f"correct horse battery staple {handle}")
            return user.email

    return add


@pytest.fixture
def work(database: Any, clock: Any, smtp: SmtpServer) -> Callable[[], list[str]]:
    """One round of the worker, with mail configured for the test server; what it said."""

    def round_() -> list[str]:
        said: list[str] = []
        run_once(database, clock, None, requests.Session(), said.append, mail=smtp.settings())
        return said

    return round_


@pytest.fixture
def outbox(database: Any) -> Callable[[], list[MailMessage]]:
    def rows() -> list[MailMessage]:
        with database.transaction() as session:
            found = session.scalars(
                sa.select(MailMessage).order_by(MailMessage.created_at, MailMessage.to_address)
            )
            return list(found)

    return rows


def test_an_arriving_order_is_mailed_naming_it_and_linking_to_it_without_its_content(
    exchange, person, work, smtp, outbox, clock
):
    provider, prosecutor = person("provider"), person("prosecutor")
    order = exchange.issue(exchange.draft())
    work()

    (mail,) = smtp.mailbox.received
    assert mail["To"] == provider, "the order arrives at the provider; its author is not told"
    assert smtp.mailbox.to(prosecutor) == []
    assert smtp.mailbox.envelopes == [(SENDER, [provider])]
    assert mail["Subject"] == f"New European Production Order {order['id'][:8]}"
    assert mail.get_content().splitlines()[0] == "A European Production Order has arrived."
    assert mail["Auto-Submitted"] == "auto-generated"
    (row,) = outbox()
    assert mail["Message-ID"] == f"<{row.id}@broker.test>", "a retry is recognisably the same mail"
    text = mail.get_content()
    assert f"{PUBLIC_URL}/orders/{order['id']}" in text
    assert f"{PUBLIC_URL}/account/mail" in text, "it says where to choose what one receives"
    certificate = order["certificate"]
    for content in (
        certificate["issuing_authority"]["file_number"],
        certificate["targets"][0]["value"],
        certificate["offence"]["description"],
        certificate["case_summary"],
        "subscriber",
    ):
        assert content not in text and content not in mail["Subject"]
    assert (row.topic, row.sent_at, row.attempts, row.last_error) == (
        MailTopic.ORDER_ARRIVED,
        clock(),
        1,
        None,
    )

    work()
    assert len(smtp.mailbox.received) == 1, "a sent mail is not sent again"


def test_no_mail_is_queued_for_a_change_that_did_not_happen(exchange, network, person, outbox, client):
    person("provider")
    draft = exchange.draft()
    forged = network["other_authority"].sign("epoc", draft["certificate"], draft["provider"]["id"])
    refused = client.post(
        f"/api/v1/orders/{draft['id']}/issue",
        data=forged,
        content_type="application/jose",
        headers=network["prosecutor"].headers,
    )
    assert refused.status_code >= 400
    assert outbox() == [], "the mail is written in the change's transaction, and rolled back with it"


def test_an_emergency_order_goes_at_once_to_the_24_7_mailbox_and_first(
    exchange, network, person, work, smtp, outbox, database, clock
):
    provider = person("provider")
    with database.transaction() as session:
        session.get_one(Addressee, uuid.UUID(network.addressees["provider"])).emergency_email = DESK
    exchange.issue(exchange.draft())
    clock.advance(seconds=1)
    urgent = exchange.issue(exchange.draft(**EMERGENCY))
    work()

    sent = [(mail["To"], mail["Subject"].startswith("Emergency")) for mail in smtp.mailbox.received]
    assert sorted(sent[:2]) == [(DESK, True), (provider, True)], "emergencies first"
    assert sent[2:] == [(provider, False)]
    desk = smtp.mailbox.to(DESK)[0]
    assert desk["Subject"] == f"Emergency: new European Production Order {urgent['id'][:8]}"
    assert desk["Importance"] == "high"
    assert "registered as a 24/7 contact" in desk.get_content()
    assert next(row for row in outbox() if row.to_address == DESK).user_id is None


def test_the_24_7_mailbox_is_told_even_when_nobody_chose_arrivals(
    exchange, network, person, work, smtp, database, clock
):
    person("provider")
    with database.transaction() as session:
        session.get_one(Addressee, uuid.UUID(network.addressees["provider"])).emergency_email = DESK
        user = session.scalars(sa.select(User).where(User.email == "provider@example.test")).one()
        mail_operations.choose(session, clock, user.id, {MailTopic.DEADLINE_PASSED})
    exchange.issue(exchange.draft(**EMERGENCY))
    work()
    assert [mail["To"] for mail in smtp.mailbox.received] == [DESK]


def test_an_answer_is_mailed_to_the_party_it_is_addressed_to(exchange, person, work, smtp):
    provider, prosecutor = person("provider"), person("prosecutor")
    order = exchange.receive(exchange.issue(exchange.draft()))
    work()
    smtp.mailbox.received.clear()
    exchange.respond(order)
    work()
    (mail,) = smtp.mailbox.received
    assert mail["To"] == prosecutor
    assert mail["Subject"] == f"Answer received: European Production Order {order['id'][:8]}"
    assert mail.get_content().splitlines()[0] == "A response has arrived on a European Production Order."
    assert smtp.mailbox.to(provider) == [], "the sender is not told of its own answer"


def test_a_person_who_refused_a_topic_is_not_mailed_it(exchange, person, work, smtp, database, clock):
    prosecutor = person("prosecutor")
    with database.transaction() as session:
        user = session.scalars(sa.select(User).where(User.email == prosecutor)).one()
        mail_operations.choose(session, clock, user.id, set(MailTopic) - {MailTopic.MESSAGE_RECEIVED})
    exchange.respond(exchange.receive(exchange.issue(exchange.draft())))
    work()
    assert smtp.mailbox.to(prosecutor) == []


def test_a_deadline_that_nears_and_one_that_passes_are_mailed_to_every_party(
    exchange, person, work, smtp, clock
):
    provider, prosecutor = person("provider"), person("prosecutor")
    order = exchange.receive(exchange.issue(exchange.draft()))
    due = clock() + timedelta(days=10)
    work()
    smtp.mailbox.received.clear()

    clock.advance(days=9)
    work()
    near = sorted(smtp.mailbox.received, key=lambda mail: mail["To"])
    assert [mail["To"] for mail in near] == [prosecutor, provider]
    assert {mail["Subject"] for mail in near} == {
        f"Deadline near: European Production Order {order['id'][:8]}"
    }
    text = near[0].get_content()
    assert text.splitlines()[0] == "The production deadline of a European Production Order nears."
    assert f"Due: {due:%Y-%m-%d %H:%M} UTC" in text
    smtp.mailbox.received.clear()

    clock.advance(days=1)
    work()
    passed = {mail["To"]: mail["Subject"] for mail in smtp.mailbox.received}
    assert passed == {
        who: f"Deadline passed: European Production Order {order['id'][:8]}" for who in (prosecutor, provider)
    }


def test_a_server_that_cannot_be_reached_is_tried_again_with_backoff(
    exchange, person, work, smtp, outbox, clock
):
    person("provider")
    exchange.issue(exchange.draft())
    smtp.stop()
    first = clock()
    work()
    (row,) = outbox()
    assert (row.attempts, row.sent_at, row.failed_at) == (1, None, None)
    assert "ConnectionRefusedError" in row.last_error
    assert row.next_attempt_at == first + timedelta(seconds=30)

    smtp.start()
    clock.advance(seconds=29)
    work()
    assert smtp.mailbox.received == [], "not before its time"
    clock.advance(seconds=1)
    work()
    assert len(smtp.mailbox.received) == 1
    (row,) = outbox()
    assert (row.attempts, row.sent_at, row.last_error) == (2, clock(), None)


def test_a_permanent_refusal_fails_at_once_and_a_temporary_one_is_retried(
    exchange, person, work, smtp, outbox, clock
):
    provider, enforcing = person("provider"), person("enforcing")
    smtp.mailbox.answers[provider] = "550 5.1.1 No such mailbox"
    exchange.issue(exchange.draft())
    work()
    (row,) = outbox()
    assert (row.failed_at, row.attempts, row.last_error) == (clock(), 1, "SMTP 550 5.1.1 No such mailbox")

    smtp.mailbox.answers[provider] = "451 4.3.0 Try again later"
    exchange.issue(exchange.draft())
    work()
    retried = next(row for row in outbox() if row.failed_at is None)
    assert (retried.sent_at, retried.last_error) == (None, "SMTP 451 4.3.0 Try again later")
    assert retried.next_attempt_at == clock() + timedelta(seconds=30)
    assert enforcing not in [row.to_address for row in outbox()], "not notified: not told"


def test_mail_waits_past_its_retry_window_only_until_one_more_attempt_fails(
    exchange, person, work, smtp, outbox, clock
):
    provider = person("provider")
    smtp.mailbox.answers[provider] = "451 4.3.0 Try again later"
    exchange.issue(exchange.draft())
    work()
    clock.advance(hours=24)
    work()
    (row,) = outbox()
    assert row.failed_at == clock(), "retried for 24 hours, then given up, as webhooks are"

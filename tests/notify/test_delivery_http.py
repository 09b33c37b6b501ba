"""Delivering the outbox over HTTP: signed with the broker's key, retried with backoff for at least 24 hours."""

from datetime import timedelta

import pytest
import requests
import sqlalchemy as sa

from broker import crypto
from broker.notify.models import WebhookEndpoint
from broker.notify.operations import backoff

HOOK = "https://hooks.examplemail.test/broker"


def test_a_delivery_is_a_jws_the_receiver_verifies_with_the_published_key(
    client, network, hook, notify, receiver, deliver, outbox, clock
):
    hook("provider", HOOK)
    receiver.post(HOOK, status=200)
    (message,) = notify("provider", event="order.issued", details={"note": "ids only"})

    assert deliver() == 1

    (call,) = receiver.calls
    request = call.request
    assert request.headers["Content-Type"] == "application/jose"
    assert request.headers["X-Broker-Event"] == "order.issued"
    assert request.headers["X-Broker-Delivery"] == str(message.id)
    assert request.headers["X-Broker-Emergency"] == "false"
    published = client.get("/api/v1/webhooks/signing-key", headers=network["provider"].headers).get_json()
    token = request.body.decode("ascii")
    assert crypto.jws_header(token) == {"alg": "EdDSA", "kid": published["kid"]}
    assert published["kid"] == crypto.jwk_thumbprint(published["jwk"])
    assert crypto.verify_jws(token, published["jwk"]) == message.payload.encode("utf-8")

    (delivered,) = outbox()
    assert (delivered.status, delivered.delivered_at, delivered.attempts) == ("delivered", clock(), 1)
    assert [(a.number, a.status_code, a.error) for a in delivered.history] == [(1, 200, None)]
    assert deliver() == 0
    assert len(receiver.calls) == 1


def test_another_key_does_not_verify_a_delivery(hook, notify, receiver, deliver):
    hook("provider", HOOK)
    receiver.post(HOOK, status=204)
    notify("provider")
    deliver()
    stranger = crypto.public_jwk(crypto.generate_private_key("EdDSA"))
    with pytest.raises(crypto.InvalidSignature):
        crypto.verify_jws(receiver.calls[0].request.body.decode("ascii"), stranger)


def test_a_failure_is_retried_after_the_backoff_to_the_second(
    hook, notify, receiver, deliver, outbox, clock, start
):
    hook("provider", HOOK)
    receiver.post(HOOK, status=500)
    receiver.post(HOOK, status=204)
    notify("provider")

    assert deliver() == 1
    (message,) = outbox()
    assert (message.status, message.attempts, message.next_attempt_at) == (
        "pending",
        1,
        start + timedelta(seconds=30),
    )
    assert message.last_error == "HTTP 500 Internal Server Error"
    clock.advance(seconds=29)
    assert deliver() == 0
    clock.advance(seconds=1)
    assert deliver() == 1

    (message,) = outbox()
    assert (message.status, message.attempts, message.delivered_at) == (
        "delivered",
        2,
        start + timedelta(seconds=30),
    )
    assert message.last_error is None
    assert [(a.number, a.attempted_at, a.status_code, a.error) for a in message.history] == [
        (1, start, 500, "HTTP 500 Internal Server Error"),
        (2, start + timedelta(seconds=30), 204, None),
    ]


def test_a_connection_error_is_recorded_and_retried(hook, notify, receiver, deliver, outbox, start):
    hook("provider", HOOK)
    receiver.post(HOOK, body=requests.ConnectionError("connection refused"))
    notify("provider")

    assert deliver() == 1

    (message,) = outbox()
    (attempt,) = message.history
    assert attempt.status_code is None
    assert attempt.error == message.last_error == "ConnectionError: connection refused"
    assert (message.status, message.next_attempt_at) == ("pending", start + timedelta(seconds=30))


def test_a_redirect_is_a_failure_and_is_not_followed(hook, notify, receiver, deliver, outbox):
    hook("provider", HOOK)
    receiver.post(HOOK, status=307, headers={"Location": "https://elsewhere.test/"})
    notify("provider")

    deliver()

    assert [call.request.url for call in receiver.calls] == [HOOK]
    (message,) = outbox()
    assert (message.status, message.history[0].status_code) == ("pending", 307)


@pytest.mark.parametrize(
    ("attempts", "wait"),
    [
        (1, timedelta(seconds=30)),
        (2, timedelta(minutes=1)),
        (7, timedelta(minutes=32)),
        (8, timedelta(hours=1)),
        (100, timedelta(hours=1)),
        (10**6, timedelta(hours=1)),
    ],
)
def test_backoff_doubles_from_30_seconds_up_to_an_hour(attempts, wait):
    assert backoff(attempts) == wait


def test_there_is_no_backoff_before_an_attempt():
    with pytest.raises(ValueError, match="at least one attempt"):
        backoff(0)


def test_retries_go_on_for_24_hours_then_the_message_fails(
    hook, notify, receiver, deliver, outbox, clock, start
):
    hook("provider", HOOK)
    receiver.post(HOOK, status=503)
    notify("provider")
    # 30 s doubling to the hourly cap: 0, 30 s, 1.5 min, ... 3810 s, then hourly until the 24th hour,
    # when the last attempt is made exactly 24 hours after the event.
    expected = [0, 30, 90, 210, 450, 930, 1890, 3810] + [3810 + 3600 * k for k in range(1, 23)] + [86400]

    made = []
    while True:
        made.append(int((clock() - start).total_seconds()))
        assert deliver() == 1
        (message,) = outbox()
        if message.status != "pending":
            break
        assert deliver() == 0, "nothing is attempted before its time"
        clock.now = message.next_attempt_at

    assert made == expected
    assert (message.status, message.failed_at, message.attempts) == (
        "failed",
        start + timedelta(hours=24),
        31,
    )
    assert [a.number for a in message.history] == list(range(1, 32))
    assert message.last_error == "HTTP 503 Service Unavailable"
    clock.advance(days=30)
    assert deliver() == 0
    assert len(receiver.calls) == 31


def test_emergencies_go_first_and_say_so(hook, notify, receiver, deliver, clock):
    hook("provider", HOOK)
    receiver.post(HOOK, status=200)
    (ordinary,) = notify("provider", event="order.issued")
    clock.advance(seconds=1)
    (older,) = notify("provider", event="order.received")
    clock.advance(seconds=1)
    (urgent,) = notify("provider", event="order.issued", emergency=True)

    assert deliver(limit=1) == 1
    assert deliver() == 2

    sent = [
        (c.request.headers["X-Broker-Delivery"], c.request.headers["X-Broker-Emergency"])
        for c in receiver.calls
    ]
    assert sent == [(str(urgent.id), "true"), (str(ordinary.id), "false"), (str(older.id), "false")]


def test_the_limit_bounds_one_round(hook, notify, receiver, deliver, outbox):
    hook("provider", HOOK)
    receiver.post(HOOK, status=200)
    for _ in range(3):
        notify("provider")
    assert deliver(limit=2) == 2
    assert [m.status for m in outbox()].count("pending") == 1


class Crash(BaseException):
    """The worker dies mid-delivery (a kill, an OOM, a lost connection to the database)."""


def test_a_worker_dying_mid_delivery_loses_nothing_and_counts_nothing(
    hook, notify, receiver, deliver, outbox, start
):
    hook("provider", HOOK)

    def die(request):
        raise Crash

    receiver.add_callback("POST", HOOK, callback=die)
    (message,) = notify("provider")
    with pytest.raises(Crash):
        deliver()

    (pending,) = outbox()
    assert (pending.status, pending.attempts, pending.history, pending.next_attempt_at) == (
        "pending",
        0,
        [],
        start,
    )

    receiver.replace("POST", HOOK, status=200)
    assert deliver() == 1
    # At least once: the receiver may have seen the first call, and deduplicates on X-Broker-Delivery.
    assert {c.request.headers["X-Broker-Delivery"] for c in receiver.calls} == {str(message.id)}
    (delivered,) = outbox()
    assert (delivered.status, [a.number for a in delivered.history]) == ("delivered", [1])


def test_a_message_for_an_endpoint_removed_meanwhile_fails_without_a_call(
    hook, notify, receiver, deliver, outbox, database, clock
):
    endpoint = hook("provider", HOOK)
    notify("provider")
    with database.transaction() as session:
        # Removed by a transaction that committed after the message was queued but missed it.
        session.execute(
            sa.update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id).values(disabled_at=clock())
        )

    assert deliver() == 0

    assert len(receiver.calls) == 0
    (message,) = outbox()
    assert (message.status, message.attempts, message.history) == ("failed", 0, [])
    assert message.last_error == "the endpoint was removed before delivery"

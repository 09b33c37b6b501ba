"""The outbox is written in the caller's transaction, for the active endpoints of the named parties only."""

import json
import uuid
from datetime import timedelta

import pytest

from broker import crypto
from broker.notify import operations
from broker.vocabulary import OrderState


def test_one_row_per_active_endpoint_of_each_named_organisation(hook, notify, outbox, database, clock, actor):
    first = hook("provider", "https://a.examplemail.test/hook")
    second = hook("provider", "https://b.examplemail.test/hook")
    removed = hook("provider", "https://c.examplemail.test/hook")
    with database.transaction() as session:
        operations.disable_endpoint(session, clock, actor("provider"), removed.id)
    prosecutor = hook("prosecutor", "https://hooks.parquet.test/broker")
    hook("other_provider", "https://hooks.othercloud.test/broker")

    written = notify("provider", "prosecutor", "enforcing")

    assert {m.endpoint_id for m in written} == {first.id, second.id, prosecutor.id}
    assert {m.id for m in outbox()} == {m.id for m in written}
    assert all(m.next_attempt_at == clock() and m.attempts == 0 and m.status == "pending" for m in written)


def test_naming_an_organisation_twice_queues_each_message_once(hook, notify):
    hook("provider")
    assert len(notify("provider", "provider")) == 1


def test_nothing_is_queued_for_organisations_without_endpoints(notify, outbox):
    assert notify("provider", "prosecutor") == []
    assert notify() == []
    assert outbox() == []


def test_the_payload_is_the_canonical_document_with_the_order_summary(hook, notify, order, clock):
    hook("provider")
    deadline = clock() + timedelta(days=10)
    (message,) = notify(
        "provider",
        event="order.issued",
        order=order,
        emergency=True,
        details={"deadline": deadline, "state": OrderState.ISSUED, "message_id": order.id},
    )
    document = json.loads(message.payload)
    assert message.payload == crypto.canonicalize(document).decode("utf-8")
    assert document == {
        "id": str(message.id),
        "event": "order.issued",
        "occurred_at": "2026-11-24T09:00:00Z",
        "emergency": True,
        "order": {"id": str(order.id), "order_type": "epoc", "state": "issued"},
        "details": {"deadline": "2026-12-04T09:00:00Z", "state": "issued", "message_id": str(order.id)},
    }
    assert (message.order_id, message.emergency, message.event) == (order.id, True, "order.issued")


def test_an_event_without_an_order_says_so(hook, notify):
    hook("provider")
    (message,) = notify("provider", event="key.expiring", details={"kid": "abc"})
    assert json.loads(message.payload)["order"] is None
    assert message.order_id is None


def test_each_endpoint_gets_its_own_delivery_id(hook, notify):
    hook("provider", "https://a.examplemail.test/hook")
    hook("provider", "https://b.examplemail.test/hook")
    messages = notify("provider")
    ids = [json.loads(m.payload)["id"] for m in messages]
    assert ids == [str(m.id) for m in messages]
    assert len(set(ids)) == 2


class Boom(Exception):
    pass


def test_the_rows_roll_back_with_the_callers_transaction(hook, database, clock, network, outbox):
    hook("provider")
    with pytest.raises(Boom), database.transaction() as session:
        written = operations.enqueue(
            session,
            clock,
            event="order.issued",
            organisation_ids=[uuid.UUID(network["provider"].organisation_id)],
            order=None,
            emergency=False,
            details={},
        )
        assert len(written) == 1
        raise Boom("the state change failed after the notification was queued")
    assert outbox() == []


def test_the_rows_commit_with_the_callers_transaction(hook, database, clock, network, rows):
    hook("provider")
    with database.transaction() as session:
        operations.enqueue(
            session,
            clock,
            event="order.issued",
            organisation_ids=[uuid.UUID(network["provider"].organisation_id)],
            order=None,
            emergency=False,
            details={},
        )
    assert rows("outbox_messages") == 1

"""Which changes to an order are mailed, and to whom: the people of the party each change concerns.

- an order **arrives**: issued (to the provider, and to the enforcing authority notified under
  Art. 8) or sent for enforcement under Art. 16 (to that enforcing authority); an emergency order
  also goes at once to the addressee's 24/7 mailbox, whatever anyone chose. An order that an authority
  serves (CETS 224 Art. 8, 9; COPO s.9) arrives at that authority when issued, and at the provider when
  served;
- a deadline **nears** (the clock's reminder) or **passes** (missed): to every party of the order;
- an **answer** or any other message arrives: to the party it is addressed to.

Each person receives a topic unless they refused it (broker/notify/mail/). Other changes are told by
webhook only.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import orm

from broker.clock import Clock
from broker.legal.routes import SERVED_BY_AUTHORITY
from broker.notify.mail.operations import Due
from broker.notify.mail.operations import OrderRef
from broker.notify.mail.operations import enqueue
from broker.notify.models import MailTopic
from broker.orders.models import Message
from broker.orders.models import Order

DEADLINE_TOPICS = {"clock.reminder": MailTopic.DEADLINE_NEAR, "deadline.missed": MailTopic.DEADLINE_PASSED}


def mail_people(
    session: orm.Session,
    clock: Clock,
    order: Order,
    event: str,
    details: dict[str, Any],
    parties: Sequence[uuid.UUID],
) -> None:
    """Queue the mails `event` calls for, in the caller's transaction; most events call for none."""
    reference = OrderRef(order.id, order.order_type.value, order.emergency)
    if event in ("order.issued", "order.served"):
        # An order that an authority serves (broker.legal.routes) arrives at that authority when issued, and
        # at the provider (its 24/7 mailbox too, in an emergency) only when served.
        later = event == "order.issued" and order.instrument in SERVED_BY_AUTHORITY
        authority = [order.enforcing_authority_id] if order.enforcing_authority_id else []
        told = (authority if later else [order.provider_id]) + (authority if event == "order.issued" else [])
        told = list(dict.fromkeys(told))
        at_once = (
            [order.addressee.emergency_email]
            if order.emergency and order.addressee.emergency_email and not later
            else []
        )
        enqueue(
            session,
            clock,
            topic=MailTopic.ORDER_ARRIVED,
            event=event,
            order=reference,
            organisation_ids=told,
            at_once=at_once,
        )
    elif event in DEADLINE_TOPICS:
        due = Due(str(details["clock"]), datetime.fromisoformat(str(details["due_at"])))
        enqueue(
            session,
            clock,
            topic=DEADLINE_TOPICS[event],
            event=event,
            order=reference,
            organisation_ids=parties,
            due=due,
        )
    elif event.startswith("order.") and "message" in details:
        message = session.get_one(Message, uuid.UUID(str(details["message"])))
        topic = (
            MailTopic.ORDER_ARRIVED if event == "order.enforcement-request" else MailTopic.MESSAGE_RECEIVED
        )
        enqueue(
            session, clock, topic=topic, event=event, order=reference, organisation_ids=[message.recipient_id]
        )

"""How the HI-1 door presents the broker's records: an order as broker.etsi sees it, statuses, identity.

Translation only: the order, its signed certificate and its running clock become a
broker.etsi.certificate.OrderView; an order's state becomes the Authorisation and task statuses a
provider's HI-1 system reads (values the broker chose are marked BROKER in docs/etsi.md).
"""

from sqlalchemy import orm

from broker.access import Actor
from broker.clocks import queries as clock_queries
from broker.etsi import names
from broker.etsi.certificate import OrderView
from broker.etsi.hi1 import Endpoint
from broker.lifecycle import Clock
from broker.orders.models import Order
from broker.parties.models import Organisation
from broker.vocabulary import MessageType

BROKER_COUNTRY = "EU"  # the broker serves the Union, not one State: its EndpointID's CountryCode
AUTHORISATION_STATUS = {
    "withdrawn": "Cancelled",
    "closed": "Expired",
    "refused": "Rejected",
    "enforcement_refused": "Rejected",
}
TASK_STATUS = {
    "acknowledged": "acknowledged",
    "produced": "answered",
    "preserved": "answered",
    "partially_produced": "PartiallyDisclosed",
    "not_executed": "NotExecuted",
    "withdrawn": "Cancelled",
}


def broker_endpoint(origin: str) -> Endpoint:
    """The broker's EndpointID: CountryCode EU, UniqueIdentifier its log origin (the deployment's name)."""
    return Endpoint(BROKER_COUNTRY, origin)


def party_endpoint(organisation: Organisation) -> Endpoint:
    """A party's EndpointID: its country and its organisation id."""
    return Endpoint(organisation.country or BROKER_COUNTRY, str(organisation.id))


def caller_endpoint(session: orm.Session, actor: Actor) -> Endpoint:
    return party_endpoint(session.get_one(Organisation, actor.organisation_id))


def order_view(session: orm.Session, order: Order) -> OrderView:
    """What broker.etsi needs of an order: certificate, signed certificate, notification, deadline, statuses."""
    kind = order.order_type.value
    signed = next(
        (m for m in order.messages if m.message_type in (MessageType.EPOC, MessageType.EPOC_PR)), None
    )
    running = {Clock.PRODUCTION.value, Clock.PRESERVATION.value}
    due = [
        c.due_at
        for c in clock_queries.of_order(session, order.id)
        if c.kind.value in running and c.status == "running"
    ]
    state = order.state.value
    task = TASK_STATUS.get(state)
    if task == "acknowledged":
        task = names.ACKNOWLEDGED[kind]
    elif task == "answered":
        task = names.ANSWERED[kind] if (state, kind) != ("preserved", "epoc") else None
    return OrderView(
        order_id=str(order.id),
        order_type=kind,
        certificate=order.certificate,
        jws=signed.jws if signed is not None else None,
        issued_at=order.issued_at,
        notified=order.enforcing_authority_id is not None,
        deadline=due[0] if due else None,
        authorisation_status=None if state == "draft" else AUTHORISATION_STATUS.get(state, "Active"),
        task_status=task,
        generation=len(order.messages),
        last_changed=order.updated_at,
    )

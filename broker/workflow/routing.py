"""The steps a treaty order may not take: the Regulation's own, which no Council of Europe route has.

The lifecycle table (broker.lifecycle) is the Regulation's. An order under Budapest Art. 29 or CETS 224
shares its messages and clocks, but the Regulation's review by the enforcing State, its enforcement
procedure and its extension of preservation are EU law: applied to a treaty order they would hold,
enforce or shorten what the treaty does not. Each is refused here with the treaty's own way forward,
read from the order's route (broker.legal.routes).
"""

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import orm

from broker import problems
from broker.legal.routes import SERVED_BY_AUTHORITY
from broker.legal.routes import TREATY_ROUTES
from broker.legal.routes import Refusal
from broker.legal.routes import Route
from broker.lifecycle import Via
from broker.orders.inbound import VerifiedMessage
from broker.orders.models import Order
from broker.vocabulary import Instrument
from broker.vocabulary import MessageType

REG = "Regulation (EU) 2023/1543"

# message -> the Regulation's article that alone provides it.
REGULATION_ONLY: Mapping[MessageType, str] = {
    MessageType.ENFORCING_REVIEW: f"the enforcing State's review ({REG}, Art. 12)",
    MessageType.ENFORCEMENT_REQUEST: f"enforcement by the addressee's State ({REG}, Art. 16)",
    MessageType.PRESERVATION_EXTENSION: f"an extension by 30 days ({REG}, Art. 11(1))",
}


def treaty_route(order: Order) -> Route | None:
    """The Council of Europe route of the order's instrument; None for the Regulation's own orders."""
    try:
        instrument = Instrument(order.instrument)
    except ValueError:
        return None  # a removal order's legal basis: not a treaty
    return TREATY_ROUTES.get(instrument)


def via(order: Order) -> Via:
    """Whether the order goes to the provider directly or through its route's authority."""
    return Via.AUTHORITY if order.instrument in SERVED_BY_AUTHORITY else Via.DIRECT


def refuse_off_route(order: Order, event: MessageType) -> None:
    """Refuse a Regulation-only step on a treaty order, naming what the treaty leaves instead."""
    route = treaty_route(order)
    if route is None or event not in REGULATION_ONLY:
        return
    instead = " or ".join(route.follow_up)
    raise problems.TransitionNotAllowed(
        f"{event.value!r} is {REGULATION_ONLY[event]}, which an order under {route.name} does not have; "
        f"under its route ({route.citation}) the issuing side may pursue it only by {instead}",
        state=order.state.value,
    )


def refusal_on_route(session: orm.Session, now: datetime, order: Order, message: VerifiedMessage) -> None:
    """A requested-party-refusal: only on a route whose treaty lets the requested Party refuse, and only on
    the grounds it lists there (broker.legal.routes.Refusal), each refusal naming the article."""
    route = treaty_route(order)
    refusal: Refusal | None = None if route is None else route.refusal
    if route is None or refusal is None:
        where = f"under {route.name} ({route.citation})" if route else f"under {order.instrument}"
        raise problems.TransitionNotAllowed(
            f"an order {where} has no refusal by the requested Party the broker carries: only CETS 224 "
            "Art. 8 orders and Budapest Art. 29 requests may be refused so",
            state=order.state.value,
        )
    allowed = [ground.value for ground in refusal.grounds]
    wrong = [ground for ground in message.body["grounds"] if ground not in allowed]
    if wrong:
        raise problems.ValidationFailed(
            f"under {route.name} the requested Party may refuse only on the grounds of {refusal.citation}: "
            f"{', '.join(allowed)}; not {', '.join(wrong)}",
            errors={"body": {"grounds": [f"not a ground of {refusal.citation}: {', '.join(wrong)}"]}},
        )

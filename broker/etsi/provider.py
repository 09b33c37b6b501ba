"""The provider's side of the HI-1 door: the requests a provider's system sends to the broker.

A provider that already speaks TS 103 120 builds these itself; this module is for one that uses the
broker's Python package (the demo and the tests do): list and get its tasks, ask for the broker's
capabilities, and send a lifecycle message it has signed with its own key as an HI-1 answer.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from broker.etsi import answers
from broker.etsi import hi1
from broker.etsi.certificate import ldid
from broker.etsi.hi1 import Endpoint
from broker.etsi.hi1 import el
from broker.wire import envelope as wire


def queries(
    sender: Endpoint, broker: Endpoint, asks: Iterable[tuple[str, str | None]], now: datetime
) -> bytes:
    """GET (with an ObjectIdentifier), LIST and GETCSPCONFIG requests in one message."""
    actions = []
    for verb, identifier in asks:
        content = el(verb, el("Identifier", identifier)) if verb == "GET" and identifier else el(verb)
        actions.append((verb, content))
    return hi1.build(hi1.new_header(sender, broker, now), hi1.requests(actions))


def answer(sender: Endpoint, broker: Endpoint, order: dict[str, Any], jws: str, now: datetime) -> bytes:
    """A signed lifecycle message (`jws`, sealed with broker.wire.envelope) as an HI-1 answer.

    `order` is the order as the broker's API returns it (id, order_type, certificate).
    """
    sealed = wire.read_unverified(jws)
    actions = answers.render(
        order["order_type"], order["id"], ldid(order["certificate"], order["id"]), sealed, jws
    )
    return hi1.build(hi1.new_header(sender, broker, now), hi1.requests(actions))

"""A provider's transparency report, in the shape large providers publish, from the orders it received.

Per requesting country (the issuing authority's country on the signed certificate) and per legal
instrument, for orders the provider received (received_at) within [start, end), every instrument:

- requests: orders received, production and preservation alike;
- production_requests / preservation_requests: of which EPOCs and EPOC-PRs (any instrument);
- accounts_specified: the identifiers (certificate targets) the requests named;
- some_data_disclosed: requests answered with data produced or partially produced, and
  percentage_some_data_disclosed: that share of all requests (preservation included; divide by
  production_requests for the share of production requests);
- emergency / legal_process: requests flagged as emergencies, and all others.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from broker.clock import Clock
from broker.clock import to_rfc3339
from broker.orders.models import Order
from broker.parties.models import Organisation
from broker.reports.facts import PRODUCING
from broker.reports.facts import OrderFacts
from broker.reports.facts import collect
from broker.reports.figures import share
from broker.reports.period import Period
from broker.vocabulary import OrderType

DEFINITIONS = {
    "scope": "Orders the provider received (received_at) within [start, end), UTC, end excluded, under "
    "every legal instrument; requesting country is the issuing authority's country on the signed certificate.",
    "requests": "Orders received, production and preservation alike.",
    "production_requests": "Of the requests, production orders (EPOC and the Council of Europe equivalents).",
    "preservation_requests": "Of the requests, preservation orders (EPOC-PR and Budapest Convention Art. 29).",
    "accounts_specified": "Identifiers (accounts, addresses, numbers...) the requests named, counted per request.",
    "some_data_disclosed": "Requests answered with data produced or partially produced.",
    "percentage_some_data_disclosed": "some_data_disclosed as a percentage of requests (preservation included); "
    "null when there were no requests.",
    "emergency": "Requests flagged as emergencies.",
    "legal_process": "Requests not flagged as emergencies.",
}


def build(session: orm.Session, clock: Clock, period: Period, provider: Organisation) -> dict[str, Any]:
    """The transparency report of `provider` for `period`."""
    statement = (
        sa.select(Order)
        .where(
            Order.provider_id == provider.id,
            Order.received_at >= period.start,
            Order.received_at < period.end,
        )
        .order_by(Order.received_at, Order.id)
    )
    orders = collect(session, statement)
    countries = sorted({o.country for o in orders})
    return {
        "report": "transparency",
        "provider": {"id": str(provider.id), "name": provider.name},
        "period": period.to_dict(),
        "generated_at": to_rfc3339(clock()),
        "figures": {
            "total": with_instruments(orders),
            "by_country": {c: with_instruments([o for o in orders if o.country == c]) for c in countries},
        },
        "definitions": DEFINITIONS,
    }


def with_instruments(orders: Sequence[OrderFacts]) -> dict[str, Any]:
    """The row of these orders, and one per instrument among them."""
    instruments = sorted({o.instrument for o in orders})
    return {
        **row(orders),
        "by_instrument": {i: row([o for o in orders if o.instrument == i]) for i in instruments},
    }


def row(orders: Sequence[OrderFacts]) -> dict[str, Any]:
    """The published figures of these orders."""
    disclosed = sum(o.compliance in PRODUCING for o in orders)
    preservation = sum(o.order_type is OrderType.EPOC_PR for o in orders)
    return {
        "requests": len(orders),
        "production_requests": len(orders) - preservation,
        "preservation_requests": preservation,
        "accounts_specified": sum(o.targets for o in orders),
        "some_data_disclosed": disclosed,
        "percentage_some_data_disclosed": share(disclosed, len(orders)),
        "emergency": sum(o.emergency for o in orders),
        "legal_process": sum(not o.emergency for o in orders),
    }

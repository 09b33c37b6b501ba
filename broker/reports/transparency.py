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

Like Art. 28, the figures are sums of tallies kept current as orders change (broker.reports.models),
per day, month and year of receipt, so the report reads a few rows per State and instrument.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import orm

from broker.clock import Clock
from broker.clock import to_rfc3339
from broker.parties.models import Organisation
from broker.reports import removal
from broker.reports.figures import share
from broker.reports.period import Period
from broker.reports.queries import transparency_tallies
from broker.vocabulary import OrderType


@dataclass(frozen=True)
class Received:
    """The orders received in the period with one requesting State, instrument, type, emergency, outcome."""

    country: str
    instrument: str
    order_type: str
    emergency: bool
    disclosed: bool
    requests: int
    targets: int


DEFINITIONS = {
    "scope": "Orders the provider received (received_at) within [start, end), UTC, end excluded, under "
    "every legal instrument; requesting country is the issuing authority's country on the signed certificate.",
    "requests": "Orders received, production and preservation alike.",
    "production_requests": "Of the requests, production orders (EPOC, the Council of Europe equivalents and "
    "UK overseas production orders).",
    "preservation_requests": "Of the requests, preservation orders (EPOC-PR and Budapest Convention Art. 29).",
    "accounts_specified": "Identifiers (accounts, addresses, numbers...) the requests named, counted per request.",
    "some_data_disclosed": "Requests answered with data produced or partially produced.",
    "percentage_some_data_disclosed": "some_data_disclosed as a percentage of requests (preservation included); "
    "null when there were no requests.",
    "emergency": "Requests flagged as emergencies.",
    "legal_process": "Requests not flagged as emergencies.",
}


def build(session: orm.Session, clock: Clock, period: Period, provider: Organisation) -> dict[str, Any]:
    """The transparency report of `provider` for `period`, from its tallies."""
    groups = [Received(*row) for row in session.execute(transparency_tallies(period, provider.id))]
    groups = [group for group in groups if group.requests]
    countries = sorted({g.country for g in groups})
    return {
        "report": "transparency",
        "provider": {"id": str(provider.id), "name": provider.name},
        "period": period.to_dict(),
        "generated_at": to_rfc3339(clock()),
        "figures": {
            "total": with_instruments(groups),
            "by_country": {c: with_instruments([g for g in groups if g.country == c]) for c in countries},
        },
        "definitions": DEFINITIONS,
        # Regulation (EU) 2021/784: the removal orders the provider was sent, from the orders themselves.
        "removal_orders": {
            "figures": removal.figures(session, period, provider=provider.id),
            "definitions": removal.DEFINITIONS,
        },
    }


def with_instruments(groups: Sequence[Received]) -> dict[str, Any]:
    """The row of these orders, and one per instrument among them."""
    instruments = sorted({g.instrument for g in groups})
    return {
        **row(groups),
        "by_instrument": {i: row([g for g in groups if g.instrument == i]) for i in instruments},
    }


def row(groups: Sequence[Received]) -> dict[str, Any]:
    """The published figures of these orders."""
    requests = sum(g.requests for g in groups)
    disclosed = sum(g.requests for g in groups if g.disclosed)
    preservation = sum(g.requests for g in groups if g.order_type == OrderType.EPOC_PR.value)
    emergency = sum(g.requests for g in groups if g.emergency)
    return {
        "requests": requests,
        "production_requests": requests - preservation,
        "preservation_requests": preservation,
        "accounts_specified": sum(g.targets for g in groups),
        "some_data_disclosed": disclosed,
        "percentage_some_data_disclosed": share(disclosed, requests),
        "emergency": emergency,
        "legal_process": requests - emergency,
    }

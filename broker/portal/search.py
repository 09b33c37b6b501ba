"""The oversight body's search over every order: the filters its GET form sends, checked, as one query.

The query is `queries.listing` (the API's GET /orders, newest first, through `visible_orders`)
narrowed by the filters, each a condition on a column of `orders` or the indexed `overdue()`
probe, and paged by keyset on (created_at, id). A filter that does not parse is an error on its
field, said on the page, never silently dropped: an auditor must not read "no orders" for a typo.
"""

import uuid
from collections.abc import Collection
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import TypeVar

import sqlalchemy as sa

from broker.access import Actor
from broker.orders import queries
from broker.orders.models import Order
from broker.portal.forms import Form
from broker.portal.i18n import gettext
from broker.vocabulary import OrderState

FIELDS = ("state", "issuing_authority", "provider", "created_from", "created_to", "emergency", "overdue")
YES_NO = {"yes": True, "no": False}
T = TypeVar("T")


@dataclass(frozen=True)
class Filters:
    """What the search is narrowed to; None (or False for `overdue`) narrows nothing."""

    state: OrderState | None = None
    issuing_authority: uuid.UUID | None = None
    provider: uuid.UUID | None = None
    created_from: date | None = None
    created_to: date | None = None  # the last day included
    emergency: bool | None = None
    overdue: bool = False


def read(
    args: Mapping[str, str], issuers: Collection[uuid.UUID], providers: Collection[uuid.UUID]
) -> tuple[Filters, Form]:
    """The filters in `args` (a query string) and the form to show them back, with an error per bad field."""
    form = Form({name: args[name] for name in FIELDS if name in args})
    state = _choice(
        form, "state", {state.value: state for state in OrderState}, gettext("Choose a state from the list")
    )
    issuer = _organisation(
        form, "issuing_authority", issuers, gettext("Choose an issuing authority from the list")
    )
    provider = _organisation(form, "provider", providers, gettext("Choose a service provider from the list"))
    created_from = _day(form, "created_from")
    created_to = _day(form, "created_to")
    if created_from and created_to and created_to < created_from:
        form.error("created_to", gettext("The last day must be the same as or after the first day"))
    emergency = _choice(form, "emergency", YES_NO, gettext("Choose whether the orders are emergencies"))
    overdue = _choice(form, "overdue", {"yes": True}, gettext("Choose whether to show only overdue orders"))
    filters = Filters(state, issuer, provider, created_from, created_to, emergency, bool(overdue))
    return filters, form


def statement(actor: Actor, filters: Filters) -> sa.Select[Order]:
    """The orders the actor may see that match `filters`, newest first (`queries.listing`'s order)."""
    found = queries.listing(actor, {"state": filters.state, "emergency": filters.emergency})
    if filters.issuing_authority is not None:
        found = found.where(Order.issuing_authority_id == filters.issuing_authority)
    if filters.provider is not None:
        found = found.where(Order.provider_id == filters.provider)
    if filters.created_from is not None:
        found = found.where(Order.created_at >= _midnight(filters.created_from))
    if filters.created_to is not None:
        found = found.where(Order.created_at < _midnight(filters.created_to + timedelta(days=1)))
    if filters.overdue:
        found = found.where(queries.overdue())
    return found


def _choice(form: Form, name: str, choices: Mapping[str, T], message: str) -> T | None:
    value = form.raw(name).strip()
    if not value:
        return None
    if value not in choices:
        form.error(name, message)
        return None
    return choices[value]


def _organisation(form: Form, name: str, known: Collection[uuid.UUID], message: str) -> uuid.UUID | None:
    value = form.raw(name).strip()
    if not value:
        return None
    try:
        found = uuid.UUID(value)
    except ValueError:
        found = None
    if found not in known:
        form.error(name, message)
        return None
    return found


def _day(form: Form, name: str) -> date | None:
    value = form.raw(name).strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        day = date.max
    if day == date.max:  # not a date, or one with no day after it to end the period
        form.error(name, gettext("Enter a real date, such as 2026-03-31"))
        return None
    return day


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)

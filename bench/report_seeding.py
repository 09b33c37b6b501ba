"""Seeding for bench/reports.py: N copies of the template orders, in SQL bulk inserts, then the tallies.

Each copy is a template order (bench/report_fates.py) with new ids, issued at another moment of 2027
with every other time moved by as much, from another issuing authority of the same type, to another
provider's addressee, asking for other data categories and naming other targets; its report_orders row
is the template's with the same changes, so the copies count exactly as the operations would count
them (tests/reports/test_bench_reports_smoke.py checks this against a rebuild).
"""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from random import Random
from typing import Any

import report_fates
import sqlalchemy as sa

from broker.clocks.models import OrderClock
from broker.db import Database
from broker.orders.models import Message
from broker.orders.models import Order
from broker.parties.models import Addressee
from broker.parties.models import Organisation
from broker.reports import operations
from broker.reports.models import CountedOrder
from broker.vocabulary import OrganisationKind

CHUNK = 2000  # orders per bulk insert
MiB = 1 << 20
ORDER_TIMES = ("created_at", "updated_at", "issued_at", "received_at", "answered_at", "transfer_released_at")
CLOCK_TIMES = ("started_at", "due_at", "reminder_at", "reminded_at", "paused_at", "fired_at")
EPOC_CATEGORIES = (
    (["subscriber"], 55),
    (["subscriber", "traffic"], 15),
    (["traffic"], 12),
    (["content"], 10),
)
EPOC_CATEGORIES += ((["traffic", "content"], 5), (["subscriber", "traffic", "content"], 3))
NOTIFIED_CATEGORIES = ((["traffic"], 50), (["content"], 35), (["traffic", "content"], 15))
PRESERVATION_CATEGORIES = (
    (["subscriber", "traffic"], 60),
    (["subscriber"], 20),
    (["traffic", "content"], 20),
)


@dataclass
class Template:
    """One real order and its rows, as the operations wrote them."""

    name: str
    weight: int
    order: dict[str, Any]
    messages: list[dict[str, Any]]
    clocks: list[dict[str, Any]]
    counted: dict[str, Any]


def load(database: Database, made: dict[str, tuple[str, int]]) -> list[Template]:
    """The rows each template order left in the database."""
    tables = (Order.__table__, Message.__table__, OrderClock.__table__, CountedOrder.__table__)
    orders, messages, clocks, counted = tables
    templates = []
    with database.engine.connect() as connection:
        for name, (order_id, weight) in made.items():
            key = uuid.UUID(order_id)

            def rows(table: Any, column: str, key: uuid.UUID = key) -> list[dict[str, Any]]:
                return [
                    dict(row)
                    for row in connection.execute(table.select().where(table.c[column] == key)).mappings()
                ]

            order = rows(orders, "id")[0]
            templates.append(
                Template(
                    name,
                    weight,
                    order,
                    rows(messages, "order_id"),
                    rows(clocks, "order_id"),
                    rows(counted, "order_id")[0],
                )
            )
    return templates


def seed(database: Database, templates: list[Template], size: int, random: Random) -> None:
    """`size` copies of the templates, CHUNK orders per transaction, then the tallies from report_orders.

    The rows go in as the database stores them (encode): PostgreSQL by COPY, SQLite by executemany,
    without SQLAlchemy's per-row work, which would take longer than the database itself.
    """
    authorities, addressees = pools(database)
    tables = (Order.__table__, Message.__table__, OrderClock.__table__, CountedOrder.__table__)
    dialect = database.engine.dialect.name
    encoders = [encoder(table, dialect) for table in tables]
    year = datetime(2027, 1, 1, tzinfo=UTC)
    for start in range(0, size, CHUNK):
        batch: tuple[list[dict[str, Any]], ...] = ([], [], [], [])
        count = min(CHUNK, size - start)
        for template in random.choices(templates, [t.weight for t in templates], k=count):
            when = year + timedelta(seconds=random.uniform(0, 365 * 86400))
            for rows, made in zip(batch, copy(template, when, random, authorities, addressees), strict=True):
                rows.extend(made)
        with database.engine.begin() as connection:
            for table, encode, rows in zip(tables, encoders, batch, strict=True):
                insert(connection, table, [encode(row) for row in rows])
    with database.transaction() as session:
        operations.retally(session)


def encoder(table: Any, dialect: str) -> Any:
    """A function giving a row (a dict of Python values) as the tuple the database driver takes."""
    columns = list(table.columns)
    sqlite = dialect == "sqlite"

    def convert(column: sa.Column[Any]) -> Any:
        kind = column.type
        if isinstance(kind, sa.Uuid):
            return (lambda v: v.hex) if sqlite else None
        if isinstance(kind, sa.TypeDecorator):  # UTCDateTime: naive UTC
            if sqlite:
                return lambda v: v.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
            return lambda v: v.astimezone(UTC).replace(tzinfo=None)
        if isinstance(kind, sa.JSON):
            return json.dumps
        if isinstance(kind, sa.Enum):
            return lambda v: v.value
        if isinstance(kind, sa.Boolean) and sqlite:
            return int
        return None

    conversions = [(column.name, convert(column)) for column in columns]

    def encode(row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(
            value if convert is None or value is None else convert(value)
            for value, convert in ((row[name], convert) for name, convert in conversions)
        )

    return encode


def insert(connection: sa.Connection, table: Any, rows: list[tuple[Any, ...]]) -> None:
    """Bulk insert of encoded rows: COPY on PostgreSQL, executemany on SQLite."""
    names = ", ".join(column.name for column in table.columns)
    if connection.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in table.columns)
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)  # noqa: S608
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copying:
        for row in rows:
            copying.write_row(row)


def pools(database: Database) -> tuple[dict[str, list[tuple[Any, ...]]], list[tuple[Any, ...]]]:
    """Issuing authorities per authority type (weighted by State) and addressees (weighted by provider)."""
    with database.engine.connect() as connection:
        issuing = connection.execute(
            sa.select(
                Organisation.id, Organisation.name, Organisation.country, Organisation.authority_type
            ).where(
                Organisation.kind == OrganisationKind.ISSUING_AUTHORITY, Organisation.name.not_like("Juge%")
            )
        ).all()
        named = connection.execute(
            sa.select(
                Addressee.id, Addressee.provider_id, Organisation.name, Addressee.country, Addressee.name
            )
            .join(Organisation, Organisation.id == Addressee.provider_id)
            .where(Addressee.country != "US")
        ).all()
    authorities: dict[str, list[tuple[Any, ...]]] = {}
    for row in issuing:
        authorities.setdefault(row.authority_type.value, []).append((*row, report_fates.STATES[row.country]))
    return authorities, [(*row, report_fates.PROVIDERS[row[2]][1]) for row in named]


def copy(
    template: Template,
    when: datetime,
    random: Random,
    authorities: dict[str, list[Any]],
    addressees: list[Any],
) -> tuple[list[dict[str, Any]], ...]:
    """One copy of `template` issued at `when`, its other times moved with it, its parties and content varied."""
    shift = when - template.order["issued_at"]
    order, counted = dict(template.order), dict(template.counted)
    order["id"] = counted["order_id"] = uuid.uuid4()
    for name in ORDER_TIMES:
        if order[name] is not None:
            order[name] += shift
    counted["issued_at"] = order["issued_at"]
    counted["received_at"] = order["received_at"]
    certificate = dict(order["certificate"])
    issuer = certificate["issuing_authority"]
    same_kind = authorities[issuer["authority_type"]]
    authority_id, authority, country, _, _ = random.choices(same_kind, [a[-1] for a in same_kind])[0]
    order["issuing_authority_id"] = authority_id
    certificate["issuing_authority"] = issuer | {
        "organisation": str(authority_id),
        "name": authority,
        "country": country,
    }
    counted["country"] = country
    if template.counted["instrument"] == "reg-2023-1543":
        addressee_id, provider_id, provider, where, name, _ = random.choices(
            addressees, [a[-1] for a in addressees]
        )[0]
        order["addressee_id"], order["provider_id"] = addressee_id, provider_id
        certificate["addressee"] = certificate["addressee"] | {
            "id": str(addressee_id),
            "provider": {"organisation": str(provider_id), "name": provider},
            "name": name,
            "country": where,
        }
        counted["provider_id"], counted["addressee"] = provider_id, f"{provider} ({where})"
        choices = (
            PRESERVATION_CATEGORIES if template.counted["order_type"].value == "epoc-pr" else EPOC_CATEGORIES
        )
        choices = NOTIFIED_CATEGORIES if template.counted["notified"] else choices
        categories = random.choices([c for c, _ in choices], [w for _, w in choices])[0]
        certificate["data_categories"] = counted["categories"] = list(categories)
        targets = [
            {"type": "account", "value": f"account-{n}"} for n in range(random.choice((1, 1, 1, 2, 3)))
        ]
        certificate["targets"], counted["targets"] = targets, len(targets)
    order["certificate"] = certificate
    ids = {message["id"]: uuid.uuid4() for message in template.messages}
    messages = []
    for message in template.messages:
        new = dict(message, id=ids[message["id"]], order_id=order["id"])
        new["in_reply_to"] = ids.get(message["in_reply_to"], message["in_reply_to"])
        new["issued_at"], new["received_at"] = message["issued_at"] + shift, message["received_at"] + shift
        messages.append(new)
    clocks = []
    for clock in template.clocks:
        new = dict(clock, id=uuid.uuid4(), order_id=order["id"])
        for name in CLOCK_TIMES:
            if new[name] is not None:
                new[name] += shift
        clocks.append(new)
    return [order], messages, clocks, [counted]

"""Keep each issued order's report facts and their tallies per day, month and year

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 19:13:18.708671

The orders already stored are counted here, from their signed messages and clocks, with a copy of
broker.reports.facts and broker.reports.tallies as they stand at this revision (migrations never
import broker code, which moves on); `broker.reports.operations.rebuild` gives the same rows.
"""

import base64
import json
from collections.abc import Iterator
from collections.abc import Sequence
from datetime import date
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _order_type() -> sa.Enum:
    """order_type as the orders table has it: VARCHAR(32) with a named CHECK, one per table."""
    return sa.Enum("epoc", "epoc-pr", name="order_type", native_enum=False, create_constraint=True, length=32)


SPAN_CHECK = "span IN ('day', 'month', 'year')"


def upgrade() -> None:
    op.create_table(
        "report_art28_tallies",
        sa.Column("span", sa.String(length=8), nullable=False),
        sa.Column("bucket", sa.Date(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("order_type", _order_type(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("partial", sa.Boolean(), nullable=False),
        sa.Column("notified", sa.Boolean(), nullable=False),
        sa.Column("refusal_ground", sa.String(length=64), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=300), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("data_orders", sa.Integer(), nullable=False),
        sa.Column("data_us", sa.BigInteger(), nullable=False),
        sa.Column("confirmations", sa.Integer(), nullable=False),
        sa.Column("confirmation_us", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(SPAN_CHECK, name=op.f("ck_report_art28_tallies_span")),
        sa.PrimaryKeyConstraint(
            "span",
            "bucket",
            "country",
            "order_type",
            "status",
            "reason",
            "partial",
            "notified",
            "refusal_ground",
            "dimension",
            "value",
            name=op.f("pk_report_art28_tallies"),
        ),
    )
    op.create_table(
        "report_transparency_tallies",
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("span", sa.String(length=8), nullable=False),
        sa.Column("bucket", sa.Date(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("instrument", sa.String(length=32), nullable=False),
        sa.Column("order_type", _order_type(), nullable=False),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("disclosed", sa.Boolean(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("targets", sa.Integer(), nullable=False),
        sa.CheckConstraint(SPAN_CHECK, name=op.f("ck_report_transparency_tallies_span")),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["organisations.id"],
            name=op.f("fk_report_transparency_tallies_provider_id_organisations"),
        ),
        sa.PrimaryKeyConstraint(
            "provider_id",
            "span",
            "bucket",
            "country",
            "instrument",
            "order_type",
            "emergency",
            "disclosed",
            name=op.f("pk_report_transparency_tallies"),
        ),
    )
    op.create_table(
        "report_orders",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("instrument", sa.String(length=32), nullable=False),
        sa.Column("order_type", _order_type(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("addressee", sa.String(length=300), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("targets", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("compliance", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("notified", sa.Boolean(), nullable=False),
        sa.Column("refusal_ground", sa.String(length=64), nullable=True),
        sa.Column("enforcement", sa.String(length=32), nullable=True),
        sa.Column("ex_post", sa.String(length=32), nullable=True),
        sa.Column("data_after_us", sa.BigInteger(), nullable=True),
        sa.Column("confirmation_after_us", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_report_orders_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["organisations.id"], name=op.f("fk_report_orders_provider_id_organisations")
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_report_orders")),
    )
    _count_stored_orders(op.get_bind())


def downgrade() -> None:
    op.drop_table("report_orders")
    op.drop_table("report_transparency_tallies")
    op.drop_table("report_art28_tallies")


# The stored orders, counted as broker.reports (facts, tallies) counts them at this revision.

ORDERS = sa.table(
    "orders",
    *(sa.column(name) for name in ("order_type", "state", "instrument")),
    *(sa.column(name, sa.Uuid()) for name in ("id", "provider_id", "enforcing_authority_id")),
    sa.column("certificate", sa.JSON()),
    *(
        sa.column(name, sa.Boolean())
        for name in ("emergency", "ex_post_validation_required", "deletion_required")
    ),
    *(sa.column(name, sa.DateTime()) for name in ("issued_at", "received_at")),
)
MESSAGES = sa.table(
    "messages",
    sa.column("id", sa.Uuid()),
    sa.column("order_id", sa.Uuid()),
    sa.column("message_type"),
    sa.column("received_at", sa.DateTime()),
    sa.column("jws"),
)
CLOCKS = sa.table(
    "order_clocks",
    sa.column("order_id", sa.Uuid()),
    sa.column("kind"),
    sa.column("status"),
    sa.column("breached", sa.Boolean()),
)
REPORT_ORDERS = sa.table(
    "report_orders",
    *(sa.column(name, sa.Uuid()) for name in ("order_id", "provider_id")),
    sa.column("categories", sa.JSON()),
    *(sa.column(name, sa.Boolean()) for name in ("emergency", "notified")),
    *(sa.column(name, sa.DateTime()) for name in ("issued_at", "received_at")),
    *(
        sa.column(name)
        for name in (
            *("instrument", "order_type", "country", "addressee", "targets", "status", "compliance"),
            *("reason", "refusal_ground", "enforcement", "ex_post", "data_after_us", "confirmation_after_us"),
        )
    ),
)
ART28 = sa.table(
    "report_art28_tallies",
    sa.column("bucket", sa.Date()),
    *(sa.column(name, sa.Boolean()) for name in ("partial", "notified")),
    *(sa.column(name) for name in ("span", "country", "order_type", "status", "reason", "refusal_ground")),
    *(sa.column(name) for name in ("dimension", "value", "orders", "data_orders", "data_us")),
    *(sa.column(name) for name in ("confirmations", "confirmation_us")),
)
TRANSPARENCY = sa.table(
    "report_transparency_tallies",
    sa.column("provider_id", sa.Uuid()),
    sa.column("bucket", sa.Date()),
    *(sa.column(name, sa.Boolean()) for name in ("emergency", "disclosed")),
    *(sa.column(name) for name in ("span", "country", "instrument", "order_type", "requests", "targets")),
)
ART28_KEY = ("span", "bucket", "country", "order_type", "status", "reason", "partial", "notified")
ART28_KEY += ("refusal_ground", "dimension", "value")
ART28_MEASURES = ("orders", "data_orders", "data_us", "confirmations", "confirmation_us")
TRANSPARENCY_KEY = ("provider_id", "span", "bucket", "country", "instrument", "order_type", "emergency")
TRANSPARENCY_KEY += ("disclosed",)
COUNTED = ("response", "enforcing-review", "enforcement-request", "enforcement-decision")
COUNTED += ("ex-post-validation", "production-request-confirmation")
REASONS = ("refused", "not_executed", "deadline_missed", "enforcement")
BATCH, FLUSH_AT = 1000, 50_000


def _count_stored_orders(connection: sa.Connection) -> None:
    art28: dict[tuple[Any, ...], list[int]] = {}
    received: dict[tuple[Any, ...], list[int]] = {}
    last = None
    while True:
        statement = (
            sa.select(ORDERS).where(ORDERS.c.issued_at.is_not(None)).order_by(ORDERS.c.id).limit(BATCH)
        )
        if last is not None:
            statement = statement.where(ORDERS.c.id > last)
        orders = connection.execute(statement).mappings().all()
        if not orders:
            break
        ids = [order["id"] for order in orders]
        messages: dict[Any, list[tuple[str, datetime, dict[str, Any]]]] = {}
        for message in connection.execute(
            sa.select(MESSAGES)
            .where(MESSAGES.c.order_id.in_(ids), MESSAGES.c.message_type.in_(COUNTED))
            .order_by(MESSAGES.c.received_at, MESSAGES.c.id)
        ):
            payload = message.jws.split(".")[1]
            body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["body"]
            messages.setdefault(message.order_id, []).append(
                (message.message_type, message.received_at, body)
            )
        clocks: dict[Any, dict[str, Any]] = {}
        for clock in connection.execute(sa.select(CLOCKS).where(CLOCKS.c.order_id.in_(ids))):
            clocks.setdefault(clock.order_id, {})[clock.kind] = clock
        rows = [_facts(order, messages.get(order["id"], []), clocks.get(order["id"], {})) for order in orders]
        connection.execute(sa.insert(REPORT_ORDERS), rows)
        for row in rows:
            _tally(art28, _art28_cells(row))
            _tally(received, _transparency_cells(row))
        if len(art28) + len(received) > FLUSH_AT:
            _write(connection, ART28, ART28_KEY, art28)
            _write(connection, TRANSPARENCY, TRANSPARENCY_KEY, received)
            art28, received = {}, {}
        last = ids[-1]
    _write(connection, ART28, ART28_KEY, art28)
    _write(connection, TRANSPARENCY, TRANSPARENCY_KEY, received)


def _facts(
    order: Any, messages: list[tuple[str, datetime, dict[str, Any]]], clocks: dict[str, Any]
) -> dict[str, Any]:
    responses = [(at, body) for kind, at, body in messages if kind == "response"]
    outcomes = {body["outcome"] for _, body in responses}
    compliance = next((o for o in ("produced", "partially_produced", "preserved") if o in outcomes), None)
    refusals = [b for kind, _, b in messages if kind == "enforcing-review" and b["decision"] == "refusal"]
    kinds = {kind for kind, _, _ in messages}
    production = clocks.get("production")
    signals = {
        "refused": bool(refusals) or order["state"] == "refused",
        "not_executed": "not_executed" in outcomes or order["state"] == "not_executed",
        "deadline_missed": production is not None and production.breached,
        "enforcement": order["state"] in ("enforcement_requested", "enforcement_refused")
        or "enforcement-request" in kinds,
    }
    reason = None if compliance else next((r for r in REASONS if signals[r]), None)
    if compliance:
        status = "complied"
    elif reason:
        status = "not_complied"
    else:
        ended = order["state"] in ("withdrawn", "closed", "preservation_ended")
        status = "ended_without_answer" if ended else "pending"
    first_data = next((at for at, b in responses if b["outcome"] in ("produced", "partially_produced")), None)
    confirmation = next((at for kind, at, _ in messages if kind == "production-request-confirmation"), None)
    enforcement = None
    if "enforcement-request" in kinds:
        decisions = [b["outcome"] for kind, _, b in messages if kind == "enforcement-decision"]
        enforcement = decisions[-1] if decisions else "awaiting_decision"
    ex_post = None
    if order["ex_post_validation_required"]:
        validations = [b["outcome"] for kind, _, b in messages if kind == "ex-post-validation"]
        validation_clock = clocks.get("ex_post_validation")
        if validations:
            ex_post = validations[-1]
        elif (
            validation_clock is not None and validation_clock.status == "fired" and order["deletion_required"]
        ):
            ex_post = "not_obtained_in_time"
        else:
            ex_post = "awaiting"
    certificate, issued_at = order["certificate"], order["issued_at"]
    addressee = certificate["addressee"]
    return {
        "order_id": order["id"],
        "instrument": order["instrument"],
        "order_type": order["order_type"],
        "country": certificate["issuing_authority"]["country"],
        "provider_id": order["provider_id"],
        "addressee": f"{addressee['provider']['name']} ({addressee['country']})",
        "categories": list(certificate["data_categories"]),
        "emergency": order["emergency"],
        "targets": len(certificate["targets"]),
        "issued_at": issued_at,
        "received_at": order["received_at"],
        "status": status,
        "compliance": compliance,
        "reason": reason,
        "notified": order["enforcing_authority_id"] is not None and "enforcing_review" in clocks,
        "refusal_ground": refusals[-1]["ground"] if refusals else None,
        "enforcement": enforcement,
        "ex_post": ex_post,
        "data_after_us": _microseconds(first_data - issued_at) if first_data else None,
        "confirmation_after_us": _microseconds(confirmation - issued_at)
        if compliance and confirmation
        else None,
    }


def _microseconds(duration: Any) -> int:
    return int((duration.days * 86_400 + duration.seconds) * 1_000_000 + duration.microseconds)


def _spans(moment: datetime) -> list[tuple[str, date]]:
    day = moment.date()
    return [("day", day), ("month", day.replace(day=1)), ("year", date(day.year, 1, 1))]


def _art28_cells(row: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], tuple[int, ...]]]:
    if row["instrument"] != "reg-2023-1543":
        return
    label = (row["country"], row["order_type"], row["status"], row["reason"] or "")
    label += (row["compliance"] == "partially_produced", row["notified"], row["refusal_ground"] or "")
    data, confirmation = row["data_after_us"], row["confirmation_after_us"]
    amounts = (1, int(data is not None), data or 0, int(confirmation is not None), confirmation or 0)
    splits = [("category", category) for category in row["categories"]]
    splits += [
        ("addressee", row["addressee"]),
        ("emergency", "emergency" if row["emergency"] else "non_emergency"),
    ]
    splits += [(name, row[name]) for name in ("enforcement", "ex_post") if row[name]]
    for span, bucket in _spans(row["issued_at"]):
        for dimension, value in splits:
            yield (span, bucket, *label, dimension, value), amounts


def _transparency_cells(row: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], tuple[int, ...]]]:
    if row["received_at"] is None:
        return
    disclosed = row["compliance"] in ("produced", "partially_produced")
    for span, bucket in _spans(row["received_at"]):
        key = (row["provider_id"], span, bucket, row["country"], row["instrument"], row["order_type"])
        yield (*key, row["emergency"], disclosed), (1, row["targets"])


def _tally(
    into: dict[tuple[Any, ...], list[int]], cells: Iterator[tuple[tuple[Any, ...], tuple[int, ...]]]
) -> None:
    for key, amounts in cells:
        total = into.setdefault(key, [0] * len(amounts))
        for index, amount in enumerate(amounts):
            total[index] += amount


def _write(
    connection: sa.Connection, table: Any, key: tuple[str, ...], tallies: dict[tuple[Any, ...], list[int]]
) -> None:
    """Add to the tally rows (rows of an earlier round may exist): INSERT … ON CONFLICT DO UPDATE."""
    measures = [column.name for column in table.columns if column.name not in key]
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    rows = [
        dict(zip(key, k, strict=True)) | dict(zip(measures, a, strict=True))
        for k, a in sorted(tallies.items())
    ]
    if rows:
        statement = insert(table)
        added = {name: table.c[name] + statement.excluded[name] for name in measures}
        connection.execute(statement.on_conflict_do_update(index_elements=list(key), set_=added), rows)

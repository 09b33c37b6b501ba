"""Paginated queries for list endpoints: by page number (with a total) or by keyset cursor (without)."""

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from broker import problems
from broker.services import Services


def paginate(
    session: orm.Session, services: Services, statement: sa.Select[Any], query: dict[str, Any]
) -> dict[str, Any]:
    """One page of `statement`'s rows with the total count; the statement must be ordered."""
    per_page = _per_page(services, query)
    page = query["page"]
    total = session.scalar(sa.select(sa.func.count()).select_from(statement.order_by(None).subquery()))
    items = session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": items, "page": page, "per_page": per_page, "total": total or 0}


def keyset_page(
    session: orm.Session,
    services: Services,
    statement: sa.Select[Any],
    query: dict[str, Any],
    position: Callable[[Any], tuple[Any, ...]],
) -> dict[str, Any]:
    """One page of a keyset-ordered statement (already narrowed to after the cursor) and the next cursor.

    One row more than the page is read to know whether another page follows; nothing is counted.
    """
    per_page = _per_page(services, query)
    rows = session.scalars(statement.limit(per_page + 1)).all()
    items = rows[:per_page]
    following = encode_cursor(position(items[-1])) if len(rows) > per_page else None
    return {"items": items, "per_page": per_page, "next_cursor": following}


def encode_cursor(position: tuple[Any, ...]) -> str:
    """An opaque cursor for a keyset position (booleans, instants, UUIDs)."""
    values = [value.isoformat() if isinstance(value, datetime) else value for value in position]
    values = [str(value) if isinstance(value, uuid.UUID) else value for value in values]
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_inbox_cursor(cursor: str) -> tuple[bool, datetime, uuid.UUID]:
    """The inbox position a cursor holds, or a validation problem naming `cursor`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        emergency, updated_at, order_id = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        instant = datetime.fromisoformat(updated_at)
        if not isinstance(emergency, bool) or instant.tzinfo is None:
            raise ValueError("not an inbox position")
        return emergency, instant, uuid.UUID(order_id)
    except (ValueError, TypeError, UnicodeEncodeError, binascii.Error) as error:
        raise problems.ValidationFailed(
            "the cursor is not one this API gave out; start again without it",
            errors={"cursor": ["not a cursor of this listing"]},
        ) from error


def _per_page(services: Services, query: dict[str, Any]) -> int:
    per_page: int = query.get("per_page") or services.page_size_default
    if per_page > services.page_size_max:
        raise problems.ValidationFailed(
            f"per_page may be at most {services.page_size_max}",
            errors={"per_page": [f"Must be less than or equal to {services.page_size_max}."]},
        )
    return per_page

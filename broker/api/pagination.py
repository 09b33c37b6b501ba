"""Paginated queries for list endpoints."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from broker import problems
from broker.services import Services


def paginate(
    session: orm.Session, services: Services, statement: sa.Select[Any], query: dict[str, Any]
) -> dict[str, Any]:
    """One page of `statement`'s rows with the total count; the statement must be ordered."""
    per_page = query.get("per_page") or services.page_size_default
    if per_page > services.page_size_max:
        raise problems.ValidationFailed(
            f"per_page may be at most {services.page_size_max}",
            errors={"per_page": [f"Must be less than or equal to {services.page_size_max}."]},
        )
    page = query["page"]
    total = session.scalar(sa.select(sa.func.count()).select_from(statement.order_by(None).subquery()))
    items = session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": items, "page": page, "per_page": per_page, "total": total or 0}

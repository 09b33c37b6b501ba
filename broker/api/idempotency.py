"""Idempotency-Key: a retried request returns the first answer and changes nothing twice."""

import hashlib
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from broker import problems
from broker.db import Base

MAX_KEY_LENGTH = 200


class IdempotencyRecord(Base):
    """The first answer to a request sent with an Idempotency-Key, replayed on retries."""

    __tablename__ = "idempotency_records"
    # Keys belong to the user who sent them: a retry comes from the same client, and nobody else
    # (not even a colleague without the right to act) can collect another user's answer.
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: orm.Mapped[uuid.UUID] = orm.mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: orm.Mapped[uuid.UUID] = orm.mapped_column(sa.ForeignKey("users.id"))
    key: orm.Mapped[str] = orm.mapped_column(sa.String(MAX_KEY_LENGTH))
    request_sha256: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    status_code: orm.Mapped[int]
    response_body: orm.Mapped[str] = orm.mapped_column(sa.Text)
    created_at: orm.Mapped[datetime]


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    """What makes two requests "the same request" for one key."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def check_key(key: str) -> str:
    """Refuse keys that are empty, too long or not printable ASCII."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise problems.ValidationFailed(
            "Idempotency-Key must be 1 to 200 printable ASCII characters",
            errors={"Idempotency-Key": ["1 to 200 printable ASCII characters"]},
        )
    return key


def find(session: orm.Session, user_id: uuid.UUID, key: str, request_sha256: str) -> IdempotencyRecord | None:
    """The stored answer for this key, or None; the same key with another request is refused."""
    record = session.scalar(
        sa.select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
    )
    if record is not None and record.request_sha256 != request_sha256:
        raise problems.IdempotencyKeyReused(
            f"Idempotency-Key {key!r} was first used for a different request; use a new key"
        )
    return record


def remember(
    session: orm.Session,
    user_id: uuid.UUID,
    key: str,
    request_sha256: str,
    status_code: int,
    response_body: str,
    now: datetime,
) -> None:
    """Store the answer in the same transaction as the change it reports."""
    session.add(
        IdempotencyRecord(
            user_id=user_id,
            key=key,
            request_sha256=request_sha256,
            status_code=status_code,
            response_body=response_body,
            created_at=now,
        )
    )
    try:
        session.flush()
    except sa.exc.IntegrityError as error:
        raise problems.Conflict(
            f"another request with Idempotency-Key {key!r} completed at the same time; retry to get its answer"
        ) from error

"""tests/remembered.py: a fingerprint tells databases apart by every value, and a remembered build is exact."""

import uuid

import pytest
import sqlalchemy as sa

from broker.audit.models import AuditEntry
from broker.parties.models import ApiToken
from broker.parties.models import Organisation
from tests.remembered import Changes
from tests.remembered import fingerprint
from tests.remembered import read
from tests.remembered import remember


def test_the_fingerprint_changes_with_any_value_and_comes_back_with_it(database, network):
    registered = fingerprint(database)
    assert fingerprint(database) == registered
    first_entry = sa.select(AuditEntry.index, AuditEntry.leaf_hash).order_by(AuditEntry.index).limit(1)
    with database.engine.begin() as connection:
        index, leaf_hash = connection.execute(first_entry).one()
        flipped = bytes([leaf_hash[0] ^ 1]) + leaf_hash[1:]
        connection.execute(sa.update(AuditEntry).where(AuditEntry.index == index).values(leaf_hash=flipped))
    assert fingerprint(database) != registered  # one bit of a blob
    with database.engine.begin() as connection:
        connection.execute(sa.update(AuditEntry).where(AuditEntry.index == index).values(leaf_hash=leaf_hash))
    assert fingerprint(database) == registered
    with database.engine.begin() as connection:
        name = connection.scalar(sa.select(Organisation.name).limit(1))
        connection.execute(sa.update(Organisation).where(Organisation.name == name).values(name=name + ","))
    assert fingerprint(database) != registered  # a separator inside a text


def test_a_remembered_build_leaves_the_rows_the_build_left(database, clock, network):
    def build() -> str:
        with database.engine.begin() as connection:
            connection.execute(sa.update(Organisation).values(name=Organisation.name + " (renamed)"))
        clock.now += clock.now - clock.now.replace(hour=0)
        return "built"

    start = clock()
    assert remember(database, clock, ("renaming",), build) == "built"
    built, built_at = read(database), clock()
    with database.engine.begin() as connection:
        connection.execute(
            sa.update(Organisation).values(name=sa.func.replace(Organisation.name, " (renamed)", ""))
        )
    clock.now = start

    assert remember(database, clock, ("renaming",), lambda: "built again") == "built"  # not built again
    assert read(database) == built and clock() == built_at


def test_a_replayed_build_removes_adds_and_changes_rows_with_any_value_exactly(database, clock, network):
    """Quotes, separators, NULLs, blobs and times come back from the literals the changes carry."""
    tokens = ApiToken.__table__
    entries = AuditEntry.__table__

    def build() -> None:
        with database.engine.begin() as connection:
            gone = connection.execute(sa.select(tokens).limit(1)).one()._asdict()
            connection.execute(sa.delete(tokens).where(tokens.c.id == gone["id"]))
            again = {**gone, "id": uuid.uuid4(), "label": "it's; a label, -- not SQL", "revoked_at": clock()}
            connection.execute(sa.insert(tokens).values(again))
            connection.execute(sa.update(tokens).where(tokens.c.id != again["id"]).values(last_used_at=None))
            connection.execute(sa.update(entries).values(leaf_hash=bytes(range(32))))

    before = read(database)
    remember(database, clock, ("replaying",), build)
    built = read(database)
    assert built != before
    Changes.between(built, before, database.engine.dialect).apply(database)  # back to the start
    assert read(database) == before

    remember(database, clock, ("replaying",), lambda: pytest.fail("built again"))
    assert read(database) == built

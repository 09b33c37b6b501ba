"""A proof reads the log's size and every subtree it needs, the roots the API gives with it too, in one statement."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from broker import problems
from broker import translog
from broker.audit import queries
from broker.audit.models import AuditEntry


@contextmanager
def statements(database: Any) -> Iterator[list[str]]:
    sent: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    sa.event.listen(database.engine, "before_cursor_execute", before)
    try:
        yield sent
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", before)


@pytest.fixture
def leaves(database, network) -> list[bytes]:
    with database.transaction() as session:
        return [
            entry.leaf_hash for entry in session.scalars(sa.select(AuditEntry).order_by(AuditEntry.index))
        ]


def test_an_inclusion_proof_is_one_statement_and_proves_the_entry(database, leaves):
    size = len(leaves)
    root = translog.root_hash(leaves)
    for index in (0, size // 2, size - 1):
        with statements(database) as sent, database.transaction() as session:
            proof = queries.inclusion_proof(session, index, size)
            with_root = queries.inclusion_proof_and_root(session, index, size)
        assert len(sent) == 2, sent  # one each
        translog.verify_inclusion(leaves[index], index, size, proof, root)
        assert with_root == (proof, root)


def test_a_consistency_proof_is_one_statement_and_proves_the_extension(database, leaves):
    size = len(leaves)
    for old_size in (1, size // 2, size):
        with statements(database) as sent, database.transaction() as session:
            proof = queries.consistency_proof(session, old_size, size)
            with_roots = queries.consistency_proof_and_roots(session, old_size, size)
        assert len(sent) == 2, sent  # one each
        old_root, new_root = translog.root_hash(leaves[:old_size]), translog.root_hash(leaves)
        translog.verify_consistency(old_size, size, old_root, new_root, proof)
        assert with_roots == (proof, old_root, new_root)


@pytest.mark.parametrize(
    "beyond", [1, 2**63 - 1, 2**63, 2**80], ids=["one past", "the largest integer", "past it", "far past"]
)
def test_a_tree_larger_than_the_log_is_refused_with_the_log_size(database, leaves, beyond):
    """Beyond the log, up to and beyond what a database integer holds: said, and nothing computed."""
    size = len(leaves) + 1 if beyond == 1 else beyond
    for prove in (
        lambda session: queries.inclusion_proof_and_root(session, 0, size),
        lambda session: queries.consistency_proof_and_roots(session, 1, size),
        lambda session: queries.inclusion_proof(session, 0, size),
        lambda session: queries.consistency_proof(session, 1, size),
    ):
        refused = pytest.raises(problems.InvalidRange, match=f"the log's size {len(leaves)}, not {size}")
        with refused, database.transaction() as session:
            prove(session)

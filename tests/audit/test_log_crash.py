"""A crash between a change and the integration of its log entry loses neither (kill -9, real processes)."""

import json
import signal
import subprocess
import sys
import textwrap

import sqlalchemy as sa

from broker import translog
from broker.audit import operations as log
from broker.audit import queries
from broker.audit.models import AuditEntry
from broker.parties.models import Organisation

# A child process that opens the test database, does something, and is killed with SIGKILL mid-way.
PRELUDE = """
import os, signal, sys
from datetime import UTC, datetime
from broker.audit import operations as log
from broker.clock import FrozenClock
from broker.db import Database
from broker.parties import operations
from broker.vocabulary import OrganisationKind

database = Database(sys.argv[1])
clock = FrozenClock(datetime(2026, 12, 6, 12, 0, tzinfo=UTC))

def die():
    os.kill(os.getpid(), signal.SIGKILL)
"""


def run_child(database, body: str) -> None:
    code = PRELUDE + textwrap.dedent(body)
    result = subprocess.run(
        [sys.executable, "-c", code, database.url], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == -signal.SIGKILL, result.stderr


def tree_is_whole(database) -> None:
    with database.transaction() as session:
        entries = list(session.scalars(sa.select(AuditEntry).order_by(AuditEntry.index)))
        size = queries.log_size(session)
        assert [entry.index for entry in entries] == list(range(size))
        hashes = [translog.leaf_hash(entry.leaf.encode()) for entry in entries]
        assert [entry.leaf_hash for entry in entries] == hashes
        assert queries.root(session, size) == translog.root_hash(hashes)


def test_killed_after_the_commit_and_before_integration_the_entry_waits_and_is_integrated(database):
    run_child(
        database,
        """
        with database.transaction() as session:
            operations.create_organisation(
                session, clock, name="Killed Before Integration", kind=OrganisationKind.OVERSIGHT_BODY, country="DE"
            )
        die()  # committed; the process dies before anyone integrates
        """,
    )
    with database.transaction() as session:
        assert session.scalar(sa.select(Organisation).where(Organisation.name == "Killed Before Integration"))
        assert queries.pending_count(session) == 1
        assert queries.log_size(session) == 0
    assert log.integrate_all(database) == 1
    tree_is_whole(database)
    with database.transaction() as session:
        (entry,) = session.scalars(sa.select(AuditEntry))
        assert json.loads(entry.leaf)["action"] == "organisation.registered"
        assert queries.pending_count(session) == 0


def test_killed_in_the_middle_of_an_integration_leaves_the_queue_whole(database, clock):
    for number in range(5):
        with database.transaction() as session:
            log.record(
                session, clock, action="test.queued", object_type="test", object_id=str(number), actor=None
            )
    run_child(
        database,
        """
        from broker import translog
        calls = []
        real = translog.subtrees_to_store

        def dying(*args):
            calls.append(1)
            if len(calls) == 3:
                die()  # the integrating transaction is open, two leaves computed
            return real(*args)

        log.translog.subtrees_to_store = dying
        with database.transaction() as session:
            log.integrate(session)
        """,
    )
    with database.transaction() as session:
        assert queries.log_size(session) == 0
        assert queries.pending_count(session) == 5
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0
    assert log.integrate_all(database) == 5
    tree_is_whole(database)
    with database.transaction() as session:
        ids = [json.loads(leaf)["object"]["id"] for leaf in session.scalars(sa.select(AuditEntry.leaf))]
    assert ids == [str(number) for number in range(5)]

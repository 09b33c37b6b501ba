"""Every stored column of the log, mutated in the database, is caught by a verification or provably harmless.

An operator with SQL access is the attacker the log exists for. Each row of MUTATIONS changes one
stored value of one column of the log's tables (and of the columns that select an order's case file
and fill it) directly in the database, as such an operator could, and then reads the log the ways an
oversight body does, with nothing but the broker's verifier key (broker.audit.verify):

- `log/api`, `log/export`: the whole log against the newest checkpoint, over the API and from a fresh
  `broker audit export`;
- `entry/api`, `entry/export`: one entry's inclusion proof (the mutated one, where there is one);
- `case-file`, `case-file+log/api`, `case-file+log/export`: the order's case file from the API, alone
  and then proved complete against the log (a full pass) over the API and from a fresh export;
- `tail/api`: the broker signs a new checkpoint and the entries since the last one are verified;
- `history/api`: the newest checkpoint extends the one the oversight body saved before the mutation,
  asked both first and last (after the case file and the tail made the broker sign again).

A row says which checks must fail (Detected), or why the column cannot change anything a check reads
(Harmless: every check passes, the exported log the verifier reads is byte for byte what it was, and
the mutated value appears in no leaf), or names a limit of the log itself (Limit: nothing can see
it, and why). `test_every_column_has_a_row` fails for a new column until someone decides which.
"""

import json
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from broker import crypto
from broker import translog
from broker.audit import verify
from broker.audit.models import AuditCheckpoint
from broker.audit.models import AuditEntry
from broker.audit.models import AuditLogHead
from broker.audit.models import AuditPending
from broker.audit.models import AuditSubtree
from broker.audit.operations import integrate_all
from broker.audit.operations import record
from broker.audit.operations import sign_checkpoint
from broker.audit.signer import LogSigner
from broker.clock import FrozenClock
from broker.orders.models import Message
from tests.remembered import remember

ORIGIN = "broker.test/log"
LOG_TABLES = (AuditEntry, AuditSubtree, AuditLogHead, AuditCheckpoint, AuditPending)
ENTRIES, SUBTREES, HEAD, CHECKPOINTS, PENDING = (model.__tablename__ for model in LOG_TABLES)
LOG, ENTRY, CASE_FILE = {"log/api", "log/export"}, {"entry/api", "entry/export"}, {"case-file"}
COMPLETE = {"case-file+log/api", "case-file+log/export"}
CHECKS = (*sorted(LOG), *sorted(ENTRY), *CASE_FILE, *sorted(COMPLETE), "tail/api", "history/api")
OTHER_ORGANISATION = uuid.UUID("00000000-0000-4000-8000-00000000beef")
LONG_AGO = datetime(1999, 1, 1, tzinfo=UTC)


@dataclass
class Scene:
    """The log as the oversight body last saw it: two orders, a webhook, two checkpoints, one kept."""

    order_id: str
    size: int  # the size of the saved checkpoint
    saved: bytes  # the newest checkpoint, kept by the oversight body
    about: list[int]  # indexes of the entries about the order, in log order
    signer: LogSigner
    focus: int  # the entry the one-entry checks prove (a mutation moves it to the entry it changes)


@pytest.fixture
def scene(network, exchange, client, database, clock, broker_key_file) -> Iterator[Scene]:
    def made() -> tuple[str, int, str, list[int]]:
        order = exchange.respond(exchange.receive(exchange.issue(exchange.draft())))
        exchange.issue(exchange.draft(author="judge"), author="judge")
        hook = {"url": "https://hooks.examplemail.test/broker"}
        assert (
            client.post("/api/v1/webhooks", json=hook, headers=network["provider"].headers).status_code == 201
        )
        oversight = network["oversight"].headers
        assert client.post("/api/v1/audit/checkpoints", headers=oversight).status_code == 201
        clock.advance(minutes=1)
        assert client.get(f"/api/v1/orders/{order['id']}", headers=oversight).status_code == 200
        saved = client.post("/api/v1/audit/checkpoints", headers=oversight).get_json()
        with database.transaction() as session:
            about = list(
                session.scalars(
                    sa.select(AuditEntry.index)
                    .where(AuditEntry.object_type == "order", AuditEntry.object_id == order["id"])
                    .order_by(AuditEntry.index)
                )
            )
        assert len(about) >= 5 and saved["size"] > about[-1], about
        return order["id"], saved["size"], saved["note"], about

    order_id, size, note, about = remember(database, clock, ("tamper scene",), made)
    signer = LogSigner.from_file(ORIGIN, broker_key_file)
    yield Scene(order_id, size, note.encode(), about, signer, focus=about[2])
    # The `database` fixture empties every table but resets only the head's size: put its id back too.
    with database.transaction() as session:
        session.execute(sa.update(AuditLogHead).values(id=1))


def update(database: Any, model: Any, where: Any, **values: Any) -> None:
    """One UPDATE of exactly one row, in a transaction of its own, as an operator would run it."""
    with database.transaction() as session:
        changed = session.execute(sa.update(model).where(where).values(**values)).rowcount  # type: ignore[attr-defined]
    assert changed == 1, f"{model.__tablename__}: {changed} rows"


def swap(database: Any, column: Any, first: int, second: int) -> None:
    """Swap two rows' key values, in three steps so that no moment has two rows with one key."""
    table = column.table
    with database.transaction() as session:
        session.execute(sa.update(table).where(column == first).values({column.name: -1}))
        session.execute(sa.update(table).where(column == second).values({column.name: first}))
        session.execute(sa.update(table).where(column == -1).values({column.name: second}))


# --- Mutations ----------------------------------------------------------------------------------


def entry_column(column: str, value: Any, which: Callable[[Scene], int] = lambda scene: scene.focus):
    def mutate(database: Any, scene: Scene) -> None:
        scene.focus = which(scene)
        new = value(scene) if callable(value) else value
        update(database, AuditEntry, AuditEntry.index == scene.focus, **{column: new})

    return mutate


def swap_two_entries(database: Any, scene: Scene) -> None:
    swap(database, AuditEntry.__table__.c.index, scene.focus, scene.focus + 1)


def edit_leaf(*, rehash: bool):
    def mutate(database: Any, scene: Scene) -> None:
        with database.transaction() as session:
            leaf = session.scalar(sa.select(AuditEntry.leaf).where(AuditEntry.index == scene.focus))
        document = {**json.loads(leaf), "actor": {"system": "worker"}}  # blame someone else
        edited = crypto.canonicalize(document).decode()
        values: dict[str, Any] = {"leaf": edited}
        if rehash:
            values["leaf_hash"] = translog.leaf_hash(edited.encode())
        update(database, AuditEntry, AuditEntry.index == scene.focus, **values)

    return mutate


def path_subtree(column: str):
    """The stored subtree on the focus entry's inclusion path: its sibling leaf at level 0."""

    def mutate(database: Any, scene: Scene) -> None:
        sibling = scene.focus ^ 1
        where = sa.and_(AuditSubtree.level == 0, AuditSubtree.index == sibling)
        new = {"hash": b"\x00" * 32, "level": 63, "index": sibling + 1_000_000}[column]
        update(database, AuditSubtree, where, **{column: new})

    return mutate


def frontier_subtree(database: Any, scene: Scene) -> None:
    """The largest stored subtree, from which every later root and checkpoint is computed."""
    with database.transaction() as session:
        level = session.scalar(sa.select(sa.func.max(AuditSubtree.level)))
    update(
        database,
        AuditSubtree,
        sa.and_(AuditSubtree.level == level, AuditSubtree.index == 0),
        hash=b"\x01" * 32,
    )


def head(column: str, value: Callable[[int], int]):
    def mutate(database: Any, scene: Scene) -> None:
        update(database, AuditLogHead, AuditLogHead.id == 1, **{column: value(scene.size)})

    return mutate


def newest_checkpoint(column: str, value: Callable[[AuditCheckpoint, Scene], Any]):
    def mutate(database: Any, scene: Scene) -> None:
        with database.transaction() as session:
            newest = session.scalars(sa.select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc())).first()
            assert newest is not None
            ident, new = newest.id, value(newest, scene)
        update(database, AuditCheckpoint, AuditCheckpoint.id == ident, **{column: new})

    return mutate


def older_checkpoint_made_newest(database: Any, scene: Scene) -> None:
    with database.transaction() as session:
        oldest = session.scalar(sa.select(sa.func.min(AuditCheckpoint.id)))
    update(database, AuditCheckpoint, AuditCheckpoint.id == oldest, id=oldest + 1000)


def queued(column: str, value: Any):
    """Two entries about the order queued (recorded, not yet integrated), the first one mutated; then
    the worker's round: integration and a checkpoint."""

    def mutate(database: Any, scene: Scene) -> None:
        clock = FrozenClock(datetime(2026, 11, 24, 9, 30, tzinfo=UTC))
        with database.transaction() as session:
            rows = [
                record(
                    session,
                    clock,
                    action=f"test.queued.{n}",
                    object_type="order",
                    object_id=scene.order_id,
                    actor=None,
                )
                for n in range(2)
            ]
            session.flush()
            first, second = (row.sequence for row in rows)
        if column == "sequence":
            swap(database, AuditPending.__table__.c.sequence, first, second)
        else:
            new = value(scene) if callable(value) else value
            update(database, AuditPending, AuditPending.sequence == first, **{column: new})
        integrate_all(database)
        with database.transaction() as session:
            sign_checkpoint(session, clock, scene.signer)
        scene.focus = scene.size  # the first entry integrated after the mutation

    return mutate


def forged_document(scene: Scene) -> str:
    return json.dumps(
        {
            "time": "2026-11-24T09:30:00Z",
            "action": "order.closed",
            "actor": {"system": "worker"},
            "object": {"type": "order", "id": scene.order_id},
        }
    )


def message_column(column: str):
    """The case file's copy of the answer: its JWS edited (a signature byte flipped), or its SHA-256."""

    def mutate(database: Any, scene: Scene) -> None:
        with database.transaction() as session:
            message = session.scalars(
                sa.select(Message)
                .where(Message.order_id == uuid.UUID(scene.order_id))
                .order_by(Message.received_at.desc())
            ).first()
            assert message is not None
            ident, jws = message.id, message.jws
        flipped = jws[:-2] + ("A" if jws[-2] != "A" else "B") + jws[-1]  # the signature's last bytes
        new = flipped if column == "jws" else "0" * 64
        update(database, Message, Message.id == ident, **{column: new})

    return mutate


# --- Outcomes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Detected:
    """Every one of `checks` must fail."""

    checks: frozenset[str]
    why: str


@dataclass(frozen=True)
class Harmless:
    """No check reads the column: all pass, the exported log is unchanged, `absent` is in no leaf."""

    why: str
    absent: str | None = None


@dataclass(frozen=True)
class Limit:
    """No check can see the mutation, for a reason that is the log's design, not a defect."""

    why: str


@dataclass(frozen=True)
class Mutation:
    table: str
    column: str
    case: str
    mutate: Callable[[Any, Scene], None]
    outcome: Detected | Harmless | Limit

    @property
    def id(self) -> str:
        return f"{self.table}.{self.column}" + (f"-{self.case}" if self.case else "")


def detected(*checks: set[str] | str, why: str) -> Detected:
    names: set[str] = set()
    for check in checks:
        names |= {check} if isinstance(check, str) else check
    assert names <= set(CHECKS), names - set(CHECKS)
    return Detected(frozenset(names), why)


NOT_READ = (
    "a copy of a leaf member written for queries; no code path reads it, and the API, the export and "
    "the case file serve an entry as its index, leaf and leaf hash only"
)
COPIED = (
    "copied into the entry's own unhashed column of the same name at integration; the leaf is made "
    "from the queued document alone"
)

MUTATIONS = [
    # audit_entries: the leaf and its hash are verified; the rest are copies for queries, or select.
    Mutation(
        ENTRIES,
        "index",
        "two entries swap places",
        swap_two_entries,
        detected(
            LOG,
            ENTRY,
            CASE_FILE,
            COMPLETE,
            "tail/api",
            why="each leaf names its own index: an entry served at another position says so",
        ),
    ),
    Mutation(
        ENTRIES, "recorded_at", "", entry_column("recorded_at", LONG_AGO), Harmless(NOT_READ, "1999-01-01")
    ),
    Mutation(
        ENTRIES, "action", "", entry_column("action", "order.forged"), Harmless(NOT_READ, "order.forged")
    ),
    Mutation(
        ENTRIES,
        "organisation_id",
        "",
        entry_column("organisation_id", OTHER_ORGANISATION),
        Harmless(NOT_READ, str(OTHER_ORGANISATION)),
    ),
    Mutation(
        ENTRIES,
        "object_type",
        "a middle entry leaves the case file",
        entry_column("object_type", "forged"),
        detected(
            CASE_FILE,
            COMPLETE,
            why="it selects the case file; the next entry about the order names the missing one as `previous`, so "
            "the broker refuses to serve the case file (and a verifier would refuse it)",
        ),
    ),
    Mutation(
        ENTRIES,
        "object_id",
        "the first entry leaves the case file",
        entry_column("object_id", lambda scene: str(uuid.uuid4()), lambda scene: scene.about[0]),
        detected(
            CASE_FILE,
            COMPLETE,
            why="the case file would start at an entry whose `previous` is not null",
        ),
    ),
    Mutation(
        ENTRIES,
        "object_id",
        "the last entry leaves the case file",
        entry_column("object_id", lambda scene: str(uuid.uuid4()), lambda scene: scene.about[-1]),
        detected(
            COMPLETE,
            "tail/api",
            why="the case file alone still chains (its own export entry is chained by the same column), so only "
            "a full pass over the log finds the entry it leaves out; the log's chain breaks at the next entry",
        ),
    ),
    Mutation(
        ENTRIES,
        "leaf",
        "edited, its hash kept",
        edit_leaf(rehash=False),
        detected(
            LOG,
            ENTRY,
            CASE_FILE,
            COMPLETE,
            "tail/api",
            why="the recomputed leaf hash differs from the recorded one",
        ),
    ),
    Mutation(
        ENTRIES,
        "leaf",
        "edited with a new hash",
        edit_leaf(rehash=True),
        detected(
            LOG,
            ENTRY,
            CASE_FILE,
            COMPLETE,
            "tail/api",
            why="the leaves no longer produce the signed root",
        ),
    ),
    Mutation(
        ENTRIES,
        "leaf_hash",
        "",
        entry_column("leaf_hash", b"\x00" * 32),
        detected(
            LOG,
            ENTRY,
            CASE_FILE,
            COMPLETE,
            "tail/api",
            why="the recorded hash differs from the leaf's",
        ),
    ),
    # audit_subtrees: the broker's proofs and new roots come from them; the leaves alone give the truth.
    Mutation(
        SUBTREES,
        "hash",
        "on an inclusion path",
        path_subtree("hash"),
        detected(
            "entry/api",
            CASE_FILE,
            COMPLETE,
            why="the proofs the broker serves are built from it and no longer reach the signed root; a full pass "
            "and an export recompute every hash from the leaves, so they neither see nor need it",
        ),
    ),
    Mutation(
        SUBTREES,
        "hash",
        "the frontier every new root uses",
        frontier_subtree,
        detected(
            "entry/api",
            CASE_FILE,
            COMPLETE,
            "tail/api",
            why="the next checkpoint's root is computed from it and the entries do not produce it",
        ),
    ),
    Mutation(
        SUBTREES,
        "level",
        "",
        path_subtree("level"),
        detected(
            "entry/api",
            CASE_FILE,
            COMPLETE,
            why="the proof needs the subtree where it is not: the broker answers 500",
        ),
    ),
    Mutation(
        SUBTREES,
        "index",
        "",
        path_subtree("index"),
        detected(
            "entry/api",
            CASE_FILE,
            COMPLETE,
            why="the proof needs the subtree where it is not: the broker answers 500",
        ),
    ),
    # audit_log_head: the integrated size; only the broker's own reads depend on it.
    Mutation(
        HEAD,
        "size",
        "smaller",
        head("size", lambda size: size - 2),
        detected(
            "entry/api",
            CASE_FILE,
            COMPLETE,
            "tail/api",
            "history/api",
            why="the broker proves against a shorter log and signs one that does not extend the saved checkpoint",
        ),
    ),
    Mutation(
        HEAD,
        "size",
        "larger",
        head("size", lambda size: size + 1),
        detected(
            CASE_FILE,
            COMPLETE,
            "tail/api",
            why="the broker has no subtrees for that size and refuses to sign",
        ),
    ),
    Mutation(
        HEAD,
        "id",
        "",
        head("id", lambda size: 2),
        detected(
            "entry/api",
            "history/api",
            why="without its head row the broker sees an empty log and signs a checkpoint of size 0, which does "
            "not extend the saved one",
        ),
    ),
    # audit_checkpoints: the signed note is the statement; the other columns are the broker's bookkeeping.
    Mutation(
        CHECKPOINTS,
        "note",
        "",
        newest_checkpoint("note", lambda c, s: c.note.replace(f"\n{c.size}\n", f"\n{c.size - 1}\n")),
        detected(
            LOG,
            ENTRY,
            "history/api",
            why="the signature does not verify",
        ),
    ),
    Mutation(
        CHECKPOINTS,
        "size",
        "the size the log is about to reach",
        newest_checkpoint("size", lambda c, s: s.size + 1),
        detected(
            CASE_FILE,
            COMPLETE,
            why="the verifier reads the size from the signed note; the broker takes the column's, so it serves "
            "the old checkpoint again instead of signing one and builds the case file's proofs for a tree of "
            "another size than the note's: they do not reach its root",
        ),
    ),
    Mutation(
        CHECKPOINTS,
        "root_hash",
        "",
        newest_checkpoint("root_hash", lambda c, s: b"\x00" * 32),
        Harmless("served beside the note for convenience; the verifier reads the root from the signed note"),
    ),
    Mutation(
        CHECKPOINTS,
        "created_at",
        "",
        newest_checkpoint("created_at", lambda c, s: LONG_AGO),
        Harmless(
            "a signed note carries no time: when a checkpoint was signed is shown in the verifier's statements, "
            "never proved (docs/security.md)"
        ),
    ),
    Mutation(
        CHECKPOINTS,
        "id",
        "an older one made newest",
        older_checkpoint_made_newest,
        detected(
            "history/api",
            why="the broker serves the older checkpoint as its newest; it verifies, proving less, and does not "
            "extend the saved one",
        ),
    ),
    # audit_pending: the queue before integration; what it selects and chains is checked once integrated.
    Mutation(
        PENDING,
        "sequence",
        "two queued entries swap",
        queued("sequence", None),
        Harmless(
            "the queue's order is the order of integration, which is all the log claims; the swapped entries "
            "are integrated in the new order with indexes and `previous` to match"
        ),
    ),
    Mutation(PENDING, "recorded_at", "", queued("recorded_at", LONG_AGO), Harmless(COPIED, "1999-01-01")),
    Mutation(PENDING, "action", "", queued("action", "order.forged"), Harmless(COPIED, "order.forged")),
    Mutation(
        PENDING,
        "organisation_id",
        "",
        queued("organisation_id", OTHER_ORGANISATION),
        Harmless(COPIED, str(OTHER_ORGANISATION)),
    ),
    Mutation(
        PENDING,
        "object_type",
        "",
        queued("object_type", "forged"),
        detected(
            LOG,
            COMPLETE,
            "tail/api",
            why="integration chains the entry by this column but the leaf names the order: the log's chain "
            "breaks there, and the case file (selected by the same column) leaves the entry out",
        ),
    ),
    Mutation(
        PENDING,
        "object_id",
        "",
        queued("object_id", lambda scene: str(uuid.uuid4())),
        detected(
            LOG,
            COMPLETE,
            "tail/api",
            why="integration chains the entry by this column but the leaf names the order: the log's chain "
            "breaks there, and the case file (selected by the same column) leaves the entry out",
        ),
    ),
    Mutation(
        PENDING,
        "document",
        "",
        queued("document", forged_document),
        Limit(
            "a queued entry is not in the tree yet: whoever can write the queue can as well write the change "
            "and its entry together, so the log's guarantee starts at integration (moments after the change "
            "commits); the database's write access must stay with the broker (docs/security.md)"
        ),
    ),
    # messages: the signed messages a case file carries, bound to the log by each entry's message_sha256.
    Mutation(
        "messages",
        "jws",
        "a case file's message edited",
        message_column("jws"),
        detected(
            CASE_FILE,
            COMPLETE,
            why="the log names each message's SHA-256",
        ),
    ),
    Mutation(
        "messages",
        "sha256",
        "a case file's message hash edited",
        message_column("sha256"),
        detected(
            CASE_FILE,
            COMPLETE,
            why="the log names each message's SHA-256",
        ),
    ),
]


def run_checks(scene: Scene, api_source: Any, export: Callable[[], Any], vkey: str) -> dict[str, str | None]:
    """Each check's failure, or None where it passed; checks that only read come first."""
    found: dict[str, str | None] = dict.fromkeys(CHECKS)

    def attempt(name: str, check: Callable[[], Any]) -> None:
        try:
            check()
        except verify.AuditVerificationError as error:
            found[name] = found[name] or str(error)

    attempt("history/api", lambda: verify.verify_extends(api_source, vkey, scene.saved))
    attempt("log/api", lambda: verify.verify_log(api_source, vkey))
    exported = export()
    attempt("log/export", lambda: verify.verify_log(exported, vkey))
    attempt("entry/api", lambda: verify.verify_entry(api_source, vkey, scene.focus))
    attempt("entry/export", lambda: verify.verify_entry(exported, vkey, scene.focus))
    # Fetching the case file logs its export and signs a checkpoint: from here on the log grows.
    try:
        case_file = api_source.get_json(f"/orders/{scene.order_id}/case-file")
    except verify.AuditVerificationError as refused:
        for name in (*CASE_FILE, *COMPLETE):
            found[name] = f"the broker refused the case file: {refused}"
    else:
        attempt("case-file", lambda: verify.verify_case_file(case_file, vkey))
        attempt("case-file+log/api", lambda: verify.verify_case_file(case_file, vkey, api_source))
        attempt("case-file+log/export", lambda: verify.verify_case_file(case_file, vkey, export()))
    attempt("tail/api", lambda: verify.verify_tail(api_source, vkey, verify.verify_log(api_source, vkey)))
    attempt("history/api", lambda: verify.verify_extends(api_source, vkey, scene.saved))
    return found


@pytest.mark.parametrize("mutation", [pytest.param(mutation, id=mutation.id) for mutation in MUTATIONS])
def test_a_mutated_column_is_detected_or_harmless(mutation, scene, database, api_source, export, vkey):
    before = export().document
    mutation.mutate(database, scene)

    found = run_checks(scene, api_source, export, vkey)

    failed = {name for name, error in found.items() if error}
    outcome = mutation.outcome
    if isinstance(outcome, Detected):
        missed = sorted(outcome.checks - failed)
        assert not missed, f"{mutation.id}: {outcome.why}; yet these passed: {missed}"
        return
    assert failed == set(), f"{mutation.id} should be {type(outcome).__name__}: {found}"
    if isinstance(outcome, Harmless):
        after = export().document
        assert after["entries"][: scene.size] == before["entries"][: scene.size]
        assert after["checkpoints"][: len(before["checkpoints"])] == before["checkpoints"]
        if outcome.absent is not None:
            assert not [e["index"] for e in after["entries"] if outcome.absent in e["leaf"]]


def test_a_limit_is_what_it_says(scene, database, api_source, export, vkey):
    """The forged queued document is in the log, as its own entry, and everything verifies."""
    queued("document", forged_document)(database, scene)
    run_checks(scene, api_source, export, vkey)
    leaves = [json.loads(entry["leaf"]) for entry in export().document["entries"]]
    assert {"order.closed", "test.queued.1"} <= {leaf["action"] for leaf in leaves[scene.size :]}


def test_every_column_has_a_row():
    """A column added to the log's tables fails here until its row says how tampering with it is caught."""
    columns = {
        (model.__tablename__, column.name) for model in LOG_TABLES for column in model.__table__.columns
    }
    assert columns - {(m.table, m.column) for m in MUTATIONS} == set()


def test_the_checks_pass_on_the_untouched_log(scene, api_source, export, vkey):
    assert run_checks(scene, api_source, export, vkey) == dict.fromkeys(CHECKS)

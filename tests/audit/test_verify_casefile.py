"""A case file leaves out none of its order's entries, or does not verify; the broker refuses to serve a gap.

The broker selects an order's entries by the `object_id` column, which is not hashed. Each attack below
is made as an operator with SQL access could (or as a broker serving an edited case file would), and
the table says who catches it and with which check:

- the broker itself, building the case file (`check_timeline` over the leaves it selected): 500;
- the verifier with the case file alone (`verify_case_file(case_file, vkey)`): the per-entry checks
  (leaf, subject, inclusion proof) or the chain of `previous`;
- the verifier reading the log too (`verify_case_file(case_file, vkey, source)`): also the full pass
  over the log, whose own chain check and whose count of the entries about the order catch a tail
  left out.
"""

import hashlib
import json
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from broker import crypto
from broker import translog
from broker.audit import queries
from broker.audit import verify
from broker.audit.models import AuditEntry
from broker.audit.operations import record
from broker.orders import casefile
from broker.orders.models import Order
from broker.problems import PROBLEM_BASE

AUDIT = "/api/v1/audit"


@dataclass
class Story:
    """One order's history: its entries' indexes in log order (drafted, issued, received, response, 2 views)."""

    order: str
    at: list[int]


def leaves(database) -> dict[int, str]:
    with database.transaction() as session:
        return dict(
            session.execute(sa.select(AuditEntry.index, AuditEntry.leaf).order_by(AuditEntry.index)).all()
        )


@pytest.fixture
def story(network, exchange, client, database):
    order = exchange.respond(exchange.receive(exchange.issue(exchange.draft())))
    exchange.draft(author="judge")  # another order's entries sit between this one's
    for party in ("prosecutor", "provider"):
        assert client.get(f"/api/v1/orders/{order['id']}", headers=network[party].headers).status_code == 200
    at = [i for i, leaf in leaves(database).items() if json.loads(leaf)["object"]["id"] == order["id"]]
    assert len(at) == 6
    return Story(order["id"], at)


def get_case_file(client, network, order):
    return client.get(f"{AUDIT}/orders/{order}/case-file", headers=network["oversight"].headers)


# --- Attacks: on the database (before the case file is asked for), or on the case file served ---------


def set_column(entry: int) -> Callable[..., None]:
    def attack(database, story, rewrite_log):
        with database.transaction() as session:
            session.execute(
                sa.update(AuditEntry).where(AuditEntry.index == story.at[entry]).values(object_id="elsewhere")
            )

    return attack


def delete_row(entry: int) -> Callable[..., None]:
    def attack(database, story, rewrite_log):
        with database.transaction() as session:
            session.execute(sa.delete(AuditEntry).where(AuditEntry.index == story.at[entry]))

    return attack


def swap_rows(first: int, second: int) -> Callable[..., None]:
    """Move two entries' leaves (and hashes) into each other's rows."""

    def attack(database, story, rewrite_log):
        with database.transaction() as session:
            a, b = (
                session.execute(
                    sa.select(AuditEntry.leaf, AuditEntry.leaf_hash).where(AuditEntry.index == story.at[i])
                ).one()
                for i in (first, second)
            )
            for i, (leaf, leaf_hash) in ((first, b), (second, a)):
                session.execute(
                    sa.update(AuditEntry)
                    .where(AuditEntry.index == story.at[i])
                    .values(leaf=leaf, leaf_hash=leaf_hash)
                )

    return attack


def edit_previous(entry: int, *, resign: bool) -> Callable[..., None]:
    """Make an entry claim it is the order's first; with `resign`, rebuild the tree so a new checkpoint covers it."""

    def attack(database, story, rewrite_log):
        stored = leaves(database)
        document = json.loads(stored[story.at[entry]])
        document["previous"] = None
        stored[story.at[entry]] = crypto.canonicalize(document).decode()
        if resign:
            rewrite_log([stored[i] for i in sorted(stored)])
            return
        with database.transaction() as session:
            leaf = stored[story.at[entry]]
            session.execute(
                sa.update(AuditEntry)
                .where(AuditEntry.index == story.at[entry])
                .values(leaf=leaf, leaf_hash=translog.leaf_hash(leaf.encode()))
            )

    return attack


def swap_served(first: int, second: int) -> Callable[[dict[str, Any]], None]:
    def edit(case_file):
        entries = case_file["entries"]
        entries[first], entries[second] = entries[second], entries[first]

    return edit


def drop_served_tail(count: int) -> Callable[[dict[str, Any]], None]:
    def edit(case_file):
        del case_file["entries"][-count:]

    return edit


@dataclass(frozen=True)
class Attack:
    """What is done, and what each party says: None is "serves it" / "verifies"; otherwise a pattern."""

    name: str
    on_database: Callable[..., None] | None
    on_case_file: Callable[[dict[str, Any]], None] | None
    broker: Callable[[Story], str] | None  # the 500 problem's detail
    alone: Callable[[Story], str] | None  # verify_case_file without the log
    with_log: Callable[[Story], str]  # verify_case_file with the log over the API


def chain(entry: int, names: str, listed: str) -> Callable[[Story], str]:
    """The chain check's message: entry `entry` names `names` as the previous, the case file lists `listed`."""

    def pattern(s: Story) -> str:
        def say(what: str) -> str:
            return "no entry" if what == "none" else f"entry {s.at[int(what)]}"

        return re.escape(
            f"entry {s.at[entry]} of the case file names {say(names)} as the previous about the order, "
            f"but the case file lists {say(listed)} before it: entries were left out, reordered or inserted"
        )

    return pattern


def edit_message(resign: bool) -> Callable[[dict[str, Any]], None]:
    """Flip a byte of the last message's signature; with `resign`, list the edited JWS's own hash too."""

    def edit(case_file: dict[str, Any]) -> None:
        message = case_file["order"]["messages"][-1]
        jws = message["jws"]
        message["jws"] = jws[:-2] + ("A" if jws[-2] != "A" else "B") + jws[-1]
        if resign:
            message["sha256"] = hashlib.sha256(message["jws"].encode("ascii")).hexdigest()

    return edit


def drop_message(case_file: dict[str, Any]) -> None:
    case_file["order"]["messages"].pop()


ATTACKS = [
    Attack(
        "edit the object_id column of the first entry",
        set_column(0),
        None,
        broker=lambda s: re.escape(
            f"the case file starts at entry {s.at[1]}, which names entry {s.at[0]} as the previous"
        ),
        alone=lambda s: re.escape(
            f"the case file starts at entry {s.at[1]}, which names entry {s.at[0]} as the previous"
        ),
        with_log=lambda s: re.escape(f"the case file starts at entry {s.at[1]}, which names entry {s.at[0]}"),
    ),
    Attack(
        "edit the object_id column of a middle entry",
        set_column(2),
        None,
        broker=chain(3, "2", "1"),
        alone=chain(3, "2", "1"),
        with_log=chain(3, "2", "1"),
    ),
    Attack(
        "edit the object_id column of the last entry",
        set_column(5),
        None,
        broker=None,  # the export's own entry, chained by the same column, skips it too: the chain holds
        alone=None,  # nothing in the case file shows it: only the log can
        with_log=lambda s: (
            rf"entry \d+ says the previous entry about order {s.order} is {s.at[4]}, but it is {s.at[5]}: "
            "an entry about it was removed, moved or edited"
        ),
    ),
    Attack(
        "delete an entry row",
        delete_row(2),
        None,
        broker=chain(3, "2", "1"),
        alone=chain(3, "2", "1"),
        with_log=chain(3, "2", "1"),
    ),
    Attack(
        "swap two entries' rows",
        swap_rows(1, 2),
        None,
        broker=lambda s: re.escape(f"entry {s.at[1]} of the case file says it is entry {s.at[2]}"),
        alone=lambda s: re.escape(f"entry {s.at[1]} of the case file says it is entry {s.at[2]}"),
        with_log=lambda s: re.escape(f"entry {s.at[1]} of the case file says it is entry {s.at[2]}"),
    ),
    Attack(
        "reorder the case file's entries",
        None,
        swap_served(1, 2),
        broker=None,
        alone=chain(2, "1", "0"),
        with_log=chain(2, "1", "0"),
    ),
    Attack(
        "change previous in a leaf",
        edit_previous(3, resign=False),
        None,
        broker=chain(3, "none", "2"),
        alone=lambda s: rf"entry {s.at[3]} of the case file is not in the signed log: computed root",
        with_log=lambda s: rf"entry {s.at[3]} of the case file is not in the signed log: computed root",
    ),
    Attack(
        "change previous in a leaf and re-sign the log",
        edit_previous(3, resign=True),
        None,
        broker=chain(3, "none", "2"),
        alone=chain(3, "none", "2"),
        with_log=chain(3, "none", "2"),
    ),
    Attack(
        "leave out the case file's last entries",
        None,
        drop_served_tail(2),
        broker=None,
        alone=None,
        with_log=lambda s: (
            rf"the log's entries {s.at[5]}, \d+ are about order {s.order}, but the case file leaves them out"
        ),
    ),
    Attack(
        "edit a carried message's signature",
        None,
        edit_message(resign=False),
        broker=None,
        alone=lambda s: r"message [0-9a-f-]+ of the case file does not hash to the SHA-256 it is listed with",
        with_log=lambda s: (
            r"message [0-9a-f-]+ of the case file does not hash to the SHA-256 it is listed with"
        ),
    ),
    Attack(
        "swap a carried message and its listed hash",
        None,
        edit_message(resign=True),
        broker=None,
        alone=lambda s: r"message [0-9a-f-]+ of the case file is named by none of its log entries",
        with_log=lambda s: r"message [0-9a-f-]+ of the case file is named by none of its log entries",
    ),
    Attack(
        "leave a message out of the case file",
        None,
        drop_message,
        broker=None,
        alone=lambda s: r"the log names 1 message\(s\) of the order that the case file does not carry",
        with_log=lambda s: r"the log names 1 message\(s\) of the order that the case file does not carry",
    ),
]


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda attack: attack.name)
def test_a_case_file_with_an_entry_left_out_is_caught(
    attack, story, database, client, network, vkey, api_source, monkeypatch, caplog, rewrite_log
):
    if attack.on_database is not None:
        attack.on_database(database, story, rewrite_log)
    with caplog.at_level(logging.ERROR, logger="broker.orders.casefile"):
        served = get_case_file(client, network, story.order)
    if attack.broker is None:
        assert served.status_code == 200, served.get_json()
        assert "tampering" not in caplog.text
    else:
        assert served.status_code == 500, served.get_json()
        problem = served.get_json()
        assert problem["type"] == PROBLEM_BASE + "internal-error"
        assert re.search(attack.broker(story), problem["detail"]), problem["detail"]
        assert "may have been tampered with" in problem["detail"]
        assert f"audit log tampering suspected: the case file of order {story.order}" in caplog.text
        # What a broker without that check would serve:
        monkeypatch.setattr(casefile, "check_timeline", lambda order_id, timeline: 0)
        served = get_case_file(client, network, story.order)
        assert served.status_code == 200
    case_file = served.get_json()
    if attack.on_case_file is not None:
        attack.on_case_file(case_file)

    if attack.alone is None:
        assert "can be proved only against the log" in verify.verify_case_file(case_file, vkey).statement
    else:
        with pytest.raises(verify.AuditVerificationError, match=attack.alone(story)):
            verify.verify_case_file(case_file, vkey)
    with pytest.raises(verify.AuditVerificationError, match=attack.with_log(story)):
        verify.verify_case_file(case_file, vkey, api_source)


def test_an_untouched_case_file_verifies_alone_and_against_the_log(story, client, network, vkey, api_source):
    case_file = get_case_file(client, network, story.order).get_json()
    alone = verify.verify_case_file(case_file, vkey)
    assert alone.checked == f"7 timeline entries of order {story.order}"
    size = alone.checkpoint.size
    assert alone.statement == (
        f"7 timeline entries of order {story.order} against the checkpoint of size {size} signed at "
        "2026-11-24T09:00:00+00:00: each is about the order and in the signed log, and they chain from the "
        "order's first entry with no gap; its 2 signed messages are the ones the entries name; that no later "
        "entry about the order was left out can be proved only against the log (the API, or an export)"
    )
    complete = verify.verify_case_file(case_file, vkey, api_source)
    assert complete.statement.endswith(
        f"; the log's entries 0\u2013{size - 1} verify against that checkpoint, and no other of them is about "
        "the order (full pass)"
    )


def test_an_export_read_instead_of_the_api_finds_the_same(story, client, network, vkey, broker_cli, tmp_path):
    case_file = get_case_file(client, network, story.order).get_json()
    drop_served_tail(2)(case_file)
    path = tmp_path / "export.json"
    assert broker_cli("audit", "export", str(path)).exit_code == 0
    export = verify.ExportSource(json.loads(path.read_text()))
    with pytest.raises(
        verify.AuditVerificationError, match=rf"the log's entries {story.at[5]}, \d+ are about order"
    ):
        verify.verify_case_file(case_file, vkey, export)
    export.document["entries"] = export.document["entries"][:10]
    with pytest.raises(
        verify.AuditVerificationError, match=r"^the log read holds 10 entries, fewer than the case"
    ):
        verify.verify_case_file(case_file, vkey, export)


def test_the_case_file_lists_what_is_queued_as_such(story, database, clock, vkey, client, network):
    case_file = get_case_file(client, network, story.order).get_json()
    with database.transaction() as session:
        record(session, clock, action="order.viewed", object_type="order", object_id=story.order, actor=None)
        session.flush()
        built = casefile.build(session, session.get(Order, uuid.UUID(story.order)), None)
        session.rollback()
    assert [json.loads(queued["document"])["action"] for queued in built["queued"]] == ["order.viewed"]
    with_queue = {**case_file, "queued": built["queued"]}
    markdown = casefile.render_markdown(with_queue)
    assert markdown.endswith("- queued 2026-11-24T09:00:00Z order.viewed by operator; not yet in the log\n")
    assert "; 1 queued, not yet in the log" in verify.verify_case_file(with_queue, vkey).statement


def test_the_case_file_command_reads_the_log_and_finds_a_left_out_tail(
    story, network, vkey, broker_cli, broker_http, monkeypatch
):
    token = network["oversight"].token
    command = (
        "audit",
        "case-file",
        story.order,
        "--url",
        "http://broker.test",
        "--token",
        token,
        "--vkey",
        vkey,
    )
    result = broker_cli(*command)
    assert result.exit_code == 0, result.output
    assert "no other of them is about the order (full pass)" in result.stderr

    # A broker that leaves out the order's newest entry, this very export's.
    selected = queries.entries_about
    monkeypatch.setattr(queries, "entries_about", lambda *arguments: selected(*arguments)[:-1])
    result = broker_cli(*command)
    assert result.exit_code == 1, result.output
    assert re.fullmatch(
        rf"Error: the log's entries \d+ are about order {story.order}, but the case file leaves them out\n",
        result.stderr,
    )

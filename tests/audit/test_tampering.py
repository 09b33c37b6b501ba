"""Tampering with the stored log is detected by an outsider holding only the broker's verifier key.

Each attack is made directly on the database, as an operator with SQL access could, and then checked
the two ways an oversight body reads the log: over the API and from an export file.
"""

import base64
import json
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from broker import crypto
from broker import translog
from broker.audit import verify
from broker.audit.models import AuditCheckpoint
from broker.audit.models import AuditEntry
from broker.audit.models import AuditLogHead

ORIGIN = "broker.test/log"


@dataclass
class Log:
    """The log as it stood when the oversight body saved a checkpoint."""

    size: int
    saved: bytes  # the signed note the oversight body keeps
    issued: int  # index of the first order's order.issued entry
    orders: list[dict]


@pytest.fixture
def built(network, exchange, checkpoint, database):
    """The network, one order from draft to answer and a second one issued, then a saved checkpoint."""
    first = exchange.respond(exchange.receive(exchange.issue(exchange.draft())))
    second = exchange.issue(exchange.draft(author="judge"), author="judge")
    saved = checkpoint()
    leaves = stored_leaves(database)
    issued = next(i for i, leaf in enumerate(leaves) if json.loads(leaf)["action"] == "order.issued")
    assert saved["size"] == len(leaves) > issued + 3
    return Log(saved["size"], saved["note"].encode(), issued, [first, second])


@pytest.fixture(params=["api", "export"])
def read_log(request, network, broker_cli, tmp_path):
    """read_log() -> the log as an oversight body reads it now, over the API or from a fresh export."""

    def read():
        if request.param == "api":
            return request.getfixturevalue("api_source")
        path = tmp_path / "export.json"
        result = broker_cli("audit", "export", str(path))
        assert result.exit_code == 0, result.output
        return verify.ExportSource(json.loads(path.read_text()))

    return read


def stored_leaves(database):
    with database.transaction() as session:
        return list(session.scalars(sa.select(AuditEntry.leaf).order_by(AuditEntry.index)))


def leaf_of(document):
    return crypto.canonicalize(document).decode()


def set_entry(session, index, leaf, leaf_hash=None):
    values = {"leaf": leaf}
    if leaf_hash is not None:
        values["leaf_hash"] = leaf_hash
    session.execute(sa.update(AuditEntry).where(AuditEntry.index == index).values(**values))


def sign_directly(session, clock, private_key, size, root):
    """A checkpoint inserted by whoever holds `private_key`, not through the broker's own signing."""
    note = translog.sign_checkpoint(translog.Checkpoint(ORIGIN, size, root), ORIGIN, private_key)
    session.add(AuditCheckpoint(size=size, root_hash=root, note=note.decode(), created_at=clock()))


# --- Attacks on stored entries: each returns the pattern the verification error must match -----------


def edit_leaf_keeping_its_hash(database, log):
    k = log.issued
    with database.transaction() as session:
        leaf = session.scalar(sa.select(AuditEntry.leaf).where(AuditEntry.index == k))
        set_entry(session, k, leaf.replace('"order.issued"', '"order.viewed"'))
    return rf"\bentry {k} does not match the hash recorded"


def edit_leaf_and_its_hash(database, log):
    k = log.issued
    with database.transaction() as session:
        document = json.loads(session.scalar(sa.select(AuditEntry.leaf).where(AuditEntry.index == k)))
        document["actor"]["organisation"] = log.orders[1]["issuing_authority"]["id"]  # blame the judge
        leaf = leaf_of(document)
        set_entry(session, k, leaf, translog.leaf_hash(leaf.encode()))
    return "do not produce the signed root"


def delete_an_entry(database, log):
    k = log.issued
    with database.transaction() as session:
        session.execute(sa.delete(AuditEntry).where(AuditEntry.index == k))
    return rf"position {k} says it is entry {k + 1}\b"


def delete_the_last_entry(database, log):
    with database.transaction() as session:
        session.execute(sa.delete(AuditEntry).where(AuditEntry.index == log.size - 1))
    return rf"covers {log.size} entries but the log holds {log.size - 1}"


def reorder_two_entries(database, log):
    k = log.issued
    with database.transaction() as session:
        first, second = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.index.in_([k, k + 1])).order_by(AuditEntry.index)
        ).all()
        (a_leaf, a_hash), (b_leaf, b_hash) = (first.leaf, first.leaf_hash), (second.leaf, second.leaf_hash)
        session.expunge_all()
        set_entry(session, k, b_leaf, b_hash)
        set_entry(session, k + 1, a_leaf, a_hash)
    return rf"position {k} says it is entry {k + 1}\b"


def insert_a_forged_entry(database, log):
    k = log.issued
    shift = 1_000_000  # two steps, so no moment has two rows with one index
    with database.transaction() as session:
        original = json.loads(session.scalar(sa.select(AuditEntry.leaf).where(AuditEntry.index == k)))
        session.execute(
            sa.update(AuditEntry).where(AuditEntry.index >= k).values(index=AuditEntry.index + shift)
        )
        session.execute(
            sa.update(AuditEntry).where(AuditEntry.index >= shift).values(index=AuditEntry.index - shift + 1)
        )
        forged = leaf_of({**original, "action": "order.received", "details": {"forged": True}})
        session.add(
            AuditEntry(
                index=k,
                recorded_at=datetime.now(UTC),
                action="order.received",
                organisation_id=None,
                object_type="order",
                object_id=original["object"]["id"],
                leaf=forged,
                leaf_hash=translog.leaf_hash(forged.encode()),
            )
        )
        session.execute(sa.update(AuditLogHead).values(size=AuditLogHead.size + 1))
    return rf"position {k + 1} says it is entry {k}\b"


ATTACKS = [
    edit_leaf_keeping_its_hash,
    edit_leaf_and_its_hash,
    delete_an_entry,
    delete_the_last_entry,
    reorder_two_entries,
    insert_a_forged_entry,
]


def test_the_untouched_log_verifies(built, read_log, vkey):
    source = read_log()
    assert verify.verify_log(source, vkey).checked == f"all {built.size} entries"
    assert verify.verify_entry(source, vkey, built.issued).checked == f"entry {built.issued}: order.issued"
    assert verify.verify_extends(source, vkey, built.saved).checked == (
        f"extends the saved checkpoint of size {built.size}"
    )


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda attack: attack.__name__)
def test_tampering_with_stored_entries_is_detected(built, read_log, vkey, database, attack):
    expected = attack(database, built)
    with pytest.raises(verify.AuditVerificationError, match=expected):
        verify.verify_log(read_log(), vkey)


@pytest.mark.parametrize(
    "attack", [edit_leaf_keeping_its_hash, edit_leaf_and_its_hash], ids=lambda attack: attack.__name__
)
def test_proving_the_edited_entry_alone_fails(built, read_log, vkey, database, attack):
    attack(database, built)
    with pytest.raises(verify.AuditVerificationError, match=rf"\bentry {built.issued}\b"):
        verify.verify_entry(read_log(), vkey, built.issued)


# --- Rewriting history consistently: only a checkpoint saved earlier catches it ----------------------


def rewrite_an_early_entry(database, rewrite_log):
    """Make the first order's draft say it was an EPOC-PR, and recompute every hash the change touches."""
    leaves = stored_leaves(database)
    k = next(i for i, leaf in enumerate(leaves) if json.loads(leaf)["action"] == "order.drafted")
    document = json.loads(leaves[k])
    document["details"]["order_type"] = "epoc-pr"
    leaves[k] = leaf_of(document)
    rewrite_log(leaves)
    return k


def test_a_rewrite_signed_with_the_brokers_key_is_caught_by_the_saved_checkpoint(
    built, read_log, vkey, database, client, network, checkpoint, rewrite_log
):
    rewrite_an_early_entry(database, rewrite_log)
    # The broker carries on: a new event, and the broker's own key signs the rewritten log.
    view = client.get(f"/api/v1/orders/{built.orders[0]['id']}", headers=network["oversight"].headers)
    assert view.status_code == 200
    assert checkpoint()["size"] == built.size + 1

    source = read_log()
    assert verify.verify_log(source, vkey).checked == f"all {built.size + 1} entries"  # self-consistent
    with pytest.raises(
        verify.AuditVerificationError,
        match=rf"the newest checkpoint does not extend the saved one of size {built.size}",
    ):
        verify.verify_extends(source, vkey, built.saved)


def test_a_rewrite_of_the_same_size_is_a_fork(built, read_log, vkey, database, signer, clock, rewrite_log):
    rewrite_an_early_entry(database, rewrite_log)
    hashes = [translog.leaf_hash(leaf.encode()) for leaf in stored_leaves(database)]
    with database.transaction() as session:
        sign_directly(session, clock, signer.private_key, built.size, translog.root_hash(hashes))

    source = read_log()
    assert verify.verify_log(source, vkey).checked == f"all {built.size} entries"
    with pytest.raises(verify.AuditVerificationError, match="same size have different roots: the log forked"):
        verify.verify_extends(source, vkey, built.saved)


def test_a_checkpoint_signed_with_another_key_is_rejected(built, read_log, vkey, database, clock):
    forger = Ed25519PrivateKey.generate()
    leaf = leaf_of(
        {
            "index": built.size,
            "action": "forged",
            "object": {"type": "order", "id": "forged"},
            "previous": None,
        }
    )
    hashes = [translog.leaf_hash(stored.encode()) for stored in stored_leaves(database)]
    hashes.append(translog.leaf_hash(leaf.encode()))
    with database.transaction() as session:
        session.add(
            AuditEntry(
                index=built.size,
                recorded_at=clock(),
                action="forged",
                organisation_id=None,
                object_type="order",
                object_id="forged",
                leaf=leaf,
                leaf_hash=translog.leaf_hash(leaf.encode()),
            )
        )
        session.execute(sa.update(AuditLogHead).values(size=built.size + 1))
        sign_directly(session, clock, forger, built.size + 1, translog.root_hash(hashes))

    source = read_log()
    for check in (
        lambda: verify.verify_log(source, vkey),
        lambda: verify.verify_entry(source, vkey, 0),
        lambda: verify.verify_extends(source, vkey, built.saved),
    ):
        with pytest.raises(
            verify.AuditVerificationError,
            match=r"the checkpoint does not verify with the given key: note has no signature from key broker\.test/log\+",
        ):
            check()
    # The forger's own key would accept it: the rejection is about who signed, not about the log.
    forged_vkey = translog.verifier_key(ORIGIN, forger.public_key())
    assert verify.verify_log(source, forged_vkey).checked == f"all {built.size + 1} entries"


def test_a_truncated_log_is_caught_by_the_saved_checkpoint(
    built, read_log, vkey, database, checkpoint, rewrite_log
):
    rewrite_log(stored_leaves(database)[: built.size - 3])
    assert checkpoint()["size"] == built.size - 3  # the broker signs the shorter log

    source = read_log()
    assert verify.verify_log(source, vkey).checked == f"all {built.size - 3} entries"
    with pytest.raises(
        verify.AuditVerificationError,
        match=rf"the log shrank: saved checkpoint has {built.size} entries, the newest {built.size - 3}",
    ):
        verify.verify_extends(source, vkey, built.saved)


# --- An export file edited after it was written ----------------------------------------------------


@pytest.fixture
def export(built, broker_cli, tmp_path, vkey):
    """The export as written, verified once before it is edited."""
    path = tmp_path / "export.json"
    result = broker_cli("audit", "export", str(path))
    assert result.exit_code == 0, result.output
    document = json.loads(path.read_text())
    assert verify.verify_log(verify.ExportSource(document), vkey).checked == f"all {built.size} entries"
    return document


def change_a_leaf(document, built):
    entry = document["entries"][built.issued]
    entry["leaf"] = entry["leaf"].replace('"order.issued"', '"order.viewed"')
    return rf"\bentry {built.issued} does not match the hash recorded"


def change_a_leaf_and_its_hash(document, built):
    entry = document["entries"][built.issued]
    entry["leaf"] = entry["leaf"].replace('"order.issued"', '"order.viewed"')
    entry["leaf_hash"] = base64.b64encode(translog.leaf_hash(entry["leaf"].encode())).decode()
    return "do not produce the signed root"


def change_a_leaf_into_non_canonical_json(document, built):
    entry = document["entries"][built.issued]
    entry["leaf"] = json.dumps(json.loads(entry["leaf"]), indent=1)
    return rf"\bentry {built.issued} is not in canonical form"


def garble_a_leaf_hash(document, built):
    document["entries"][built.issued]["leaf_hash"] = "abc"
    return rf"\bentry {built.issued} has a leaf hash that is not base64"


def replace_an_entry_with_text(document, built):
    document["entries"][built.issued] = "order.issued"
    return rf"\bentry {built.issued} is not an object"


def remove_an_entry(document, built):
    del document["entries"][built.issued]
    return rf"position {built.issued} says it is entry {built.issued + 1}\b"


def swap_two_entries(document, built):
    entries = document["entries"]
    entries[built.issued], entries[built.issued + 1] = entries[built.issued + 1], entries[built.issued]
    return rf"position {built.issued} says it is entry {built.issued + 1}\b"


def break_the_checkpoint(document, built):
    document["checkpoints"][-1] = document["checkpoints"][-1].replace("\n\n", "\n")
    return "checkpoint does not verify with the given key: note has no blank line before its signatures"


def change_the_checkpoint_size(document, built):
    note = document["checkpoints"][-1]
    document["checkpoints"][-1] = note.replace(f"\n{built.size}\n", f"\n{built.size - 1}\n", 1)
    return "checkpoint does not verify with the given key: bad signature from key broker\\.test/log\\+"


def drop_the_checkpoints(document, built):
    document["checkpoints"] = []
    return "the export holds no signed checkpoint"


def change_the_format(document, built):
    document["format"] = "something-else/1"
    return "not an audit export in the eevidence-broker-audit-export/1 format"


EXPORT_EDITS = [
    change_a_leaf,
    change_a_leaf_and_its_hash,
    change_a_leaf_into_non_canonical_json,
    garble_a_leaf_hash,
    replace_an_entry_with_text,
    remove_an_entry,
    swap_two_entries,
    break_the_checkpoint,
    change_the_checkpoint_size,
    drop_the_checkpoints,
    change_the_format,
]


@pytest.mark.parametrize("edit", EXPORT_EDITS, ids=lambda edit: edit.__name__)
def test_an_edited_export_file_is_detected(built, export, vkey, edit):
    expected = edit(export, built)
    with pytest.raises(verify.AuditVerificationError, match=expected):
        verify.verify_log(verify.ExportSource(export), vkey)


def test_a_malformed_saved_checkpoint_is_named(built, read_log, vkey):
    with pytest.raises(
        verify.AuditVerificationError, match=r"the saved checkpoint does not verify: .*blank line"
    ):
        verify.verify_extends(read_log(), vkey, built.saved.replace(b"\n\n", b"\n"))


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (change_a_leaf, r"\bentry {k} does not match the hash recorded"),
        (change_a_leaf_and_its_hash, r"\bentry {k} is not in the signed log"),
        (remove_an_entry, r"\bentry {k} is missing from the log"),
        (replace_an_entry_with_text, r"\bentry {k} is missing from the log"),
        (garble_a_leaf_hash, r"\bentry {k} has a leaf hash that is not base64"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_proving_one_edited_entry_of_an_export_fails(built, export, vkey, edit, expected):
    source = verify.ExportSource(export)
    assert verify.verify_entry(source, vkey, built.issued).checked == f"entry {built.issued}: order.issued"
    edit(export, built)
    with pytest.raises(verify.AuditVerificationError, match=expected.format(k=built.issued)):
        verify.verify_entry(verify.ExportSource(export), vkey, built.issued)

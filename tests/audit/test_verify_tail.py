"""A log that has grown past its newest checkpoint: the verifier says how far, and proves the tail on request.

`verify_log` proves the entries the checkpoint covers and says so, naming how many the log (or the
export) holds past it; `verify_tail` has the broker sign a checkpoint now, checks it extends the
one verified, and carries the same pass on over the new entries.
"""

import json
import re

import pytest
import sqlalchemy as sa

from broker.audit import verify
from broker.audit.models import AuditEntry

URL = "http://broker.test"
SIGNED = "2026-11-24T09:00:00+00:00"  # the test clock, when the API signs
DASH = "\u2013"


@pytest.fixture
def grown(network, exchange, checkpoint, client):
    """An exchange, a checkpoint, then three more events: (checkpoint size, log size, the order)."""
    order = exchange.respond(exchange.receive(exchange.issue(exchange.draft())))
    size = checkpoint()["size"]
    for party in ("prosecutor", "provider", "oversight"):
        assert client.get(f"/api/v1/orders/{order['id']}", headers=network[party].headers).status_code == 200
    return size, size + 3, order


def stored_leaf(database, index):
    with database.transaction() as session:
        return session.scalar(sa.select(AuditEntry.leaf).where(AuditEntry.index == index))


def test_over_the_api_the_growth_since_the_checkpoint_is_named(grown, api_source, vkey):
    size, now, _ = grown
    verified = verify.verify_log(api_source, vkey)
    assert (verified.checkpoint.size, verified.beyond, verified.signed_at) == (size, now - size, SIGNED)
    assert verified.checked == f"entries 0{DASH}{size - 1}"
    assert verified.statement == (
        f"entries 0{DASH}{size - 1} against the checkpoint of size {size} signed at {SIGNED}; the log has "
        f"grown to {now} entries since: run with --tail to verify them against a new checkpoint"
    )


def test_the_tail_is_proved_against_a_checkpoint_signed_now(grown, api_source, vkey, rows):
    size, now, _ = grown
    verified = verify.verify_log(api_source, vkey)
    tail = verify.verify_tail(api_source, vkey, verified)
    assert rows("audit_checkpoints") == 2
    assert (tail.checkpoint.size, tail.beyond) == (now, 0)
    assert tail.checked == f"entries {size}{DASH}{now - 1}"
    assert tail.statement == (
        f"entries {size}{DASH}{now - 1} against a new checkpoint of size {now} signed at {SIGNED}, which "
        f"extends the checkpoint of size {size} (consistency proof verified)"
    )
    # Nothing new since: the broker hands back the same checkpoint, and the verifier says so.
    again = verify.verify_tail(api_source, vkey, tail)
    assert (again.checkpoint, again.checked) == (tail.checkpoint, "no new entries")
    assert verify.verify_log(api_source, vkey).statement.endswith("; the log holds none past it")


def test_an_export_names_what_it_holds_past_its_checkpoint(grown, broker_cli, tmp_path, vkey):
    size, now, _ = grown
    path = tmp_path / "export.json"
    assert broker_cli("audit", "export", str(path)).exit_code == 0
    verified = verify.verify_log(verify.ExportSource(json.loads(path.read_text())), vkey)
    assert (verified.beyond, verified.signed_at) == (now - size, None)
    assert verified.statement == (
        f"entries 0{DASH}{size - 1} against the export's last checkpoint of size {size}; the export holds "
        f"{now - size} entries past it ({size}{DASH}{now - 1}), which it cannot prove: export again after a "
        "new checkpoint, or verify them over the API with --tail"
    )


def test_the_tail_is_verified_entry_by_entry(grown, api_source, vkey, database):
    size, _, _ = grown
    verified = verify.verify_log(api_source, vkey)
    with database.transaction() as session:
        leaf = stored_leaf(database, size + 1)
        session.execute(
            sa.update(AuditEntry)
            .where(AuditEntry.index == size + 1)
            .values(leaf=leaf.replace('"order.viewed"', '"order.listed"'))
        )
    with pytest.raises(
        verify.AuditVerificationError, match=rf"^entry {size + 1} does not match the hash recorded when"
    ):
        verify.verify_tail(api_source, vkey, verified)


def test_a_log_rewritten_before_the_new_checkpoint_does_not_extend_the_verified_one(
    grown, api_source, vkey, database, rewrite_log
):
    size, _, _ = grown
    verified = verify.verify_log(api_source, vkey)
    with database.transaction() as session:
        leaves = list(session.scalars(sa.select(AuditEntry.leaf).order_by(AuditEntry.index)))
    rewrite_log(leaves[: size - 2])
    with pytest.raises(
        verify.AuditVerificationError,
        match=rf"^the log shrank: checkpoint verified before has {size} entries, the newest {size - 2}$",
    ):
        verify.verify_tail(api_source, vkey, verified)


def test_the_command_offers_the_tail_and_proves_it(grown, broker_cli, broker_http, network, vkey, tmp_path):
    size, now, _ = grown
    token = network["oversight"].token
    out = broker_cli("audit", "verify", "--url", URL, "--token", token, "--vkey", vkey)
    assert out.exit_code == 0, out.output
    assert out.stdout.splitlines()[1] == (
        f"verified: entries 0{DASH}{size - 1} against the checkpoint of size {size} signed at {SIGNED}; the "
        f"log has grown to {now} entries since: run with --tail to verify them against a new checkpoint"
    )

    saved = tmp_path / "seen.note"
    out = broker_cli(
        "audit", "verify", "--url", URL, "--token", token, "--vkey", vkey, "--tail", "--save", str(saved)
    )
    assert out.exit_code == 0, out.output
    assert out.stdout.splitlines()[2:] == [
        f"verified: entries {size}{DASH}{now - 1} against a new checkpoint of size {now} signed at {SIGNED}, "
        f"which extends the checkpoint of size {size} (consistency proof verified)",
        f"saved the checkpoint of size {now} to {saved}; pass it as --previous next time",
    ]
    assert any(call.request.method == "POST" for call in broker_http.calls)
    out = broker_cli(
        "audit", "verify", "--url", URL, "--token", token, "--vkey", vkey, "--previous", str(saved)
    )
    assert out.exit_code == 0, out.output
    assert (
        out.stdout.splitlines()[-1]
        == f"verified: the checkpoint of size {now} extends the saved checkpoint of size {now}"
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ("--export", "{export}", "--tail"),
            "--tail asks the broker for a new checkpoint: give --url with --token",
        ),
        (
            ("--url", URL, "--token", "T", "--tail", "--entry", "0"),
            "--tail verifies the whole log's new entries",
        ),
    ],
)
def test_the_tail_needs_the_api_and_the_whole_log(broker_cli, tmp_path, vkey, arguments, message):
    export = tmp_path / "export.json"
    export.write_text(json.dumps({"format": verify.EXPORT_FORMAT, "checkpoints": ["x"], "entries": []}))
    result = broker_cli("audit", "verify", "--vkey", vkey, *(a.format(export=export) for a in arguments))
    assert result.exit_code == 2, result.output
    assert re.search(re.escape(message), result.stderr)

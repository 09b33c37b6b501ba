"""`broker audit`: the operator's key and checkpoints, and an outsider's verification of the log."""

import json
import re

import pytest
import sqlalchemy as sa

from broker import crypto
from broker import translog
from broker.audit import verify
from broker.audit.models import AuditEntry
from broker.audit.operations import record

URL = "http://broker.test"


def ok(result):
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def failed(result, code=1):
    """The command failed with `code` and said why in one line on stderr, printing nothing else."""
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert result.stderr.endswith("\n")
    return result.stderr


@pytest.fixture
def exported(broker_cli, network, exchange, tmp_path):
    """An exchange, a checkpoint signed by the operator, and the export file written after it."""
    order = exchange.respond(exchange.receive(exchange.issue(exchange.draft())))
    ok(broker_cli("audit", "checkpoint"))
    path = tmp_path / "export.json"
    ok(broker_cli("audit", "export", str(path)))
    return path, order


def log_size(database):
    with database.transaction() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


def test_key_prints_the_verifier_key(broker_cli, signer):
    assert ok(broker_cli("audit", "key")) == signer.vkey + "\n"
    assert signer.vkey.startswith("broker.test/log+")


def test_checkpoint_prints_a_signed_note_and_reuses_it_while_nothing_is_added(
    broker_cli, network, database, vkey, rows
):
    note = ok(broker_cli("audit", "checkpoint"))
    opened = translog.open_checkpoint(note.encode(), vkey)
    assert opened.origin == "broker.test/log"
    assert opened.size == log_size(database) > 0
    assert ok(broker_cli("audit", "checkpoint")) == note
    assert rows("audit_checkpoints") == 1


def test_integrate_moves_every_queued_entry_into_the_tree(broker_cli, database, clock):
    with database.transaction() as session:
        for number in range(3):
            record(
                session, clock, action="test.queued", object_type="test", object_id=str(number), actor=None
            )
    assert ok(broker_cli("audit", "integrate")) == "integrated 3 queued entries\n"
    assert log_size(database) == 3
    assert ok(broker_cli("audit", "integrate")) == "integrated 0 queued entries\n"


def test_export_integrates_what_is_queued_first(broker_cli, database, clock, tmp_path):
    with database.transaction() as session:
        record(session, clock, action="test.queued", object_type="test", object_id="x", actor=None)
    path = tmp_path / "export.json"
    ok(broker_cli("audit", "export", str(path)))
    assert [json.loads(e["leaf"])["action"] for e in json.loads(path.read_text())["entries"]] == [
        "test.queued"
    ]


def test_checkpoint_of_an_empty_log(broker_cli, database, vkey):
    opened = translog.open_checkpoint(ok(broker_cli("audit", "checkpoint")).encode(), vkey)
    assert (opened.size, opened.root) == (0, translog.EMPTY_ROOT)


def test_export_holds_every_entry_and_checkpoint(broker_cli, exported, database):
    path, _ = exported
    document = json.loads(path.read_text())
    assert document["format"] == verify.EXPORT_FORMAT
    with database.transaction() as session:
        stored = list(session.scalars(sa.select(AuditEntry).order_by(AuditEntry.index)))
    assert [e["index"] for e in document["entries"]] == [e.index for e in stored]
    assert [e["leaf"] for e in document["entries"]] == [e.leaf for e in stored]
    assert len(document["checkpoints"]) == 1
    assert json.loads(ok(broker_cli("audit", "export"))) == document  # "-" is stdout


def test_verify_an_export_with_the_key(broker_cli, exported, vkey, database):
    path, _ = exported
    size = log_size(database)
    out = ok(broker_cli("audit", "verify", "--export", str(path), "--vkey", vkey))
    assert out.splitlines() == [
        f"checkpoint broker.test/log size {size}: signature verified",
        f"verified: all {size} entries (0\u2013{size - 1}) against the export's last checkpoint of size {size}; "
        "the export holds none past it",
    ]


def test_verify_reads_the_key_from_a_file(broker_cli, exported, vkey, tmp_path, database):
    path, _ = exported
    key_file = tmp_path / "broker.vkey"
    key_file.write_text(vkey + "\n")
    out = ok(broker_cli("audit", "verify", "--export", str(path), "--vkey", f"@{key_file}"))
    assert f"verified: all {log_size(database)} entries" in out


def test_verify_one_entry(broker_cli, exported, vkey, database):
    path, _ = exported
    out = ok(broker_cli("audit", "verify", "--export", str(path), "--vkey", vkey, "--entry", "3"))
    assert out.splitlines()[-1] == (
        f"verified: entry 3 (key.registered) is in the checkpoint of size {log_size(database)} "
        "(inclusion proof verified)"
    )


def test_a_saved_checkpoint_is_extended_later(
    broker_cli, exported, vkey, tmp_path, client, network, database
):
    path, order = exported
    saved = tmp_path / "saved.checkpoint"
    out = ok(broker_cli("audit", "verify", "--export", str(path), "--vkey", vkey, "--save", str(saved)))
    assert f" to {saved}; pass it as --previous next time" in out
    old_size = translog.open_checkpoint(saved.read_bytes(), vkey).size

    assert client.get(f"/api/v1/orders/{order['id']}", headers=network["provider"].headers).status_code == 200
    ok(broker_cli("audit", "checkpoint"))
    ok(broker_cli("audit", "export", str(path)))
    out = ok(broker_cli("audit", "verify", "--export", str(path), "--vkey", vkey, "--previous", str(saved)))
    assert out.splitlines() == [
        f"checkpoint broker.test/log size {old_size + 1}: signature verified",
        f"verified: all {old_size + 1} entries (0\u2013{old_size}) against the export's last checkpoint of size "
        f"{old_size + 1}; the export holds none past it",
        f"verified: the checkpoint of size {old_size + 1} extends the saved checkpoint of size {old_size}",
    ]


def test_a_saved_checkpoint_that_the_log_no_longer_extends_fails(
    broker_cli, exported, vkey, tmp_path, database, rewrite_log
):
    path, _ = exported
    saved = tmp_path / "saved.checkpoint"
    ok(broker_cli("audit", "verify", "--export", str(path), "--vkey", vkey, "--save", str(saved)))
    size = translog.open_checkpoint(saved.read_bytes(), vkey).size

    # The operator drops the last two entries and has the broker sign the shorter log.
    with database.transaction() as session:
        leaves = list(session.scalars(sa.select(AuditEntry.leaf).order_by(AuditEntry.index)))
    rewrite_log(leaves[:-2])
    ok(broker_cli("audit", "checkpoint"))
    ok(broker_cli("audit", "export", str(path)))
    assert f"\nverified: all {size - 2} entries (" in ok(
        broker_cli("audit", "verify", "--export", str(path), "--vkey", vkey)
    )
    error = failed(
        broker_cli("audit", "verify", "--export", str(path), "--vkey", vkey, "--previous", str(saved))
    )
    assert error == (
        f"Error: verification FAILED: the log shrank: saved checkpoint has {size} entries, the newest {size - 2}\n"
    )


def test_an_edited_export_fails_in_one_line(broker_cli, exported, vkey):
    path, _ = exported
    document = json.loads(path.read_text())
    document["entries"][3]["leaf"] = document["entries"][3]["leaf"].replace("key.registered", "key.revoked")
    path.write_text(json.dumps(document, indent=1))
    error = failed(broker_cli("audit", "verify", "--export", str(path), "--vkey", vkey))
    assert error == (
        "Error: verification FAILED: entry 3 does not match the hash recorded when it was logged\n"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "Error: the export file is not JSON: "),
        ('{"format": "other"}', "Error: not an audit export in the eevidence-broker-audit-export/1 format"),
    ],
)
def test_a_file_that_is_not_an_export_is_named(broker_cli, tmp_path, vkey, content, message):
    path = tmp_path / "export.json"
    path.write_text(content)
    assert failed(broker_cli("audit", "verify", "--export", str(path), "--vkey", vkey)).startswith(message)


def test_a_wrong_key_fails_verification(broker_cli, exported):
    path, _ = exported
    other = translog.verifier_key("broker.test/log", crypto.generate_private_key("EdDSA").public_key())
    error = failed(broker_cli("audit", "verify", "--export", str(path), "--vkey", other))
    assert error.startswith(
        "Error: verification FAILED: the checkpoint does not verify with the given key: note has no signature"
    )


def test_an_unreadable_key_file_is_named(broker_cli, exported, tmp_path):
    path, _ = exported
    missing = tmp_path / "missing.vkey"
    error = failed(broker_cli("audit", "verify", "--export", str(path), "--vkey", f"@{missing}"))
    assert error.startswith(f"Error: cannot read the verifier key {missing}: ")


@pytest.mark.parametrize("command", [("audit", "key"), ("audit", "checkpoint")])
def test_signing_commands_need_the_broker_key(broker_cli, monkeypatch, rows, command):
    monkeypatch.delenv("BROKER_KEY_FILE")
    error = failed(broker_cli(*command))
    assert error == "Error: set BROKER_KEY_FILE to the broker's Ed25519 key (see docs/audit.md)\n"
    assert rows("audit_checkpoints") == 0


def test_the_broker_key_must_be_a_readable_ed25519_key(broker_cli, monkeypatch, tmp_path):
    missing = tmp_path / "missing.pem"
    monkeypatch.setenv("BROKER_KEY_FILE", str(missing))
    assert failed(broker_cli("audit", "key")).startswith(f"Error: cannot read the broker key {missing}: ")

    p256 = tmp_path / "p256.pem"
    p256.write_bytes(crypto.private_key_pem(crypto.generate_private_key("ES256")))
    monkeypatch.setenv("BROKER_KEY_FILE", str(p256))
    assert failed(broker_cli("audit", "key")) == f"Error: the broker key {p256} must be an Ed25519 key\n"

    garbage = tmp_path / "garbage.pem"
    garbage.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    monkeypatch.setenv("BROKER_KEY_FILE", str(garbage))
    assert failed(broker_cli("audit", "checkpoint")).startswith(
        f"Error: the broker key {garbage} is not usable: not an unencrypted PEM private key"
    )


@pytest.mark.parametrize(
    "arguments",
    [(), ("--url", URL), ("--token", "T")],
    ids=["neither", "url-without-token", "token-without-url"],
)
def test_verify_needs_the_api_or_an_export(broker_cli, vkey, arguments):
    result = broker_cli("audit", "verify", "--vkey", vkey, *arguments)
    assert result.exit_code == 2, result.output
    assert "give --url with --token (or BROKER_TOKEN), or --export FILE" in result.stderr


def test_verify_over_the_api(broker_cli, broker_http, exported, vkey, network, database, tmp_path):
    token = network["oversight"].token
    size = log_size(database)
    out = ok(broker_cli("audit", "verify", "--url", URL, "--token", token, "--vkey", vkey))
    head, verified = out.splitlines()
    assert head == f"checkpoint broker.test/log size {size}: signature verified"
    assert re.fullmatch(
        rf"verified: all {size} entries \(0\u2013{size - 1}\) against the checkpoint of size {size} signed at "
        r"\S+; the log holds none past it",
        verified,
    )
    out = ok(
        broker_cli("audit", "verify", "--url", URL + "/", "--token", token, "--vkey", vkey, "--entry", "0")
    )
    assert re.fullmatch(
        rf"verified: entry 0 \(organisation.registered\) is in the checkpoint of size {size} signed at \S+ "
        r"\(inclusion proof verified\)",
        out.splitlines()[-1],
    )
    assert {call.request.url.split("?")[0] for call in broker_http.calls} >= {
        f"{URL}/api/v1/audit/checkpoints/latest",
        f"{URL}/api/v1/audit/entries",
        f"{URL}/api/v1/audit/proofs/inclusion",
    }


def test_verify_over_the_api_names_what_the_broker_refused(broker_cli, broker_http, network, vkey):
    token = network["oversight"].token
    error = failed(broker_cli("audit", "verify", "--url", URL, "--token", token, "--vkey", vkey))
    assert error == (
        "Error: verification FAILED: GET /checkpoints/latest answered 404: no checkpoint has been signed yet\n"
    )
    error = failed(broker_cli("audit", "verify", "--url", URL, "--token", "nonsense", "--vkey", vkey))
    assert error == (
        "Error: verification FAILED: GET /checkpoints/latest answered 401: the bearer token is not known\n"
    )
    error = failed(
        broker_cli("audit", "verify", "--url", "http://elsewhere.test", "--token", token, "--vkey", vkey)
    )
    assert error.startswith("Error: verification FAILED: cannot reach the broker: ")


def test_case_file_over_the_api(broker_cli, broker_http, exported, vkey, network):
    _, order = exported
    token = network["oversight"].token
    result = broker_cli("audit", "case-file", order["id"], "--url", URL, "--token", token, "--vkey", vkey)
    markdown = ok(result)
    assert markdown.startswith(f"# Case file: EPOC {order['id']}\n")
    for action in ("order.drafted", "order.issued", "order.received", "order.response"):
        assert f" {action} by " in markdown
    assert result.stderr.startswith(
        f"verified: 5 timeline entries of order {order['id']} against the checkpoint of size "
    )
    assert result.stderr.endswith(" and no other of them is about the order (full pass)\n")

    as_json = broker_cli(
        "audit", "case-file", order["id"], "--url", URL, "--token", token, "--format", "json"
    )
    case_file = json.loads(ok(as_json))
    assert as_json.stderr == ""
    assert verify.verify_case_file(case_file, vkey).checked == f"6 timeline entries of order {order['id']}"


def test_case_file_with_the_wrong_key_fails(broker_cli, broker_http, exported, network):
    _, order = exported
    other = translog.verifier_key("broker.test/log", crypto.generate_private_key("EdDSA").public_key())
    result = broker_cli(
        "audit",
        "case-file",
        order["id"],
        "--url",
        URL,
        "--token",
        network["oversight"].token,
        "--vkey",
        other,
    )
    assert failed(result).startswith("Error: the case file's checkpoint does not verify: ")

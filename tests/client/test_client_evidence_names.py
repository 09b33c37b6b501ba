"""`broker evidence fetch` never overwrites a file silently (regression: two manifests of one order
naming the same file used to leave only the second one).

Deliveries go through `broker evidence send` to the broker on a real socket, as in
tests/cli/test_cli_evidence.py; the recipient is published with the operator's command.
"""

import json
from pathlib import Path
from typing import Any

import pyrage
import pytest


@pytest.fixture
def identity(cli: Any, network: Any, database: Any, tmp_path: Path) -> Path:
    """The prosecutor's age identity file; its recipient published with `broker key add-recipient`."""
    generated = pyrage.x25519.Identity.generate()
    path = tmp_path / "prosecutor.key"
    path.write_text(f"{generated}\n")
    published = cli(
        "key", "add-recipient", "--org", network["prosecutor"].organisation_id, str(generated.to_public()),
        env={"BROKER_DATABASE_URL": database.url},
    )  # fmt: skip
    assert published.exit_code == 0, published.output
    return path


@pytest.fixture
def order(exchange: Any) -> dict[str, Any]:
    return exchange.receive(exchange.issue(exchange.draft()))


@pytest.fixture
def two_deliveries(cli, url, network, order, identity, key_files, clock, tmp_path) -> list[tuple[str, bytes]]:
    """Two manifests, each with a file named mailbox.mbox, with different content: (manifest id, bytes).

    The second manifest is signed through a `file:` signer reference, as an HSM or KMS one would be.
    The broker's clock moves a second between them: on a frozen clock both would arrive at the same
    instant, and an order lists its messages by arrival, so PostgreSQL could list either first.
    """
    delivered = []
    keys = (key_files["provider"], key_files["provider"].as_uri())
    for number, content in enumerate((b"first production\n", b"second production, corrected\n")):
        folder = tmp_path / f"production-{number}"
        folder.mkdir()
        (folder / "mailbox.mbox").write_bytes(content)
        sent = cli(
            "evidence", "send", order["id"], folder / "mailbox.mbox", "--url", url, "--token", network["provider"].token,
            "--key", keys[number], "--work", tmp_path / f"work-{number}",
        )  # fmt: skip
        assert sent.exit_code == 0, sent.output
        delivered.append((json.loads(sent.stdout)["manifest"], content))
        clock.advance(seconds=1)
    return delivered


def _fetch(cli: Any, url: str, network: Any, order: dict[str, Any], identity: Path, out: Path) -> Any:
    return cli(
        "evidence", "fetch", order["id"], "--url", url, "--token", network["prosecutor"].token,
        "--identity", identity, "--out", out,
    )  # fmt: skip


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_manifests_naming_the_same_file_keep_both(
    cli, url, network, order, identity, two_deliveries, tmp_path
):
    (first, first_bytes), (second, second_bytes) = two_deliveries
    out = tmp_path / "out"

    fetched = _fetch(cli, url, network, order, identity, out)

    assert fetched.exit_code == 0, fetched.output
    assert _files(out) == {"mailbox.mbox": first_bytes, f"{second}/mailbox.mbox": second_bytes}
    listed = json.loads(fetched.stdout)["files"]
    assert [(f["manifest"], Path(f["path"])) for f in listed] == [
        (first, out / "mailbox.mbox"),
        (second, out / second / "mailbox.mbox"),
    ]
    assert (
        f"another manifest of this order delivered a file of that name; saving it as {out / second / 'mailbox.mbox'}"
        in fetched.stderr
    )

    again = _fetch(cli, url, network, order, identity, out)

    assert again.exit_code == 0, again.output
    assert _files(out) == {"mailbox.mbox": first_bytes, f"{second}/mailbox.mbox": second_bytes}, (
        "a second run finds each file where the first put it"
    )


def test_a_file_already_in_the_folder_is_never_replaced(
    cli, url, network, order, identity, two_deliveries, tmp_path
):
    (first, first_bytes), (second, second_bytes) = two_deliveries
    out = tmp_path / "out"
    out.mkdir()
    (out / "mailbox.mbox").write_bytes(b"the caseworker's own notes\n")

    fetched = _fetch(cli, url, network, order, identity, out)

    assert fetched.exit_code == 0, fetched.output
    assert _files(out) == {
        "mailbox.mbox": b"the caseworker's own notes\n",
        f"{first}/mailbox.mbox": first_bytes,
        f"{second}/mailbox.mbox": second_bytes,
    }
    assert f"{out / 'mailbox.mbox'} already holds a different file" in fetched.stderr


def test_when_every_place_is_taken_fetch_stops_and_overwrites_nothing(
    cli, url, network, order, identity, two_deliveries, tmp_path
):
    (first, _), _ = two_deliveries
    out = tmp_path / "out"
    (out / first).mkdir(parents=True)
    (out / "mailbox.mbox").write_bytes(b"mine\n")
    (out / first / "mailbox.mbox").write_bytes(b"also mine\n")

    fetched = _fetch(cli, url, network, order, identity, out)

    assert fetched.exit_code == 1
    assert "already hold other files" in fetched.stderr and "nothing was overwritten" in fetched.stderr
    assert _files(out) == {"mailbox.mbox": b"mine\n", f"{first}/mailbox.mbox": b"also mine\n"}


def test_a_signing_key_that_cannot_be_read_is_one_line(cli, url, network, order, identity, tmp_path):
    produced = tmp_path / "mailbox.mbox"
    produced.write_bytes(b"data")

    sent = cli(
        "evidence", "send", order["id"], produced, "--url", url, "--token", network["provider"].token,
        "--key", tmp_path / "missing.pem", "--work", tmp_path / "work",
    )  # fmt: skip

    assert sent.exit_code == 1
    assert (
        sent.stderr.strip()
        == f"Error: cannot read the signing key {tmp_path / 'missing.pem'}: No such file or directory"
    )


def test_an_empty_trust_list_trusts_nobody_rather_than_the_broker(
    cli, url, network, order, identity, two_deliveries, tmp_path
):
    empty = tmp_path / "empty.jwks.json"
    empty.write_text('{"keys": []}')

    fetched = cli(
        "evidence", "fetch", order["id"], "--url", url, "--token", network["prosecutor"].token,
        "--identity", identity, "--out", tmp_path / "out", "--trust-list", empty,
    )  # fmt: skip

    assert fetched.exit_code == 1
    assert "not a key of the provider" in fetched.stderr

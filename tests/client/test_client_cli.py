"""`broker order`, `broker message` and `broker inbox` end to end, against the broker on a real socket.

Each party uses only its token, its key file and the commands, as its own systems would: JSON in
from files or stdin, JSON out on stdout, one `Error: …` line and exit status 1 on any failure.
"""

import json
from pathlib import Path
from typing import Any

import pytest

from broker import crypto

CONTENT_WITHOUT_VALIDATION = {
    "data_categories": ["content"],
    "offence_committed_in_issuing_state": True,
    "person_resides_in_issuing_state": False,
}


def _ok(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return result.stdout


def _json(result: Any) -> Any:
    return json.loads(_ok(result))


def _as(party: Any, url: str) -> list[str]:
    return ["--url", url, "--token", party.token]


@pytest.fixture
def draft_file(network: Any, drafts: Any, tmp_path: Path) -> Path:
    """draft.json as a caseworker writes it (docs/api.md, step 2)."""
    path = tmp_path / "draft.json"
    certificate = drafts.epoc(network.addressees["provider"])
    path.write_text(json.dumps({"order_type": "epoc", "certificate": certificate}))
    return path


def test_a_caseworker_checks_drafts_signs_and_issues_an_order(
    cli, url, network, draft_file, key_files, tmp_path
):
    prosecutor, provider = network["prosecutor"], network["provider"]

    report = _json(cli("order", "check", draft_file, *_as(prosecutor, url)))
    order = _json(cli("order", "draft", draft_file, "--idempotency-key", "draft-1", *_as(prosecutor, url)))
    again = _json(cli("order", "draft", draft_file, "--idempotency-key", "draft-1", *_as(prosecutor, url)))
    shown = _json(cli("order", "show", order["id"], *_as(prosecutor, url)))
    (tmp_path / "order.json").write_text(json.dumps(shown))
    jws = _ok(cli("order", "sign", tmp_path / "order.json", "--signer", key_files["prosecutor"]))
    issued = _json(cli("order", "issue", order["id"], "-", *_as(prosecutor, url), input=jws))

    assert report["blocking"] is False
    assert (order["state"], again["id"]) == ("draft", order["id"]), "the same key created nothing new"
    assert issued["state"] == "issued"
    assert issued["messages"][0]["sender_kid"] == prosecutor.kid
    inbox = _json(cli("inbox", "--unread", *_as(provider, url)))
    assert [item["id"] for item in inbox["items"]] == [order["id"]]
    received = _json(cli("order", "receive", order["id"], *_as(provider, url)))
    assert received["state"] == "received"


def test_a_certificate_alone_is_drafted_with_its_type(cli, url, network, drafts, tmp_path):
    certificate = tmp_path / "certificate.json"
    certificate.write_text(json.dumps(drafts.epoc(network.addressees["provider"])))

    order = _json(cli("order", "draft", certificate, "--type", "epoc", *_as(network["prosecutor"], url)))

    assert (order["order_type"], order["state"]) == ("epoc", "draft")


def test_issuing_can_sign_the_stored_draft_in_one_step(cli, url, network, exchange, key_files):
    order = exchange.draft()

    issued = _json(
        cli(
            "order",
            "issue",
            order["id"],
            "--signer",
            key_files["prosecutor"],
            *_as(network["prosecutor"], url),
        )
    )

    assert issued["state"] == "issued"


def test_a_blocking_finding_fails_the_check_but_prints_the_report(cli, url, network, drafts, tmp_path):
    path = tmp_path / "content.json"
    certificate = drafts.epoc(network.addressees["provider"], **CONTENT_WITHOUT_VALIDATION)
    path.write_text(json.dumps({"order_type": "epoc", "certificate": certificate}))

    checked = cli("order", "check", path, *_as(network["prosecutor"], url))

    assert checked.exit_code == 1
    assert json.loads(checked.stdout)["blocking"] is True
    assert checked.stderr.strip().startswith("Error: the draft cannot be issued: blocking findings EE-06")


def test_a_stored_draft_is_checked_again(cli, url, network, exchange):
    order = exchange.draft()

    checked = _json(cli("order", "check", "--order", order["id"], *_as(network["prosecutor"], url)))

    assert checked["id"] == order["id"] and checked["checks"]["blocking"] is False


@pytest.fixture
def received(exchange: Any) -> dict[str, Any]:
    return exchange.receive(exchange.issue(exchange.draft()))


def test_the_provider_answers_and_the_authority_verifies_without_trusting_the_broker(
    cli, url, network, received, key_files, database, tmp_path
):
    prosecutor, provider = network["prosecutor"], network["provider"]
    order_id = received["id"]
    sign = (
        "message",
        "sign",
        "-",
        "--order",
        order_id,
        "--signer",
        key_files["provider"],
        *_as(provider, url),
    )

    ack = _ok(cli(*sign, "--type", "acknowledgement", input='{"addressee_file_number": "EM-1"}'))
    acknowledged = _json(cli("message", "send", order_id, "-", *_as(provider, url), input=ack))
    resent = _json(cli("message", "send", order_id, "-", *_as(provider, url), input=ack))
    response = _ok(cli(*sign, "--type", "response", input='{"outcome": "produced", "data_preserved": true}'))
    produced = _json(cli("message", "send", order_id, "-", *_as(provider, url), input=response))

    assert acknowledged["state"] == "acknowledged"
    assert resent == acknowledged, "the same signed message sent again is replayed, not refused"
    assert produced["state"] == "produced"
    trust_list = tmp_path / "trust-list.jwks.json"
    exported = cli("key", "export", trust_list, env={"BROKER_DATABASE_URL": database.url})
    assert exported.exit_code == 0, exported.output
    offline = cli(
        "message", "verify", "-", "--trust-list", trust_list, "--sender", provider.organisation_id,
        "--type", "response", input=response,
    )  # fmt: skip
    online = _json(cli("message", "verify", "-", *_as(prosecutor, url), input=response))
    verified = _json(offline)
    assert verified["verified"] is True and verified["kid"] == provider.kid
    assert verified["envelope"]["in_reply_to"] == received["messages"][0]["id"]
    assert online["envelope"] == verified["envelope"]
    assert offline.stderr.startswith(f"response {verified['id']} signed by {provider.organisation_id}")


def test_a_message_is_signed_offline_when_the_envelope_is_given(cli, network, key_files, tmp_path):
    provider, prosecutor = network["provider"], network["prosecutor"]
    body = tmp_path / "ack.json"
    body.write_text("{}")
    in_reply_to = "4a1106cd-4d67-400c-a190-d7b07dc79953"

    jws = _ok(
        cli(
            "message", "sign", body, "--type", "acknowledgement", "--from", provider.organisation_id,
            "--to", prosecutor.organisation_id, "--in-reply-to", in_reply_to, "--signer", key_files["provider"],
        )
    )  # fmt: skip

    opened = json.loads(crypto.verify_jws(jws.strip(), crypto.public_jwk(provider.private_key)))
    assert (opened["sender"]["kid"], opened["in_reply_to"]) == (provider.kid, in_reply_to)


def test_the_inbox_pages_and_lists_everything(cli, url, network, exchange):
    ids = {exchange.issue(exchange.draft())["id"] for _ in range(3)}
    provider = network["provider"]

    first = _json(cli("inbox", "--per-page", "2", *_as(provider, url)))
    second = _json(cli("inbox", "--per-page", "2", "--cursor", first["next_cursor"], *_as(provider, url)))
    every = _json(cli("inbox", "--all", "--per-page", "2", *_as(provider, url)))

    assert (len(first["items"]), len(second["items"]), second["next_cursor"]) == (2, 1, None)
    assert (
        {item["id"] for item in every["items"]} == ids == {i["id"] for i in first["items"] + second["items"]}
    )
    assert _json(cli("inbox", "--overdue", *_as(provider, url)))["items"] == []


def _tampered(jws: str) -> str:
    jws = jws.strip()
    return jws[:-2] + ("A" if jws[-2] != "A" else "B") + jws[-1]


FAILURES = [
    pytest.param(lambda c: ("order", "show", c.order, "--url", c.url, "--token", "ebt_wrong"), "answered 401", id="bad token"),
    pytest.param(
        lambda c: ("order", "show", "00000000-0000-4000-8000-000000000000", *c.as_prosecutor), "answered 404", id="unknown order"
    ),
    pytest.param(lambda c: ("order", "draft", c.tmp / "missing.json", *c.as_prosecutor), "cannot read", id="missing file"),
    pytest.param(lambda c: ("order", "draft", c.write("[1,"), *c.as_prosecutor), "is not JSON", id="not JSON"),
    pytest.param(lambda c: ("order", "draft", c.write("{}"), *c.as_prosecutor), "with --type", id="a certificate without type"),
    pytest.param(
        lambda c: ("order", "sign", c.write("{}"), "--signer", c.keys["prosecutor"]), "an order as the broker returned", id="not an order"
    ),
    pytest.param(
        lambda c: ("order", "issue", c.order, "--signer", c.tmp / "nokey.pem", *c.as_prosecutor), "cannot read the signing key", id="missing key file"
    ),
    pytest.param(
        lambda c: ("message", "send", c.order, c.write("not-a-jws"), *c.as_provider), "answered 400", id="not a JWS"
    ),
    pytest.param(
        lambda c: ("message", "verify", c.write(_tampered(c.epoc)), "--trust-list", c.trust), "signature does not verify", id="tampered message"
    ),
    pytest.param(
        lambda c: ("message", "verify", c.write(c.epoc), "--trust-list", c.write('{"keys": []}')), "not in the trust list", id="unknown key"
    ),
    pytest.param(
        lambda c: ("message", "verify", c.write(c.epoc), "--trust-list", c.write("[]")), "is not a JWKS trust list", id="bad trust list"
    ),
    pytest.param(
        lambda c: ("message", "sign", c.write("{}"), "--type", "acknowledgement", "--order", c.order, "--signer", c.keys["oversight"], *c.as_oversight),
        "not a side of order", id="not a side of the order",
    ),
    pytest.param(lambda c: ("inbox", *c.as_oversight), "answered 403", id="an inbox for oversight"),
    pytest.param(lambda c: ("inbox", "--url", "http://127.0.0.1:9", "--token", "x"), "cannot reach the broker", id="no broker"),
]  # fmt: skip


class Context:
    def __init__(
        self, url: str, network: Any, order: dict[str, Any], keys: dict[str, Path], tmp: Path, trust: Path
    ):
        self.url, self.order, self.keys, self.tmp, self.trust = url, order["id"], keys, tmp, trust
        self.epoc = order["messages"][0]["jws"]
        self.as_prosecutor = _as(network["prosecutor"], url)
        self.as_provider = _as(network["provider"], url)
        self.as_oversight = _as(network["oversight"], url)
        self.files = 0

    def write(self, text: str) -> Path:
        self.files += 1
        path = self.tmp / f"input-{self.files}"
        path.write_text(text)
        return path


@pytest.mark.parametrize(("command", "message"), FAILURES)
def test_every_failure_is_one_line_and_exit_status_1(
    cli, url, network, received, key_files, tmp_path, command, message
):
    trust = tmp_path / "trust.json"
    jwk = crypto.public_jwk(network["prosecutor"].private_key)
    trust.write_text(json.dumps({"keys": [{**jwk, "kid": network["prosecutor"].kid}]}))
    context = Context(url, network, received, key_files, tmp_path, trust)

    result = cli(*command(context))

    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: ") and message in line, line
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "command",
    [
        ("message", "verify", "-"),
        ("order", "check"),
        ("order", "issue", "some-order", "x.jws", "--signer", "key.pem", "--url", "http://x", "--token", "t"),
        ("message", "sign", "-", "--type", "acknowledgement", "--signer", "key.pem"),
    ],
    ids=[
        "verify without keys",
        "check without draft",
        "issue with a file and a signer",
        "sign without envelope",
    ],
)
def test_a_command_missing_what_it_needs_says_so(cli, command, key_files, monkeypatch):
    for name in ("BROKER_URL", "BROKER_TOKEN", "BROKER_SIGNER"):
        monkeypatch.delenv(name, raising=False)

    result = cli(*[key_files["provider"] if part == "key.pem" else part for part in command], input="{}")

    assert result.exit_code == 2
    assert "Traceback" not in result.output

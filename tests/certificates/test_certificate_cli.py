"""`broker certificate verify|seal-key|pdf` as a provider runs them: one line, and an exit status to script on."""

import json
import re
from urllib.parse import urlsplit

import pytest
import responses
from click.testing import CliRunner

from broker import crypto
from broker.cli import main


@pytest.fixture
def files(tmp_path, render, signed, seal, signers):
    pdf = tmp_path / "order.pdf"
    pdf.write_bytes(render(signed.epoc, "de"))
    seal_pem = tmp_path / "seal.pem"
    seal_pem.write_bytes(seal.certificate_pem)
    trust = tmp_path / "trust.jwks.json"
    keys = [
        {**crypto.public_jwk(party.key), "kid": party.kid, "organisation": party.organisation}
        for party in signers.values()
    ]
    trust.write_text(json.dumps({"keys": keys}))
    return pdf, seal_pem, trust


def test_verify_says_valid_in_one_line(files):
    pdf, seal_pem, trust = files

    result = CliRunner().invoke(
        main,
        ["certificate", "verify", str(pdf), "--seal-certificate", str(seal_pem), "--trust-list", str(trust)],
    )

    assert result.exit_code == 0, result.output
    assert result.output.count("\n") == 1
    assert result.output.startswith("VALID: sealed true copy of epoc ")


@pytest.mark.parametrize(
    ("spoil", "line"),
    [
        (lambda pdf: pdf[: len(pdf) // 2], "REFUSED: "),
        (lambda pdf: pdf.replace(b"/Type /Page", b"/Type /Pagx", 1), "REFUSED: tampered"),
    ],
)
def test_verify_refuses_a_spoilt_pdf_with_exit_status_1(files, spoil, line):
    pdf, seal_pem, trust = files
    pdf.write_bytes(spoil(pdf.read_bytes()))

    result = CliRunner().invoke(
        main,
        ["certificate", "verify", str(pdf), "--seal-certificate", str(seal_pem), "--trust-list", str(trust)],
    )

    assert result.exit_code == 1
    assert result.output.startswith(line), result.output


def test_verify_prints_the_verdict_as_json_on_request(files):
    pdf, seal_pem, trust = files

    result = CliRunner().invoke(
        main,
        [
            "certificate",
            "verify",
            str(pdf),
            "--seal-certificate",
            str(seal_pem),
            "--trust-list",
            str(trust),
            "--json",
        ],
    )

    verdict = json.loads(result.output)
    assert verdict["valid"] is True and verdict["message"]["type"] == "epoc"


def test_seal_key_writes_a_private_key_only_its_owner_reads_and_a_certificate(tmp_path):
    key, certificate = tmp_path / "seal-key.pem", tmp_path / "seal-cert.pem"

    result = CliRunner().invoke(
        main, ["certificate", "seal-key", str(key), str(certificate), "--name", "Broker of Example"]
    )

    assert result.exit_code == 0, result.output
    assert key.stat().st_mode & 0o777 == 0o600
    assert b"BEGIN CERTIFICATE" in certificate.read_bytes()
    again = CliRunner().invoke(main, ["certificate", "seal-key", str(key), str(certificate), "--name", "x"])
    assert again.exit_code != 0 and "refusing to overwrite" in again.output


@responses.activate
def test_pdf_downloads_the_form_through_the_api(tmp_path):
    order = "6a1f3c2e-9b8d-4e7f-a6c5-0d1e2f3a4b5c"
    responses.get(
        f"https://broker.test/api/v1/orders/{order}/pdf?language=fr",
        body=b"%PDF-1.7 ...",
        content_type="application/pdf",
    )
    output = tmp_path / "order.pdf"

    result = CliRunner().invoke(
        main,
        [
            "certificate",
            "pdf",
            order,
            "--language",
            "fr",
            "-o",
            str(output),
            "--url",
            "https://broker.test",
            "--token",
            "ebt_x",
        ],
    )

    assert result.exit_code == 0, result.output
    assert output.read_bytes() == b"%PDF-1.7 ..."
    assert responses.calls[0].request.headers["Authorization"] == "Bearer ebt_x"


@pytest.fixture
def served(sealed, client):
    """The API at https://broker.test: every request the CLI makes goes to the app itself."""

    def forward(request):
        url = urlsplit(request.url)
        answer = client.open(
            url.path,
            method=request.method,
            query_string=url.query,
            headers=dict(request.headers),
            data=request.body,
        )
        return answer.status_code, dict(answer.headers), answer.data

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.GET, re.compile(r"https://broker\.test/.*"), callback=forward)
        yield "https://broker.test"


def test_a_provider_downloads_an_answer_and_verifies_it_from_the_pdf_alone(
    served, client, network, exchange, tmp_path
):
    order = exchange.receive(exchange.issue(exchange.draft()))
    answered = exchange.respond(
        order,
        {
            "outcome": "not_executed",
            "reason": "data_not_stored",
            "explanation": "Deleted.",
            "data_preserved": False,
        },
    )
    answer = next(m["id"] for m in answered["messages"] if m["type"] == "response")
    as_provider = ["--url", served, "--token", network["provider"].token]
    downloaded = CliRunner().invoke(
        main,
        [
            "certificate",
            "pdf",
            order["id"],
            "--message",
            answer,
            "--language",
            "de",
            "-o",
            str(tmp_path / "a.pdf"),
            *as_provider,
        ],
    )
    assert downloaded.exit_code == 0, downloaded.output
    published = {
        "seal.pem": "/api/v1/certificates/seal-certificate",
        "provider.json": f"/api/v1/organisations/{network['provider'].organisation_id}/keys",
        "prosecutor.json": f"/api/v1/organisations/{network['prosecutor'].organisation_id}/keys",
    }
    for name, path in published.items():
        (tmp_path / name).write_bytes(client.get(path, headers=network["provider"].headers).data)
    verify = [
        "certificate",
        "verify",
        str(tmp_path / "a.pdf"),
        "--seal-certificate",
        str(tmp_path / "seal.pem"),
    ]

    both = CliRunner().invoke(
        main,
        [
            *verify,
            "--trust-list",
            str(tmp_path / "provider.json"),
            "--trust-list",
            str(tmp_path / "prosecutor.json"),
        ],
    )
    provider_only = CliRunner().invoke(main, [*verify, "--trust-list", str(tmp_path / "provider.json")])

    assert both.exit_code == 0 and both.output.startswith(f"VALID: sealed true copy of response {answer} "), (
        both.output
    )
    assert provider_only.exit_code == 1
    assert provider_only.output.startswith("REFUSED: the attached certificate is refused: signed with key")


def test_pdf_says_in_one_line_what_the_broker_refused(served, network, exchange, tmp_path):
    order = exchange.issue(exchange.draft())
    missing = "00000000-0000-4000-8000-000000000000"

    result = CliRunner().invoke(
        main,
        [
            "certificate",
            "pdf",
            order["id"],
            "--message",
            missing,
            "-o",
            str(tmp_path / "x.pdf"),
            "--url",
            served,
            "--token",
            network["provider"].token,
        ],
    )

    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and result.output.startswith("Error: ") and "404" in result.output
    assert not (tmp_path / "x.pdf").exists()

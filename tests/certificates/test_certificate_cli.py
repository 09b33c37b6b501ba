"""`broker certificate verify|seal-key|pdf` as a provider runs them: one line, and an exit status to script on."""

import json

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

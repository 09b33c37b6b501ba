"""`broker certificate pdf|verify|seal-key`: certificates as sealed PDFs, fetched, checked and sealed.

broker certificate pdf ORDER_ID [--message ID] [--language fr] [-o order.pdf]   # over HTTP, your token
broker certificate verify order.pdf --seal-certificate seal.pem --trust-list keys/trust-list.jwks.json
broker certificate seal-key seal-key.pem seal-cert.pem --name "e-evidence broker, Ministry of Justice"

`verify` needs nothing but the PDF, the broker's published seal certificate and a trust list: a
provider that received the PDF by e-mail checks it without trusting the e-mail or the broker.
"""

import os
from pathlib import Path

import click
from cryptography import x509

from broker.certificates import OFFICIAL_LANGUAGES
from broker.certificates import Seal
from broker.certificates import verify_pdf
from broker.cli.client import connection
from broker.cli.client import fails_cleanly
from broker.cli.client import open_client
from broker.cli.client import say
from broker.cli.client import write_json
from broker.client import TrustList


@click.group()
def certificate() -> None:
    """Orders and answers as sealed PDF forms: download, verify, make a seal key."""


@certificate.command()
@click.argument("order_id")
@click.option("--message", "message_id", help="A message of the order (default: its certificate).")
@click.option(
    "--language",
    type=click.Choice(OFFICIAL_LANGUAGES),
    help="The form's language (default: the addressee's).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: ORDER_ID.pdf).",
)
@connection()
@fails_cleanly
def pdf(
    order_id: str,
    message_id: str | None,
    language: str | None,
    output: Path | None,
    url: str | None,
    token: str | None,
) -> None:
    """Download an order's certificate, or one of its messages, as the sealed PDF form."""
    client = open_client(url, token)
    path = f"/orders/{order_id}/messages/{message_id}/pdf" if message_id else f"/orders/{order_id}/pdf"
    answer = client.request("GET", path, params={"language": language} if language else None)
    target = output or Path(f"{message_id or order_id}.pdf")
    try:
        target.write_bytes(answer.content)
    except OSError as error:
        raise click.ClickException(f"cannot write {target}: {error.strerror}") from error
    say(f"wrote {target} ({len(answer.content)} bytes)")


@certificate.command()
@click.argument("pdf_file", metavar="FILE.pdf", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--seal-certificate",
    "seal_files",
    multiple=True,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The broker's seal certificate (PEM, from GET /api/v1/certificates/seal-certificate); repeat for an older one.",
)
@click.option(
    "--trust-list",
    "trust_lists",
    multiple=True,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The deployment's trust list (keys/trust-list.jwks.json) or a party's key set from the API; "
    "repeat to trust the keys of several (an answer quotes the issuer's certificate).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the verdict and the message as JSON.")
def verify(
    pdf_file: Path, seal_files: tuple[Path, ...], trust_lists: tuple[Path, ...], as_json: bool
) -> None:
    """Check FILE.pdf's seal and the signed message inside it; one line, exit status 1 if refused."""
    seals = []
    for path in seal_files:
        try:
            seals.append(x509.load_pem_x509_certificate(path.read_bytes()))
        except (OSError, ValueError) as error:
            raise click.ClickException(f"{path} is not a readable PEM X.509 certificate: {error}") from error
    try:
        trusted = TrustList(key for path in trust_lists for key in TrustList.load(path))
        pdf = pdf_file.read_bytes()
    except (OSError, ValueError) as error:
        raise click.ClickException(str(error)) from error
    verdict = verify_pdf(pdf, seals, trusted)
    if as_json:
        write_json({**verdict.as_json(), "line": verdict.line()})
    else:
        click.echo(verdict.line())
    if not verdict.valid:
        raise SystemExit(1)


@certificate.command("seal-key")
@click.argument("key_file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("certificate_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--name", required=True, help="The seal's name (the certificate's common name), e.g. the operator's."
)
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=825,
    show_default=True,
    help="Validity of the certificate.",
)
def seal_key(key_file: Path, certificate_file: Path, name: str, days: int) -> None:
    """Make a P-256 seal key (mode 600) and a self-signed certificate for BROKER_SEAL_KEY_FILE / _CERT_FILE.

    A certificate from a trust service provider is better where the deployment has one: readers'
    PDF viewers then show the seal as trusted without being told about it.
    """
    for path in (key_file, certificate_file):
        if path.exists():
            raise click.ClickException(f"{path} exists; refusing to overwrite it")
    seal = Seal.generate(name, days=days)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(seal.key_pem)
    certificate_file.write_bytes(seal.certificate_pem)
    say(f"wrote {key_file} (keep it secret) and {certificate_file} (publish it): {seal.subject}")

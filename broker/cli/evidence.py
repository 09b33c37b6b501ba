"""`broker evidence send|fetch`: the parties' own end of encrypted evidence delivery.

These commands run on the provider's and the authority's machines and talk to a broker over HTTPS
with the party's API token; the plaintext and the age identity never leave those machines.
"""

import json
import sys
from pathlib import Path
from typing import Any

import click

from broker.cli.client import connection as _connection
from broker.cli.client import fails_cleanly as _fails
from broker.client import BrokerClient
from broker.client import TrustList
from broker.client import age
from broker.client import evidence_fetching as fetching
from broker.client import evidence_sending as sending
from broker.crypto.signers import signer_from_reference


def _broker(url: str, token: str) -> BrokerClient:
    return BrokerClient(url, token)


def _progress(label: str, total: int) -> Any:
    return click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True)


def _time_range(value: str | None) -> dict[str, str] | None:
    if value is None:
        return None
    start, separator, end = value.partition("/")
    if not separator or not start or not end:
        raise click.BadParameter(
            "give the period as START/END, e.g. 2026-09-01T00:00:00Z/2026-11-01T00:00:00Z"
        )
    return {"start": start, "end": end}


def _fails_cleanly(run: Any) -> Any:
    return _fails(run)()


connection = _connection()


@click.group()
def evidence() -> None:
    """Deliver and receive encrypted evidence (age, X25519) through a broker."""


@evidence.command()
@click.argument("order")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@connection
@click.option(
    "--key",
    "key_reference",
    envvar="BROKER_SIGNING_KEY",
    required=True,
    help="Your organisation's registered signing key: a PEM file, or a pkcs11:… or awskms:… reference "
    "(docs/client.md).",
)
@click.option(
    "--work",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".broker-evidence"),
    show_default=True,
    help="Folder for the encrypted packages and the resume state (never the plaintext).",
)
@click.option(
    "--category", "categories", multiple=True, help="Data category produced (default: as requested)."
)
@click.option("--period", help="Time range the data cover, START/END in RFC 3339 (default: as requested).")
@click.option("--recipient", help="The age recipient to encrypt to (default: the authority's newest).")
def send(
    order: str,
    files: tuple[Path, ...],
    url: str,
    token: str,
    key_reference: str,
    work: Path,
    categories: tuple[str, ...],
    period: str | None,
    recipient: str | None,
) -> None:
    """Encrypt FILES to the issuing authority of ORDER, upload them and sign the manifest.

    Each file is encrypted once into --work; if the connection breaks, run the same command again
    and the upload resumes where it stopped. The manifest, signed with --key, lists every file's
    size and SHA-256 and those of its encrypted package.
    """
    signer = _fails_cleanly(lambda: signer_from_reference(key_reference))
    manifest = _fails_cleanly(
        lambda: sending.send(
            _broker(url, token),
            order,
            list(files),
            signer,
            work,
            data_categories=list(categories) or None,
            time_range=_time_range(period),
            recipient=recipient,
            say=lambda line: click.echo(line, err=True),
            progress=_progress,
        )
    )
    click.echo(json.dumps({"manifest": manifest["id"], "files": manifest["body"]["files"]}, indent=2))


@evidence.command()
@click.argument("order")
@connection
@click.option(
    "--identity",
    "identity_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Your age identity file (age-keygen format; several keys allowed).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("evidence"),
    show_default=True,
    help="Folder for the decrypted files.",
)
@click.option(
    "--trust-list",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A JWKS of trusted provider keys to verify the manifest with, instead of the broker's key list.",
)
def fetch(order: str, url: str, token: str, identity_file: Path, out: Path, trust_list: Path | None) -> None:
    """Download, verify and decrypt the evidence of ORDER into --out.

    The manifest's signature is checked with the provider's key, each package's SHA-256 before it is
    decrypted and each file's SHA-256 after; a file is written only if every check passes, and the
    outcome is reported to the broker's custody log. An interrupted download resumes.
    """
    identities = _fails_cleanly(lambda: age.parse_identities(identity_file.read_text()))
    trusted = None
    if trust_list is not None:
        try:
            trusted = TrustList.load(trust_list)
        except ValueError as error:
            raise click.ClickException(str(error)) from error
    results = _fails_cleanly(
        lambda: fetching.fetch(
            _broker(url, token),
            order,
            identities,
            out,
            say=lambda line: click.echo(line, err=True),
            progress=_progress,
            trusted_keys=trusted,
        )
    )
    click.echo(json.dumps({"files": results}, indent=2))

"""What the parties' commands share (`broker order`, `message`, `inbox`, `evidence`): which broker and
token, which signer, JSON in and out, and one line on stderr for every failure.

These commands run on the parties' own machines and talk HTTP to a broker; they never open the
broker's database. Input JSON comes from a file or `-` (stdin); results go to stdout as JSON.
"""

import functools
import json
import sys
from collections.abc import Callable
from typing import Any
from typing import TypeVar

import click

from broker import crypto
from broker.client import BrokerClient
from broker.client import ClientError
from broker.client import Signer
from broker.client import signer_from_reference
from broker.client.age import InvalidIdentity
from broker.client.age import InvalidRecipient
from broker.wire.envelope import MalformedEnvelope

F = TypeVar("F", bound=Callable[..., Any])


def connection(required: bool = True) -> Callable[[F], F]:
    """--url and --token (or BROKER_URL and BROKER_TOKEN): which broker, as whom."""

    def decorate(command: F) -> F:
        command = click.option(
            "--token", envvar="BROKER_TOKEN", required=required, help="Your API token (or BROKER_TOKEN)."
        )(command)
        return click.option(
            "--url", envvar="BROKER_URL", required=required, help="The broker's base URL (or BROKER_URL)."
        )(command)

    return decorate


def signing(required: bool = True) -> Callable[[F], F]:
    """--signer and --kid: the organisation's registered signing key, wherever it lives."""

    def decorate(command: F) -> F:
        command = click.option(
            "--kid",
            envvar="BROKER_SIGNING_KID",
            help="The key's registered kid, checked against the signer (needed only for a token key "
            "without a public object).",
        )(command)
        return click.option(
            "--signer",
            "signer_reference",
            envvar="BROKER_SIGNER",
            required=required,
            help="Your signing key: a PEM file, file:…, pkcs11:… (RFC 7512) or awskms:… (or BROKER_SIGNER).",
        )(command)

    return decorate


def open_client(url: str | None, token: str | None) -> BrokerClient:
    """The client for --url and --token, or a one-line error when they are missing."""
    if not url or not token:
        raise click.ClickException("give --url and --token (or BROKER_URL and BROKER_TOKEN)")
    return BrokerClient(url, token)


def open_signer(reference: str, kid: str | None) -> Signer:
    """The Signer a --signer reference names (errors are reported by `fails_cleanly`)."""
    return signer_from_reference(reference, kid=kid)


def read_json(source: str) -> Any:
    """A JSON document from a file, or from stdin for `-`."""
    text = read_text(source)
    try:
        return json.loads(text)
    except ValueError as error:
        raise click.ClickException(f"{_name(source)} is not JSON: {error}") from error


def read_text(source: str) -> str:
    """A text file, or stdin for `-`."""
    if source == "-":
        return sys.stdin.read()
    try:
        with open(source, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise click.ClickException(
            f"cannot read {source}: {getattr(error, 'strerror', None) or error}"
        ) from error


def write_json(document: Any) -> None:
    """A result on stdout, indented for people and parseable by jq."""
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


def say(line: str) -> None:
    """Progress and notes go to stderr, so stdout stays the JSON result."""
    click.echo(line, err=True)


def fails_cleanly(command: F) -> F:
    """Every failure the user can act on becomes `Error: …` on stderr and exit status 1, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (ClientError, crypto.CryptoError, MalformedEnvelope) as error:
            raise click.ClickException(str(error)) from error
        except (InvalidRecipient, InvalidIdentity) as error:
            raise click.ClickException(str(error)) from error

    return wrapper  # type: ignore[return-value]


def _name(source: str) -> str:
    return "standard input" if source == "-" else source

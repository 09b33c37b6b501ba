"""`broker audit`: sign checkpoints, export the log, verify it from the outside, fetch case files."""

import base64
import json
import typing
import uuid
from pathlib import Path

import click
import sqlalchemy as sa

from broker import config
from broker.audit import verify
from broker.audit.models import AuditCheckpoint
from broker.audit.models import AuditEntry
from broker.audit.operations import integrate_all
from broker.audit.operations import integrate_queued
from broker.audit.operations import sign_checkpoint
from broker.audit.signer import LogSigner
from broker.cli.common import clock
from broker.cli.common import open_database
from broker.cli.common import registry_transaction
from broker.cli.common import reports_problems
from broker.cli.common import require_current_schema
from broker.orders.casefile import render_markdown


def _signer() -> LogSigner:
    key_file = config.setting("KEY_FILE")
    if not key_file:
        raise click.ClickException("set BROKER_KEY_FILE to the broker's Ed25519 key (see docs/audit.md)")
    origin = config.setting("LOG_ORIGIN")
    try:
        return LogSigner.from_file(origin, Path(key_file))
    except ValueError as error:
        raise click.ClickException(str(error)) from error


@click.group()
def audit() -> None:
    """The transparency log: checkpoints, export, independent verification, case files."""


@audit.command("key")
def audit_key() -> None:
    """Print the verifier key (vkey) that oversight bodies use to check checkpoints."""
    click.echo(_signer().vkey)


@audit.command("checkpoint")
@reports_problems
def audit_checkpoint() -> None:
    """Sign a checkpoint of the log as it is now and print the signed note."""
    signer = _signer()
    with registry_transaction() as session:
        checkpoint = sign_checkpoint(session, clock, signer)
        click.echo(checkpoint.note, nl=False)


@audit.command("integrate")
@reports_problems
def audit_integrate() -> None:
    """Integrate every queued log entry into the tree now (the worker and each request do it anyway)."""
    database = open_database()
    try:
        require_current_schema(database)
        done = integrate_all(database)
    finally:
        database.dispose()
    click.echo(f"integrated {done} queued entries")


@audit.command("export")
@click.argument("output", type=click.File("w"), default="-")
@reports_problems
def audit_export(output: typing.IO[str]) -> None:
    """Write every entry and every signed checkpoint to OUTPUT, for verification elsewhere."""
    with registry_transaction() as session:
        integrate_queued(session)  # every entry recorded so far, none left waiting in the queue
        entries = [
            {"index": e.index, "leaf": e.leaf, "leaf_hash": base64.b64encode(e.leaf_hash).decode()}
            for e in session.scalars(sa.select(AuditEntry).order_by(AuditEntry.index))
        ]
        notes = list(session.scalars(sa.select(AuditCheckpoint.note).order_by(AuditCheckpoint.id)))
    json.dump({"format": verify.EXPORT_FORMAT, "checkpoints": notes, "entries": entries}, output, indent=1)
    output.write("\n")


@audit.command("verify")
@click.option("--vkey", required=True, help="The broker's verifier key, or @FILE holding it.")
@click.option("--url", help="The broker's base URL, e.g. https://broker.example.")
@click.option("--token", envvar="BROKER_TOKEN", help="An oversight body's API token (or BROKER_TOKEN).")
@click.option("--export", "export_file", type=click.File("r"), help="An export file instead of the API.")
@click.option("--entry", type=click.IntRange(min=0), help="Prove this one entry instead of the whole log.")
@click.option(
    "--tail",
    is_flag=True,
    help="Also have the broker sign a checkpoint now and verify the entries logged since the last one.",
)
@click.option(
    "--previous", type=click.File("rb"), help="A checkpoint saved earlier: prove the log extends it."
)
@click.option(
    "--save", type=click.Path(dir_okay=False, path_type=Path), help="Save the verified checkpoint here."
)
def audit_verify(
    vkey: str,
    url: str | None,
    token: str | None,
    export_file: typing.IO[str] | None,
    entry: int | None,
    tail: bool,
    previous: typing.IO[bytes] | None,
    save: Path | None,
) -> None:
    """Verify the log without trusting the broker: signature, every hash, and history since --previous."""
    vkey = _read_vkey(vkey)
    source = _source(url, token, export_file)
    if tail and not isinstance(source, verify.ApiSource):
        raise click.UsageError("--tail asks the broker for a new checkpoint: give --url with --token")
    if tail and entry is not None:
        raise click.UsageError("--tail verifies the whole log's new entries: leave out --entry")
    try:
        if entry is not None:
            checks = [verify.verify_entry(source, vkey, entry)]
        else:
            checks = [verify.verify_log(source, vkey)]
            if tail and isinstance(source, verify.ApiSource):
                checks.append(verify.verify_tail(source, vkey, checks[0]))
        if previous is not None:
            checks.append(verify.verify_extends(source, vkey, previous.read()))
    except verify.AuditVerificationError as error:
        raise click.ClickException(f"verification FAILED: {error}") from error
    checkpoint = checks[0].checkpoint
    click.echo(f"checkpoint {checkpoint.origin} size {checkpoint.size}: signature verified")
    for check in checks:
        click.echo(verify.describe(check))
    if save is not None:
        newest = checks[1] if tail else checks[0]  # with --tail, the checkpoint just signed
        save.write_bytes(newest.note)
        click.echo(
            f"saved the checkpoint of size {newest.checkpoint.size} to {save}; pass it as --previous next time"
        )


@audit.command("case-file")
@click.argument("order_id", type=click.UUID)
@click.option("--url", required=True, help="The broker's base URL.")
@click.option("--token", envvar="BROKER_TOKEN", required=True, help="An oversight body's API token.")
@click.option("--format", "output_format", type=click.Choice(["json", "markdown"]), default="markdown")
@click.option(
    "--vkey",
    help="Also prove the case file: each entry in the signed log, the chain unbroken, none left out.",
)
def audit_case_file(order_id: uuid.UUID, url: str, token: str, output_format: str, vkey: str | None) -> None:
    """Fetch an order's case file (timeline with inclusion proofs) and print it; with --vkey, prove it.

    Proving it reads the whole log over the API, up to the case file's checkpoint, to find every
    entry about the order: a case file that leaves out the order's last entries still chains.
    """
    source = verify.ApiSource(url, token)
    try:
        case_file = source.get_json(f"/orders/{order_id}/case-file")
        proved = verify.verify_case_file(case_file, _read_vkey(vkey), source) if vkey else None
    except verify.AuditVerificationError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        json.dumps(case_file, indent=2) if output_format == "json" else render_markdown(case_file), nl=False
    )
    if proved is not None:
        click.echo(verify.describe(proved), err=True)


def _read_vkey(vkey: str) -> str:
    """The verifier key, read from the file it names if it starts with @."""
    if not vkey.startswith("@"):
        return vkey
    try:
        return Path(vkey[1:]).read_text().strip()
    except OSError as error:
        raise click.ClickException(f"cannot read the verifier key {vkey[1:]}: {error.strerror}") from error


def _source(url: str | None, token: str | None, export_file: typing.IO[str] | None) -> verify.LogSource:
    """The export file if one is given, else the API."""
    if export_file is not None:
        try:
            return verify.ExportSource(json.load(export_file))
        except json.JSONDecodeError as error:
            raise click.ClickException(f"the export file is not JSON: {error}") from error
        except verify.AuditVerificationError as error:
            raise click.ClickException(str(error)) from error
    if url and token:
        return verify.ApiSource(url, token)
    raise click.UsageError("give --url with --token (or BROKER_TOKEN), or --export FILE")

"""`broker demo`: the whole exchange, narrated, on a throw-away embedded database."""

import json
import shlex
import shutil
import tempfile
from pathlib import Path
from typing import Any

import click
import requests

from broker import crypto
from broker import migrate
from broker.audit.operations import sign_checkpoint
from broker.certificates.seal import CERTIFICATE_FILE as SEAL_CERTIFICATE
from broker.certificates.seal import KEY_FILE as SEAL_KEY
from broker.certificates.seal import Seal
from broker.clock import FrozenClock
from broker.clock import system_clock
from broker.db import Database

DEMO_ORIGIN = "demo.eevidence-broker.invalid/log"


@click.command()
@click.option(
    "--database-url",
    help="Run on this (empty) database instead of a fresh SQLite file, e.g. postgresql+psycopg://…",
)
@click.option("--keep", is_flag=True, help="Keep the demo folder (database and private keys) afterwards.")
@click.option(
    "--scenario",
    type=click.Choice(["exchange", "all"]),
    default=None,
    help="exchange: one EPOC and its answer; all: then weeks of lifecycle on a clock the demo moves "
    "[default: all; exchange with --serve].",
)
@click.option(
    "--serve",
    is_flag=True,
    help="Then keep the portal and the API running on http://127.0.0.1:PORT and print one login per "
    "role (docs/portal.md); Ctrl-C stops.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="With --serve.")
def demo(database_url: str | None, keep: bool, scenario: str | None, serve: bool, port: int) -> None:
    """Run a complete, narrated EPOC exchange and exit 0 if every step worked.

    It registers a demo network (a French public prosecutor's office and investigating judge,
    the provider Example Mail with its designated establishment in Ireland, the Irish enforcing
    authority and an oversight body) and generates their signing keys. The prosecutor's office
    first checks a flawed European Production Order Certificate and sees which article blocks it,
    then drafts and signs a lawful EPOC for subscriber data; a forged issuing attempt, with the
    right token but the wrong key, is refused. Example Mail verifies the signature itself and
    answers with a signed response, which the authority verifies in turn. Example Mail then delivers
    the records end-to-end encrypted to the prosecutor's age recipient, through a broker serving on
    a loopback port: chunked upload and a signed manifest; the office downloads, verifies the
    manifest and every hash, and decrypts with its own identity. Finally the oversight
    body verifies the broker's whole audit log and the order's history with nothing but the
    broker's verifier key.

    The lifecycle scenario then runs on a clock the demo moves forward: an emergency EPOC for
    traffic data notified to Ireland with a clarification round, an EPOC-PR extended and then
    confirmed, and a missed deadline that the worker records before enforcement is requested.

    Everything happens in a temporary folder (SQLite database and private keys) that is deleted
    afterwards unless --keep is given; with --keep, the commands to verify the log again are printed.

    With --serve, the broker then stays up on 127.0.0.1 with the web portal at "/": each person of
    the network gets a password and an authenticator key, printed with the current codes, so that a
    newcomer can sign in in a browser as each of the four parties.
    """
    scenario = scenario or ("exchange" if serve else "all")
    from broker.app import create_app
    from broker.client import ClientError as EvidenceError
    from broker.demo import evidence
    from broker.demo.etsi import hi1_round
    from broker.demo.evidence import EvidenceFailed
    from broker.demo.network import build_network
    from broker.demo.scenario import Demo
    from broker.demo.scenario import DemoFailed
    from broker.demo.server import serving

    folder = Path(tempfile.mkdtemp(prefix="broker-demo-"))
    url = database_url or f"sqlite:///{folder / 'broker.sqlite3'}"
    key_file = folder / "broker-key.pem"
    key_file.write_bytes(crypto.private_key_pem(crypto.generate_private_key("EdDSA")))
    key_file.chmod(0o600)
    database = Database(url)
    try:
        migrate.upgrade(database)
        click.echo(f"Demo network in {folder}: registering five organisations, their users, tokens and keys")
        parties = build_network(database, system_clock, folder)
        for party in parties.values():
            click.echo(f"   {party.name}: user {party.user}, signing key {party.kid}")
        # The demo's own seal for certificate PDFs, in its folder (cleaned up with it, unless --keep).
        seal = folder / "seal"
        Seal.kept_in(seal, "e-evidence broker demo (development seal)")
        settings = {
            "KEY_FILE": str(key_file),
            "SEAL_KEY_FILE": str(seal / SEAL_KEY),
            "SEAL_CERT_FILE": str(seal / SEAL_CERTIFICATE),
            "LOG_ORIGIN": DEMO_ORIGIN,
            "EVIDENCE_FOLDER": str(folder / "evidence"),
            "PORTAL_COOKIE_SECURE": False,  # the demo serves plain http on 127.0.0.1 only
        }
        app = create_app(settings, database=database)

        def deliver(order: dict[str, Any]) -> dict[str, Any]:
            with serving(app) as url:
                return evidence.deliver(
                    url, order, parties["provider"], parties["prosecutor"], folder, click.echo
                )

        try:
            exchange = Demo(app.test_client(), parties, system_clock, click.echo, deliver)
            summary = exchange.run()
            click.echo(
                "The exchange completed: checked, issued, received, verified, answered, delivered, audited."
            )
            if scenario == "all":
                summary["hi1"] = hi1_round(exchange)["state"]
                click.echo("The HI-1 round completed: an EPOC-PR read and answered in ETSI TS 103 120 alone.")
            if scenario == "all":
                summary["lifecycle"] = _lifecycle(settings, database, parties)
                click.echo(
                    "The lifecycle completed: notified, clarified, extended, confirmed, missed, enforced."
                )
                click.echo(
                    "The treaty route completed: sent to the requested Party, received, served, answered."
                )
        except (DemoFailed, EvidenceError, EvidenceFailed) as error:
            raise click.ClickException(f"the demo stopped: {error}") from error
        click.echo("Summary:")
        click.echo(json.dumps(summary, indent=2))
        if keep:
            # A checkpoint of everything the demo did, so that the kept log's export proves all of it.
            with database.transaction() as session:
                sign_checkpoint(session, system_clock, app.extensions["broker"].log_signer)
            _print_verification_commands(url, summary["verifier_key"], folder)
        if serve:
            _serve(app, database, port)
    finally:
        database.dispose()
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def _lifecycle(settings: dict[str, object], database: Database, parties: dict[str, Any]) -> dict[str, Any]:
    """The second scenario, on its own app whose clock only the demo moves (and the same database)."""
    from broker.app import create_app
    from broker.cli.worker import run_once
    from broker.demo import treaty
    from broker.demo.lifecycle import LifecycleDemo

    clock = FrozenClock(system_clock())
    app = create_app(settings, clock=clock, database=database)
    http = requests.Session()

    def work() -> list[str]:
        lines: list[str] = []
        run_once(database, clock, app.extensions["broker"].log_signer, http, lines.append)
        return lines

    click.echo("Lifecycle, on a clock the demo moves forward (days pass in seconds):")
    lifecycle = LifecycleDemo(app.test_client(), parties, clock, click.echo, work)
    summary = lifecycle.run()
    click.echo("A Council of Europe order on its own route (CETS 224 Art. 8, through the requested Party):")
    with database.transaction() as session:
        treaty_parties = treaty.register(session, clock)
    summary["treaty"] = treaty.TreatyDemo(lifecycle, treaty_parties).run()
    return summary


def _serve(app: Any, database: Database, port: int) -> None:
    """Serve the portal and the API on 127.0.0.1:`port` until Ctrl-C, printing the people's codes."""
    import waitress

    from broker.demo import people

    logins = people.give_logins(database, system_clock)
    for line in people.describe(logins, f"http://127.0.0.1:{port}"):
        click.echo(line)
    stop = people.keep_printing_codes(logins, click.echo)
    try:
        waitress.serve(app, host="127.0.0.1", port=port, threads=4, ident="eevidence-broker")
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()


def _print_verification_commands(url: str, vkey: str, folder: Path) -> None:
    export = folder / "audit-export.json"
    click.echo(f"Kept {folder}. Verify the log yourself with only the broker's verifier key:")
    click.echo(f"   BROKER_DATABASE_URL={shlex.quote(url)} broker audit export {shlex.quote(str(export))}")
    click.echo(f"   broker audit verify --export {shlex.quote(str(export))} --vkey {shlex.quote(vkey)}")

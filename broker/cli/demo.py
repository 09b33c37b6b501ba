"""`broker demo`: the whole exchange, narrated, on a throw-away embedded database."""

import shutil
import tempfile
from pathlib import Path

import click

from broker import migrate
from broker.clock import system_clock
from broker.db import Database


@click.command()
@click.option(
    "--database-url",
    help="Run on this (empty) database instead of a fresh SQLite file, e.g. postgresql+psycopg://…",
)
@click.option("--keep", is_flag=True, help="Keep the demo folder (database and private keys) afterwards.")
def demo(database_url: str | None, keep: bool) -> None:
    """Run a complete, narrated EPOC exchange and exit 0 if every step worked.

    It registers a demo network (a French public prosecutor's office and investigating judge,
    the provider Example Mail with its designated establishment in Ireland, the Irish enforcing
    authority and an oversight body), generates their signing keys, has the prosecutor's office
    draft and sign a European Production Order Certificate for subscriber data, delivers it to
    Example Mail, which verifies the signature itself and answers with a signed response, and
    shows the authority receiving and verifying that answer. A forged issuing attempt, with the
    right token but the wrong key, is shown being refused.

    Everything happens in a temporary folder (SQLite database and private keys) that is deleted
    afterwards unless --keep is given.
    """
    from broker.app import create_app
    from broker.demo import Demo
    from broker.demo import DemoFailed
    from broker.demo import build_network

    folder = Path(tempfile.mkdtemp(prefix="broker-demo-"))
    url = database_url or f"sqlite:///{folder / 'broker.sqlite3'}"
    database = Database(url)
    try:
        migrate.upgrade(database)
        if migrate.current_revision(database) != migrate.head_revision(database):
            raise click.ClickException("the demo database could not be migrated")
        click.echo(f"Demo network in {folder}: registering five organisations, their users, tokens and keys")
        parties = build_network(database, system_clock, folder)
        for party in parties.values():
            click.echo(f"   {party.name}: user {party.user}, signing key {party.kid}")
        app = create_app(database=database)
        try:
            summary = Demo(app.test_client(), parties, system_clock, click.echo).run()
        except DemoFailed as error:
            raise click.ClickException(f"the demo stopped: {error}") from error
        click.echo("Summary:")
        click.echo(summary)
        click.echo("The exchange completed: issued, received, verified, answered.")
    finally:
        database.dispose()
        if keep:
            click.echo(f"Kept {folder}", err=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)

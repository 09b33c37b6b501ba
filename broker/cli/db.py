"""`broker db`: Alembic migrations driven by the broker's own configuration."""

import click

from broker import config
from broker import migrate
from broker.cli.common import open_database
from broker.cli.common import reports_problems


@click.group()
def db() -> None:
    """Create and upgrade the database schema (Alembic migrations; never create_all)."""


@db.command()
@click.argument("revision", default="head")
@reports_problems
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    database = open_database()
    try:
        migrate.upgrade(database, revision)
        click.echo(f"{config.redact_url(database.url)} is at revision {migrate.current_revision(database)}")
    finally:
        database.dispose()


@db.command()
@reports_problems
def current() -> None:
    """Show the database's revision and the newest one the code knows."""
    database = open_database()
    try:
        click.echo(f"database: {migrate.current_revision(database) or 'empty'}")
        click.echo(f"code:     {migrate.head_revision(database)}")
    finally:
        database.dispose()

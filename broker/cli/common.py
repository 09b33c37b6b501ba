"""What every command shares: the database it works on and how errors reach the user."""

import functools
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
import sqlalchemy as sa
from sqlalchemy import orm

from broker import config
from broker import problems
from broker.audit import operations as audit
from broker.clock import system_clock
from broker.db import Database
from broker.migrate import current_revision
from broker.migrate import head_revision

clock = system_clock


def open_database(url: str | None = None) -> Database:
    """The configured database (BROKER_DATABASE_URL or the embedded SQLite file)."""
    return Database(url or config.default_database_url())


def require_current_schema(database: Database) -> None:
    """Refuse to work on a database whose schema is not at the code's migration head."""
    current, head = current_revision(database), head_revision(database)
    if current != head:
        where = config.redact_url(database.url)
        state = f"at revision {current}" if current else "empty"
        raise click.ClickException(
            f"the database {where} is {state}, the code needs {head}: run `broker db upgrade`"
        )


@contextmanager
def registry_transaction() -> Iterator[orm.Session]:
    """One transaction on the configured, migrated database; its log entries are integrated after it."""
    database = open_database()
    try:
        require_current_schema(database)
        with database.transaction() as session:
            yield session
            appended = session.info.get(audit.APPENDED, False)
        if appended:
            audit.integrate_all(database)
    finally:
        database.dispose()


def reports_problems(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a Problem or a database failure into one line on stderr and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except problems.Problem as problem:
            errors = problem.extensions.get("errors")
            suffix = f" ({_flatten(errors)})" if errors else ""
            raise click.ClickException(f"{problem.detail}{suffix}") from problem
        except sa.exc.OperationalError as error:
            raise click.ClickException(f"database error: {' '.join(str(error.orig).split())}") from error
        except ValueError as error:
            # Configuration errors (ConfigurationError, a bad key file) are ValueErrors with a message.
            raise click.ClickException(str(error)) from error

    return wrapper


def _flatten(errors: Any, prefix: str = "") -> str:
    if isinstance(errors, dict):
        return "; ".join(_flatten(value, f"{prefix}{key}.") for key, value in errors.items())
    if isinstance(errors, list):
        return f"{prefix.rstrip('.')}: " + ", ".join(str(item) for item in errors)
    return f"{prefix.rstrip('.')}: {errors}"

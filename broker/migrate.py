"""Alembic driven from the broker's own configuration: upgrade, current revision, drift check."""

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from broker.db import Database


def migrations_path() -> Path:
    """BROKER_MIGRATIONS_PATH, or the repository's migrations/ folder beside the package."""
    configured = os.environ.get("BROKER_MIGRATIONS_PATH")
    path = Path(configured) if configured else Path(__file__).resolve().parents[1] / "migrations"
    if not (path / "env.py").is_file():
        raise FileNotFoundError(f"no Alembic environment at {path} (set BROKER_MIGRATIONS_PATH)")
    return path


def alembic_config(database: Database) -> Config:
    """An Alembic Config for this database, without any alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(migrations_path()))
    config.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    config.set_main_option(
        "file_template", "%%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d_%%(rev)s_%%(slug)s"
    )
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    """Apply migrations up to `revision`."""
    command.upgrade(alembic_config(database), revision)


def current_revision(database: Database) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(database: Database) -> str | None:
    """The newest revision the code knows."""
    return ScriptDirectory.from_config(alembic_config(database)).get_current_head()

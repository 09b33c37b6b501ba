"""Configuration: safe embedded defaults, overridden by BROKER_* environment variables.

Every setting can be given as an environment variable with the BROKER_ prefix
(`BROKER_DATABASE_URL=postgresql+psycopg://...`); see docs/configuration.md.
"""

import os
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    # SQLite file in the instance folder unless BROKER_DATABASE_URL says otherwise.
    "DATABASE_URL": None,
    # Largest request body accepted, in bytes (a signed certificate is a few kilobytes).
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # A signed message's issued_at may lie at most this far in the future (clock skew) ...
    "MESSAGE_MAX_FUTURE_SECONDS": 300,
    # ... and at most this far in the past when it reaches the broker.
    "MESSAGE_MAX_AGE_SECONDS": 3600,
    # The transparency log's origin line, which is also the key name in its signed checkpoints.
    "LOG_ORIGIN": "localhost/eevidence-broker",
    # The broker's own Ed25519 private key (PEM) for signing checkpoints; none means no signing.
    "KEY_FILE": None,
    # The worker signs a checkpoint of the log at most this often, when the log has grown.
    "CHECKPOINT_INTERVAL_SECONDS": 300,
    # Pagination of list endpoints.
    "PAGE_SIZE_DEFAULT": 25,
    "PAGE_SIZE_MAX": 100,
}


def setting(name: str) -> Any:
    """One setting outside the app (CLI): BROKER_<NAME> from the environment, else the default."""
    return os.environ.get(f"BROKER_{name}", DEFAULTS[name])


def instance_path() -> Path:
    """Where the embedded database lives: BROKER_INSTANCE_PATH or ./instance."""
    return Path(os.environ.get("BROKER_INSTANCE_PATH", "instance")).resolve()


def default_database_url() -> str:
    """BROKER_DATABASE_URL, or the embedded SQLite file in the instance folder."""
    url = os.environ.get("BROKER_DATABASE_URL")
    if url:
        return url
    folder = instance_path()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'broker.sqlite3'}"


def redact_url(url: str) -> str:
    """A database URL fit for logs and messages: the password replaced by ***."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)

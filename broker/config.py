"""Configuration: safe embedded defaults, overridden by BROKER_* environment variables.

Every setting can be given as an environment variable with the BROKER_ prefix
(`BROKER_DATABASE_URL=postgresql+psycopg://...`); see docs/configuration.md.
"""

import json
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
    # The seal of the certificate PDFs: a P-256 key (PEM, PKCS#8) and its X.509 certificate. Without
    # them a development broker keeps a pair of its own in <instance>/seal; production answers
    # signing-unavailable (`broker certificate seal-key` makes a pair).
    "SEAL_KEY_FILE": None,
    "SEAL_CERT_FILE": None,
    # The worker signs a checkpoint of the log at most this often, when the log has grown.
    "CHECKPOINT_INTERVAL_SECONDS": 10,  # every entry reaches a signed checkpoint within seconds
    # Pagination of list endpoints.
    "PAGE_SIZE_DEFAULT": 25,
    "PAGE_SIZE_MAX": 100,
    # Encrypted evidence: "local" (a folder) or "s3" (an S3-compatible object store, with boto3).
    "EVIDENCE_STORAGE": "local",
    # The local folder; none means <instance>/evidence.
    "EVIDENCE_FOLDER": None,
    # The S3 bucket, endpoint (for a non-AWS store) and region; credentials come from boto3's usual chain.
    "EVIDENCE_S3_BUCKET": None,
    "EVIDENCE_S3_ENDPOINT_URL": None,
    "EVIDENCE_S3_REGION": None,
    # Packages are uploaded in chunks of exactly this size (the last may be shorter); S3 needs >= 5 MiB.
    "EVIDENCE_CHUNK_SIZE": 8 * 1024 * 1024,
    # The largest package accepted, in bytes; none means 10,000 chunks (80 GB at 8 MiB), the most allowed.
    "EVIDENCE_MAX_PACKAGE_SIZE": None,
    # Sealed ciphertext is deleted this many days after its manifest.
    "EVIDENCE_RETENTION_DAYS": 90,
    # An upload idle for this many hours, or uploaded but never sealed, is abandoned and deleted.
    "EVIDENCE_UPLOAD_EXPIRY_HOURS": 72,
    # E-mail to people (broker/notify/mail/): the SMTP server as smtps://, smtp:// (STARTTLS) or
    # smtp+plain:// URL, none meaning no mail is sent (it waits in the outbox); the sender's address;
    # and the portal's address as people open it, which every mail links to.
    "SMTP_URL": None,
    "MAIL_FROM": None,
    "PUBLIC_URL": None,
    # Tests and local runs only: webhooks may go to loopback (and over http there); never in production.
    "WEBHOOK_ALLOW_LOOPBACK": False,
    # "development" (the default) or "production": in production `broker serve` refuses to start
    # without what a real deployment needs, its own key first (broker/cli/startup.py).
    "ENV": "development",
    # How many reverse proxies in front set X-Forwarded-For and X-Forwarded-Proto; 0 trusts none.
    "TRUSTED_PROXIES": 0,
    # Rate limits (broker/api/ratelimit.py). Where the counts are kept: memory:// (this process's
    # own) or redis://host:port/db, shared by every process serving the API ...
    "RATE_LIMIT_STORAGE": "memory://",
    # ... under this prefix, so that several deployments can share one Redis.
    "RATE_LIMIT_KEY_PREFIX": "eevidence-broker",
    # Failed authentications per client address and per presented token; once over, refused unread.
    "RATE_LIMIT_AUTH_FAILURES_PER_ADDRESS": "30/minute;300/hour",
    "RATE_LIMIT_AUTH_FAILURES_PER_TOKEN": "10/minute;100/hour",
    # Every request made with one token, and each expensive route (reports, proofs, downloads, …) per token.
    "RATE_LIMIT_PER_TOKEN": "3000/minute",
    "RATE_LIMIT_EXPENSIVE": "120/minute",
}


def setting(name: str) -> Any:
    """One setting outside the app (CLI): BROKER_<NAME> from the environment, else the default."""
    return os.environ.get(f"BROKER_{name}", DEFAULTS[name])


def settings() -> dict[str, Any]:
    """Every setting outside the app, read as the app reads them: BROKER_* values parsed as JSON if they are."""
    values = dict(DEFAULTS)
    for name in DEFAULTS:
        raw = os.environ.get(f"BROKER_{name}")
        if raw is not None:
            try:
                values[name] = json.loads(raw)
            except ValueError:
                values[name] = raw
    return values


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

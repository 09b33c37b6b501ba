"""The Flask application factory: configuration, database, error handlers, blueprints."""

from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from broker import config as broker_config
from broker.audit.signer import LogSigner
from broker.clock import Clock
from broker.clock import system_clock
from broker.db import Database
from broker.evidence.policy import EvidencePolicy
from broker.evidence.storage import Storage
from broker.evidence.storage import storage_from_settings
from broker.orders.inbound import MessageWindow
from broker.services import Services
from broker.url_rules import RecordingMap
from broker.url_rules import shared_map


def create_app(
    settings: dict[str, Any] | None = None, *, clock: Clock = system_clock, database: Database | None = None
) -> Flask:
    """Build the broker: defaults, then BROKER_* environment variables, then `settings` (tests).

    A caller that already holds a Database (the demo, the tests) passes it in to share its engine.
    """
    app = Flask("broker", instance_path=str(broker_config.instance_path()), static_folder=None)
    app.url_map = recording = RecordingMap()  # the blueprints' rules, until a map built for them is shared
    app.config.from_mapping(broker_config.DEFAULTS)
    app.config.from_prefixed_env("BROKER")
    app.config.from_mapping(settings or {})
    _check_settings(app)
    if database is not None:
        app.config["DATABASE_URL"] = database.url
    elif not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = broker_config.default_database_url()

    storage = _storage(app)
    app.extensions["broker"] = Services(
        database=database or Database(app.config["DATABASE_URL"]),
        clock=clock,
        window=MessageWindow(
            max_age=timedelta(seconds=app.config["MESSAGE_MAX_AGE_SECONDS"]),
            max_future=timedelta(seconds=app.config["MESSAGE_MAX_FUTURE_SECONDS"]),
        ),
        page_size_default=app.config["PAGE_SIZE_DEFAULT"],
        page_size_max=app.config["PAGE_SIZE_MAX"],
        storage=storage,
        evidence=_evidence_policy(app, storage),
        log_signer=_log_signer(app),
    )

    from broker.api import errors
    from broker.api import headers
    from broker.api import openapi
    from broker.api import ratelimit
    from broker.api.views import audit as audit_views
    from broker.api.views import certificates as certificate_views
    from broker.api.views import etsi as etsi_views
    from broker.api.views import evidence as evidence_views
    from broker.api.views import notify as notify_views
    from broker.api.views import orders as order_views
    from broker.api.views import parties as party_views
    from broker.api.views import removal as removal_views
    from broker.api.views import reports as report_views
    from broker.api.views import threats as threat_views

    errors.init_app(app)
    headers.init_app(app)
    try:
        ratelimit.init_app(app)
    except ValueError as error:
        raise ConfigurationError(str(error)) from error
    app.register_blueprint(openapi.bp)
    app.register_blueprint(party_views.bp)
    app.register_blueprint(order_views.bp)
    app.register_blueprint(audit_views.bp)
    app.register_blueprint(notify_views.bp)
    app.register_blueprint(report_views.bp)
    app.register_blueprint(evidence_views.bp)
    app.register_blueprint(etsi_views.bp)
    app.register_blueprint(certificate_views.bp)
    app.register_blueprint(removal_views.bp)
    app.register_blueprint(threat_views.bp)
    from broker import portal

    try:
        portal.init_app(app)  # the web portal for people at "/", on the API's headers and rate limits
    except ValueError as error:
        raise ConfigurationError(str(error)) from error
    app.url_map = shared_map(recording)
    return app


class ConfigurationError(ValueError):
    """A setting has a value the broker cannot run with; the message names the variable."""


# Settings that must be positive whole numbers.
WHOLE_NUMBER_SETTINGS = (
    "MAX_CONTENT_LENGTH",
    "MESSAGE_MAX_AGE_SECONDS",
    "MESSAGE_MAX_FUTURE_SECONDS",
    "PAGE_SIZE_DEFAULT",
    "PAGE_SIZE_MAX",
    "CHECKPOINT_INTERVAL_SECONDS",
    "EVIDENCE_CHUNK_SIZE",
    "EVIDENCE_RETENTION_DAYS",
    "EVIDENCE_UPLOAD_EXPIRY_HOURS",
)


# BROKER_ENV: in production, `broker serve` refuses to start without what a deployment needs.
DEPLOYMENT_MODES = ("development", "production")


def _check_settings(app: Flask) -> None:
    for name in WHOLE_NUMBER_SETTINGS:
        value = app.config[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigurationError(f"BROKER_{name} must be a positive whole number, not {value!r}")
    origin = app.config["LOG_ORIGIN"]
    if not isinstance(origin, str) or not origin or any(c.isspace() or c == "+" for c in origin):
        raise ConfigurationError(f"BROKER_LOG_ORIGIN must be a name without spaces or '+', not {origin!r}")
    if not isinstance(app.config["WEBHOOK_ALLOW_LOOPBACK"], bool):
        raise ConfigurationError("BROKER_WEBHOOK_ALLOW_LOOPBACK must be true or false")
    if app.config["PAGE_SIZE_DEFAULT"] > app.config["PAGE_SIZE_MAX"]:
        raise ConfigurationError("BROKER_PAGE_SIZE_DEFAULT must not exceed BROKER_PAGE_SIZE_MAX")
    proxies = app.config["TRUSTED_PROXIES"]
    if isinstance(proxies, bool) or not isinstance(proxies, int) or proxies < 0:
        raise ConfigurationError(
            f"BROKER_TRUSTED_PROXIES must be a whole number (0 for none), not {proxies!r}"
        )
    if app.config["ENV"] not in DEPLOYMENT_MODES:
        raise ConfigurationError(
            f"BROKER_ENV must be {' or '.join(map(repr, DEPLOYMENT_MODES))}, not {app.config['ENV']!r}"
        )


def _storage(app: Flask) -> Storage:
    """Where evidence ciphertext lives: BROKER_EVIDENCE_STORAGE (a local folder by default, or S3)."""
    try:
        return storage_from_settings(app.config, Path(app.instance_path))
    except ValueError as error:
        raise ConfigurationError(str(error)) from error


def _evidence_policy(app: Flask, storage: Storage) -> EvidencePolicy:
    try:
        return EvidencePolicy.from_settings(app.config, storage.minimum_chunk)
    except ValueError as error:
        raise ConfigurationError(str(error)) from error


def _log_signer(app: Flask) -> LogSigner | None:
    """The broker's checkpoint key from KEY_FILE; without one the broker logs but cannot sign."""
    if not app.config["KEY_FILE"]:
        return None
    try:
        return LogSigner.from_file(app.config["LOG_ORIGIN"], Path(app.config["KEY_FILE"]))
    except ValueError as error:
        raise ConfigurationError(f"BROKER_KEY_FILE: {error}") from error

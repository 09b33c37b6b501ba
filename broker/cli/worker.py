"""`broker worker`: keeps time for the broker — fires due clocks and delivers queued notifications."""

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import click
import requests
import sqlalchemy as sa

from broker import config
from broker.audit.operations import integrate_all
from broker.audit.operations import sign_checkpoint
from broker.audit.queries import latest_checkpoint
from broker.audit.queries import log_size
from broker.audit.signer import LogSigner
from broker.cli.common import open_database
from broker.cli.common import reports_problems
from broker.cli.common import require_current_schema
from broker.clock import Clock
from broker.clock import system_clock
from broker.db import Database
from broker.evidence.policy import EvidencePolicy
from broker.evidence.retention import Keeper
from broker.evidence.retention import delete_due
from broker.evidence.storage import storage_from_settings
from broker.notify.delivery import deliver_due
from broker.notify.mail.sending import send_due
from broker.notify.mail.settings import MailSettings
from broker.reports.operations import fold_all
from broker.workflow.operations.due import fire_next

log = logging.getLogger(__name__)

# A round ends after this many clocks so deliveries are never starved by a backlog of clocks.
MAX_CLOCKS_PER_ROUND = 500


def run_once(
    database: Database,
    clock: Clock,
    signer: LogSigner | None,
    http: requests.Session,
    say: Callable[[str], None],
    checkpoint_every: timedelta = timedelta(seconds=10),
    keeper: Keeper | None = None,
    mail: MailSettings | None = None,
) -> int:
    """Fire every clock now due, delete the evidence the broker must no longer hold, integrate the log
    entries still queued, fold the report statistics' changes, deliver the outbox, send the mail
    outbox when SMTP is configured, and sign a checkpoint when one is due."""
    done = 0
    for _ in range(MAX_CLOCKS_PER_ROUND):
        try:
            with database.transaction() as session:
                outcome = fire_next(session, clock)
        except sa.exc.OperationalError as error:
            # Another worker held the row or the database was busy: nothing was done; next round.
            log.warning("clock round interrupted: %s", error.orig)
            break
        if outcome is None:
            break
        if outcome:  # empty when another worker claimed that clock first
            say(outcome)
            done += 1
    if keeper is not None:
        done += delete_due(database, clock, keeper, say)
    # Whatever the requests left queued (they integrate without waiting when another process is at it).
    integrate_all(database)
    fold_all(database)  # the report statistics' changes into their tallies
    if mail is not None:
        done += send_due(database, clock, mail)
    if signer is not None:
        done += deliver_due(database, clock, signer, http)
        done += _checkpoint_if_due(database, clock, signer, say, checkpoint_every)
    return done


def _checkpoint_if_due(
    database: Database, clock: Clock, signer: LogSigner, say: Callable[[str], None], every: timedelta
) -> int:
    """Sign a checkpoint when the log grew and the last one is older than `every`."""
    with database.transaction() as session:
        size = log_size(session)
        latest = latest_checkpoint(session)
        if size == 0 or (latest is not None and (latest.size == size or clock() - latest.created_at < every)):
            return 0
        checkpoint = sign_checkpoint(session, clock, signer)
    say(f"checkpoint signed: {checkpoint.size} entries")
    return 1


def _positive_int(value: object, name: str) -> int:
    try:
        number = int(str(value))
    except ValueError:
        number = 0
    if number < 1:
        raise ValueError(f"BROKER_{name} must be a positive whole number, not {value!r}")
    return number


def _mail() -> MailSettings | None:
    """The SMTP server and sender (BROKER_SMTP_URL, BROKER_MAIL_FROM, BROKER_PUBLIC_URL), if configured."""
    try:
        mail = MailSettings.from_settings(config.settings())
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if mail is None:
        click.echo(
            "no BROKER_SMTP_URL: e-mails to people wait in the outbox until SMTP is configured", err=True
        )
    return mail


def _keeper() -> Keeper:
    """The evidence storage and retention, configured as for `broker serve`."""
    settings = config.settings()
    storage = storage_from_settings(settings, config.instance_path())
    return Keeper(storage, EvidencePolicy.from_settings(settings, storage.minimum_chunk))


@click.command()
@click.option("--once", is_flag=True, help="Do what is due now and exit (for cron or tests).")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.5),
    default=2.0,
    show_default=True,
    help="Seconds between rounds (each integrates the log entries requests left queued).",
)
@reports_problems
def worker(once: bool, interval: float) -> None:
    """Fire due clocks (reminders, missed deadlines, ends of preservation, review windows, ex-post
    validation), deliver webhook notifications and e-mails with retries, sign checkpoints of the log
    (every BROKER_CHECKPOINT_INTERVAL_SECONDS while it grows), and delete evidence whose retention
    ended, whose order imposes deletion, or whose upload was abandoned.

    Several workers may run at once against PostgreSQL; any of them may be killed at any moment.
    Webhooks are signed with the broker's key (BROKER_KEY_FILE); without one they wait in the outbox.
    """
    database = open_database()
    require_current_schema(database)
    key_file = config.setting("KEY_FILE")
    signer = LogSigner.from_file(config.setting("LOG_ORIGIN"), Path(key_file)) if key_file else None
    if signer is None:
        click.echo(
            "no BROKER_KEY_FILE: clocks fire, notifications stay queued until a key is configured", err=True
        )
    every = timedelta(
        seconds=_positive_int(config.setting("CHECKPOINT_INTERVAL_SECONDS"), "CHECKPOINT_INTERVAL_SECONDS")
    )
    keeper = _keeper()
    mail = _mail()
    http = requests.Session()
    try:
        while True:
            run_once(database, system_clock, signer, http, click.echo, every, keeper, mail)
            if once:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("worker stopped", err=True)
    finally:
        database.dispose()

"""`broker worker`: keeps time for the broker — fires due clocks and delivers queued notifications."""

import logging
import time
from collections.abc import Callable
from pathlib import Path

import click
import requests
import sqlalchemy as sa

from broker import config
from broker.audit.checkpoints import LogSigner
from broker.cli.common import open_database
from broker.cli.common import reports_problems
from broker.cli.common import require_current_schema
from broker.clock import Clock
from broker.clock import system_clock
from broker.clocks.due import fire_next
from broker.db import Database
from broker.notify.delivery import deliver_due

log = logging.getLogger(__name__)

# A round ends after this many clocks so deliveries are never starved by a backlog of clocks.
MAX_CLOCKS_PER_ROUND = 500


def run_once(
    database: Database,
    clock: Clock,
    signer: LogSigner | None,
    http: requests.Session,
    say: Callable[[str], None],
) -> int:
    """Fire every clock now due, then deliver what is queued; each clock in its own transaction."""
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
    if signer is not None:
        done += deliver_due(database, clock, signer, http)
    return done


@click.command()
@click.option("--once", is_flag=True, help="Do what is due now and exit (for cron or tests).")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.5),
    default=10.0,
    show_default=True,
    help="Seconds between rounds.",
)
@reports_problems
def worker(once: bool, interval: float) -> None:
    """Fire due clocks (reminders, missed deadlines, ends of preservation, review windows, ex-post
    validation) and deliver webhook notifications with retries.

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
    http = requests.Session()
    try:
        while True:
            run_once(database, system_clock, signer, http, click.echo)
            if once:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("worker stopped", err=True)
    finally:
        database.dispose()

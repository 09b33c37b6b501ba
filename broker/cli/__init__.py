"""The `broker` command: serve the API, migrate the database, manage the registry, run the demo, and
the parties' own commands (order, message, inbox, evidence) that talk to a broker over HTTP."""

import click

from broker.cli.audit import audit
from broker.cli.certificate import certificate
from broker.cli.db import db
from broker.cli.demo import demo
from broker.cli.etsi import etsi
from broker.cli.evidence import evidence
from broker.cli.message import inbox
from broker.cli.message import message
from broker.cli.order import order
from broker.cli.registry import key
from broker.cli.registry import org
from broker.cli.registry import token
from broker.cli.registry import user
from broker.cli.report import report
from broker.cli.rules import rules
from broker.cli.serve import serve
from broker.cli.signer import signer
from broker.cli.worker import worker


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="eevidence-broker")
def main() -> None:
    """Cross-border e-evidence request broker (Regulation (EU) 2023/1543).

    The database is BROKER_DATABASE_URL, or an SQLite file in BROKER_INSTANCE_PATH (./instance).
    """


for command in (
    serve,
    worker,
    db,
    org,
    user,
    token,
    key,
    rules,
    audit,
    demo,
    report,
    evidence,
    order,
    message,
    inbox,
    signer,
    etsi,
    certificate,
):
    main.add_command(command)

"""`broker order draft|check|show|sign|issue|receive`: orders over HTTP, as their parties see them.

broker order check draft.json                      # the legal check; exit 1 if a rule blocks
broker order draft draft.json > order.json         # the draft as the broker keeps it
broker order sign order.json --signer parquet.pem > epoc.jws
broker order issue ORDER_ID epoc.jws               # or: broker order issue ORDER_ID --signer REF
"""

from typing import Any

import click

from broker.cli.client import connection
from broker.cli.client import fails_cleanly
from broker.cli.client import open_client
from broker.cli.client import open_signer
from broker.cli.client import read_json
from broker.cli.client import read_text
from broker.cli.client import say
from broker.cli.client import signing
from broker.cli.client import write_json
from broker.client import sign_certificate

ORDER_TYPES = ("epoc", "epoc-pr")


@click.group()
def order() -> None:
    """Draft, check, sign and issue orders (issuing authority), show and receive them, over HTTP."""


def _draft(source: str, order_type: str | None) -> dict[str, Any]:
    """The draft document: {"order_type", "certificate"} as in docs/api.md, or a certificate with --type."""
    document = read_json(source)
    if not isinstance(document, dict):
        raise click.ClickException("the draft must be a JSON object")
    if "certificate" in document:
        if order_type and document.get("order_type") != order_type:
            raise click.ClickException(f"the draft is a {document.get('order_type')}, not a {order_type}")
        return document
    if not order_type:
        raise click.ClickException(
            'give the draft as {"order_type", "certificate"}, or the certificate alone with --type epoc|epoc-pr'
        )
    return {"order_type": order_type, "certificate": document}


type_option = click.option(
    "--type",
    "order_type",
    type=click.Choice(ORDER_TYPES),
    help="The order type, if FILE is a certificate alone.",
)
key_option = click.option(
    "--idempotency-key", help="Reuse one key (e.g. the file number) to make running the command again safe."
)


@order.command()
@click.argument("source", metavar="FILE")
@type_option
@key_option
@connection()
@fails_cleanly
def draft(source: str, order_type: str | None, idempotency_key: str | None, url: str, token: str) -> None:
    """Create a draft from FILE (or - for stdin) and print the order, with its checks, as JSON."""
    created = open_client(url, token).draft_order(_draft(source, order_type), idempotency_key=idempotency_key)
    say(f"order {created['id']} drafted ({created['state']}); {_findings(created.get('checks'))}")
    write_json(created)


@order.command()
@click.argument("source", metavar="[FILE]", required=False)
@click.option("--order", "order_id", help="Check the stored draft ORDER again instead (and keep the result).")
@type_option
@connection()
@fails_cleanly
def check(source: str | None, order_id: str | None, order_type: str | None, url: str, token: str) -> None:
    """Run the legal checks on a draft FILE (nothing is stored), or on a stored draft with --order.

    Prints the report (or the order) as JSON; the exit status is 1 when a finding blocks issuing.
    """
    if (source is None) == (order_id is None):
        raise click.UsageError("give a draft FILE or --order ORDER_ID")
    client = open_client(url, token)
    if order_id is not None:
        checked = client.check_order(order_id)
        report = checked.get("checks") or {}
    else:
        checked = report = client.check_draft(_draft(str(source), order_type))
    write_json(checked)
    if report.get("blocking"):
        blocking = [f["rule_id"] for f in report.get("findings", []) if f.get("severity") == "error"]
        raise click.ClickException(f"the draft cannot be issued: blocking findings {', '.join(blocking)}")
    say(_findings(report))


@order.command()
@click.argument("order_id", metavar="ORDER_ID")
@click.option("--timeline", is_flag=True, help="Print the timeline (messages, clocks, log entries) instead.")
@connection()
@fails_cleanly
def show(order_id: str, timeline: bool, url: str, token: str) -> None:
    """Print an order (certificate, checks, every signed message) as JSON; it counts as read."""
    client = open_client(url, token)
    write_json(client.timeline(order_id) if timeline else client.order(order_id))


@order.command()
@click.argument("source", metavar="ORDER_FILE")
@signing()
@fails_cleanly
def sign(source: str, signer_reference: str, kid: str | None) -> None:
    """Sign the certificate of a draft (ORDER_FILE as `broker order draft|show` printed it, or -).

    Prints the signed epoc / epoc-pr (a compact JWS) on stdout; send it with `broker order issue`.
    Nothing is sent: this works offline.
    """
    document = read_json(source)
    members = ("order_type", "certificate", "issuing_authority", "provider")
    if not isinstance(document, dict) or any(name not in document for name in members):
        raise click.ClickException(
            "ORDER_FILE must be an order as the broker returned it (broker order show)"
        )
    click.echo(sign_certificate(document, open_signer(signer_reference, kid)))


@order.command()
@click.argument("order_id", metavar="ORDER_ID")
@click.argument("source", metavar="[JWS_FILE]", required=False)
@signing(required=False)
@connection()
@fails_cleanly
def issue(
    order_id: str, source: str | None, signer_reference: str | None, kid: str | None, url: str, token: str
) -> None:
    """Issue a draft: send JWS_FILE (or -), or sign the stored draft with --signer and send that.

    Prints the order, now issued, as JSON.
    """
    if (source is None) == (signer_reference is None):
        raise click.UsageError("give the signed certificate JWS_FILE or --signer, not both")
    client = open_client(url, token)
    if source is not None:
        issued = client.issue(order_id, read_text(source))
    else:
        issued = client.sign_and_issue(order_id, open_signer(str(signer_reference), kid))
    notified = issued.get("enforcing_authority")
    tail = f"; notified to {notified['name']}" if notified else ""
    say(f"order {issued['id']} issued to {issued['provider']['name']}{tail}")
    write_json(issued)


@order.command()
@click.argument("order_id", metavar="ORDER_ID")
@connection()
@fails_cleanly
def receive(order_id: str, url: str, token: str) -> None:
    """Take delivery of an issued order (provider): its legal deadlines start now. Prints the order."""
    received = open_client(url, token).receive(order_id)
    say(f"order {received['id']} received at {received['received_at']}")
    write_json(received)


def _findings(report: dict[str, Any] | None) -> str:
    findings = (report or {}).get("findings") or []
    if not findings:
        return "no findings"
    return "findings: " + ", ".join(f"{f['rule_id']} ({f['severity']})" for f in findings)

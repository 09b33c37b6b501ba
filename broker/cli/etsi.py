"""`broker etsi export|import`: an order as HI-1 or as the RI form XML, and back, offline.

Neither opens a database or the network: `export` reads the order as `broker order show` prints it
(its certificate and signed messages) and writes XML that its XSD accepts; `import` reads an HI-1
message or an RI form, refuses invalid or hostile XML with one line naming the element, and prints
the draft `broker order draft -` takes (`{"order_type", "certificate"}`, parties by registry id, as
POST /orders/form drafts it), or with --certificate the whole certificate the document carries.
"""

import json
import sys
from datetime import datetime
from typing import Any

import click

from broker.clock import system_clock
from broker.etsi import certificate
from broker.etsi import certificate_reading
from broker.etsi import forms
from broker.etsi import hi1
from broker.etsi.errors import EtsiError
from broker.etsi.hi1 import Endpoint
from broker.etsi.hi1 import el

MAX_BYTES = 1_048_576


@click.group()
def etsi() -> None:
    """ETSI TS 103 120 (HI-1, e-Evidence profile) and the EU reference implementation's forms."""


@etsi.command("export")
@click.argument("order_file", type=click.File("rb"))
@click.option("--format", "kind", type=click.Choice(["hi1", "form"]), default="hi1", show_default=True)
@click.option(
    "--broker",
    "broker_id",
    default="broker",
    show_default=True,
    help="The broker's UniqueIdentifier (its log origin).",
)
def export(order_file: Any, kind: str, broker_id: str) -> None:
    """Write ORDER_FILE (an order as `broker order show` prints it, or -) as HI-1 or as Form 1 / Form 2."""
    try:
        order = json.loads(order_file.read(MAX_BYTES + 1))
        view = _view(order)
        if kind == "form":
            document = forms.export_form(view.order_type, view.certificate, notified=view.notified)
        else:
            sender = Endpoint("EU", broker_id)
            provider = order["certificate"]["addressee"]
            receiver = Endpoint(provider["country"], provider["provider"]["organisation"])
            header = hi1.new_header(sender, receiver, system_clock())
            document = hi1.build(
                header, hi1.requests([("CREATE", el("CREATE", o)) for o in certificate.objects_for(view)])
            )
    except (ValueError, KeyError, TypeError) as error:
        raise click.ClickException(_line(error)) from None
    sys.stdout.buffer.write(document)


@etsi.command("import")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--certificate",
    "whole",
    is_flag=True,
    help="Print the whole certificate as read (parties included), not the draft `broker order draft -` takes.",
)
def import_(file: Any, whole: bool) -> None:
    """Read FILE (HI-1 CREATE message or RI Form 1 / Form 2, or -) and print it as a draft order."""
    data = file.read(MAX_BYTES + 1)
    try:
        if b"HI1Message" in data[:4096]:
            message = hi1.read(data)
            order_type, found = certificate_reading.certificate_from_objects(
                [a.object for a in message.actions if a.object is not None]
            )
        else:
            order_type, found = forms.import_form(data)
    except EtsiError as error:
        raise click.ClickException(_line(error)) from None
    document = found if whole else forms.draft_from(found)
    click.echo(json.dumps({"order_type": order_type, "certificate": document}, ensure_ascii=False, indent=2))


def _view(order: dict[str, Any]) -> certificate.OrderView:
    signed = next((m for m in order.get("messages", []) if m["type"] == order["order_type"]), None)
    issued = order.get("issued_at")
    return certificate.OrderView(
        order_id=order["id"],
        order_type=order["order_type"],
        certificate=order["certificate"],
        jws=signed["jws"] if signed else None,
        issued_at=datetime.fromisoformat(issued) if issued else None,
        notified=order.get("enforcing_authority") is not None,
    )


def _line(error: Exception) -> str:
    """One line: the element and why, never a traceback."""
    text = (
        str(error)
        if isinstance(error, EtsiError)
        else f"not an order as `broker order show` prints it: {error!r}"
    )
    return " ".join(text.split())

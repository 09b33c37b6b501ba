"""`broker message sign|send|verify` and `broker inbox`: every side's signed messages, over HTTP.

echo '{}' | broker message sign - --type acknowledgement --order ORDER_ID --signer key.pem > ack.jws
broker message send ORDER_ID ack.jws
broker message verify answer.jws --trust-list keys/trust-list.jwks.json
broker inbox --unread
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
from broker.client import TrustList
from broker.client import message_for_order
from broker.client import seal_message
from broker.client import verify_message


@click.group()
def message() -> None:
    """Sign, send and verify signed lifecycle messages (acknowledgement, response, clarification, …)."""


@message.command()
@click.argument("source", metavar="BODY_FILE")
@click.option("--type", "message_type", required=True, help="The message type, e.g. acknowledgement.")
@click.option("--order", "order_id", help="The order it is about: sender, recipient and in_reply_to follow.")
@click.option("--from", "sender", help="Your organisation's id (offline, without --order).")
@click.option("--to", "recipient", help="The recipient organisation (default with --order: by the rules).")
@click.option("--in-reply-to", help="The message answered (default with --order: the certificate).")
@click.option("--id", "message_id", help="The message id (default: a fresh UUID).")
@signing()
@connection(required=False)
@fails_cleanly
def sign(
    source: str,
    message_type: str,
    order_id: str | None,
    sender: str | None,
    recipient: str | None,
    in_reply_to: str | None,
    message_id: str | None,
    signer_reference: str,
    kid: str | None,
    url: str | None,
    token: str | None,
) -> None:
    """Sign BODY_FILE (or -) as a message and print the compact JWS; nothing is sent.

    With --order the broker is asked for the order and who you are, and the envelope is filled in
    by the rules of docs/message-format.md; without it give --from and --to (and --in-reply-to).
    """
    body = read_json(source)
    if not isinstance(body, dict):
        raise click.ClickException("the body must be a JSON object")
    signer = open_signer(signer_reference, kid)
    if order_id is not None:
        client = open_client(url, token)
        jws = message_for_order(
            client.order(order_id),
            signer,
            sender=sender or client.organisation_id(),
            message_type=message_type,
            body=body,
            recipient=recipient,
            in_reply_to=in_reply_to,
            message_id=message_id,
        )
    elif sender and recipient:
        jws = seal_message(
            signer,
            message_type=message_type,
            body=body,
            sender=sender,
            recipient=recipient,
            in_reply_to=in_reply_to,
            message_id=message_id,
        )
    else:
        raise click.UsageError("give --order ORDER_ID, or --from and --to")
    click.echo(jws)


@message.command()
@click.argument("order_id", metavar="ORDER_ID")
@click.argument("source", metavar="JWS_FILE")
@click.option("--idempotency-key", help="Default: derived from the message id, so a resend is replayed.")
@connection()
@fails_cleanly
def send(order_id: str, source: str, idempotency_key: str | None, url: str, token: str) -> None:
    """Send a signed message (JWS_FILE, or -) about ORDER_ID; print the order after the step."""
    answered = open_client(url, token).send_message(
        order_id, read_text(source), idempotency_key=idempotency_key
    )
    say(f"order {answered['id']} is now {answered['state']}")
    write_json(answered)


@message.command()
@click.argument("source", metavar="JWS_FILE")
@click.option(
    "--trust-list",
    type=click.Path(dir_okay=False),
    help="A JWKS you trust (broker key export, or a saved GET /organisations/{id}/keys); works offline.",
)
@click.option("--sender", help="The organisation the message must come from.")
@click.option("--type", "message_type", help="The message type it must be.")
@connection(required=False)
@fails_cleanly
def verify(
    source: str,
    trust_list: str | None,
    sender: str | None,
    message_type: str | None,
    url: str | None,
    token: str | None,
) -> None:
    """Verify a signed message (JWS_FILE, or -): key, signature, envelope, key validity, body schema.

    With --trust-list nothing is asked of the broker; otherwise the claimed sender's keys are read
    from the broker (--url, --token), which means trusting its key list. Prints the verified
    envelope as JSON; exit status 1 and one line on stderr if any check fails.
    """
    jws = read_text(source)
    if trust_list is not None:
        try:
            trusted = TrustList.load(trust_list)
        except ValueError as error:
            raise click.ClickException(str(error)) from error
        verified = verify_message(jws, trusted, sender=sender, message_type=message_type)
    elif url or token:
        verified = open_client(url, token).verify(jws, message_type=message_type)
        if sender is not None and verified.sender != sender:
            raise click.ClickException(f"sent by {verified.sender}, not by {sender}")
    else:
        raise click.UsageError("give --trust-list FILE, or --url and --token to use the broker's key list")
    say(verified.summary())
    write_json(verified.as_json())


@click.command()
@click.option("--unread", is_flag=True, help="Only orders changed since your organisation last read them.")
@click.option("--overdue", is_flag=True, help="Only orders with a missed deadline.")
@click.option("--cursor", help="Continue after a page: its next_cursor.")
@click.option("--per-page", type=click.IntRange(min=1), help="Orders per page (the broker's default: 25).")
@click.option("--all", "every", is_flag=True, help="Every page, as one list.")
@connection()
@fails_cleanly
def inbox(
    unread: bool, overdue: bool, cursor: str | None, per_page: int | None, every: bool, url: str, token: str
) -> None:
    """Your open orders, emergencies first, as JSON ({"items", "per_page", "next_cursor"})."""
    client = open_client(url, token)
    if every:
        items: list[Any] = list(client.inbox_items(unread=unread, overdue=overdue, per_page=per_page or 100))
        write_json({"items": items, "per_page": per_page or 100, "next_cursor": None})
    else:
        write_json(client.inbox(unread=unread, overdue=overdue, cursor=cursor, per_page=per_page))

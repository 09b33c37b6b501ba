"""An order: its certificate, every message with who signed it with which key, the legal findings,
its deadlines, its evidence packages (views/order_evidence.py), its timeline, and the signed actions
the person may take on it now (views/actions.py).

The page is `operations.read_order` (the API's GET /orders/{id}: the access rule, an `order.viewed`
entry in the audit trail, the order marked read for the organisation) and `queries.timeline` (GET
/orders/{id}/timeline). Another organisation's order, or one that does not exist, is "Page not
found", as in the API, so that its existence does not leak.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Response
from flask import request

from broker import crypto
from broker import problems
from broker.api.views import certificates as pdfs
from broker.certificates import OFFICIAL_LANGUAGES
from broker.orders import operations
from broker.orders import queries
from broker.orders.models import Message
from broker.orders.models import Order
from broker.parties import queries as party_queries
from broker.parties.models import SigningKey
from broker.portal import bp
from broker.portal import removal_page
from broker.portal import route_page
from broker.portal.i18n import N_
from broker.portal.i18n import translate
from broker.portal.labels import label
from broker.portal.page import Visit
from broker.portal.page import page
from broker.portal.views import actions
from broker.portal.views import order_evidence
from broker.vocabulary import MessageType
from broker.vocabulary import OrderState
from broker.vocabulary import Role

# What the timeline calls the log's actions; an order's signed messages are named by their type.
EVENTS = {
    "order.drafted": N_("Draft created"),
    "order.checked": N_("Legal checks run again"),
    "order.issued": N_("Issued (signed certificate sent)"),
    "order.received": N_("Received by the provider"),
    "order.received_for_service": N_("Received by the authority that serves it"),
    "order.served": N_("Served on the provider"),
    "service.overdue": N_("Not served within the time to serve"),
    "order.quashed": N_("Not served in time: treated as quashed"),
    "order.viewed": N_("Read"),
    "order.case_file_exported": N_("Case file exported"),
    "order.preservation_ended": N_("Preservation ended"),
    "preservation.minimum_reached": N_("Minimum preservation period reached (Budapest Art. 29(7))"),
    "order.withdrawn": N_("Withdrawn"),
    "deadline.missed": N_("Deadline missed"),
    "clock.reminder": N_("Deadline reminder"),
    "enforcing_review.ended": N_("Enforcing authority's review window ended"),
    "objection_window.closed": N_("Objection window closed"),
    "scrutiny_window.closed": N_("Host State's scrutiny window closed"),
    "content_preservation.ended": N_("Preservation of the removed content ended"),
    "withholding.ended": N_("Withholding from the content provider ended"),
    "evidence.upload_started": N_("Evidence upload started"),
    "evidence.uploaded": N_("Evidence uploaded"),
    "evidence.upload_rejected": N_("Evidence upload rejected"),
    "evidence.upload_aborted": N_("Evidence upload abandoned"),
    "evidence.downloaded": N_("Evidence downloaded"),
    "evidence.decryption_reported": N_("Evidence decryption reported"),
    "evidence.deleted": N_("Evidence deleted"),
}


@dataclass(frozen=True)
class Signature:
    """One signed message as the page shows it: who sent it to whom, with which key, whether that key
    held, and what it says."""

    message: Message
    sender: str
    recipient: str
    key: SigningKey | None
    body: dict[str, Any]

    @property
    def valid_when_signed(self) -> bool:
        """Registered to the sender, within its validity and not revoked at the moment of signing."""
        return self.key is not None and self.key.is_usable_at(self.message.issued_at)

    @property
    def revoked_at(self) -> datetime | None:
        return None if self.key is None else self.key.revoked_at

    @property
    def holder(self) -> str | None:
        """The name of the sender's person who holds the key, where it was registered with one."""
        return None if self.key is None or self.key.user is None else self.key.user.name


@bp.get("/orders/<uuid:order_id>")
@page()
def order(visit: Visit, order_id: uuid.UUID) -> Response:
    """One order, as the person's organisation may see it; the view is recorded."""
    found = operations.read_order(visit.session, visit.clock, visit.actor, order_id)
    timeline = queries.timeline(visit.session, found, visit.actor)
    names = _party_names(found)
    keys = party_queries.signing_keys(visit.session, {message.sender_kid for message in found.messages})
    signatures = [
        Signature(
            message,
            names.get(str(message.sender_id), str(message.sender_id)),
            names.get(str(message.recipient_id), str(message.recipient_id)),
            keys.get(message.sender_kid),
            _body(message),
        )
        for message in found.messages
    ]
    checks = found.checks or {}
    return visit.render(
        "orders/order.html",
        order=found,
        certificate=found.certificate,
        checks=checks,
        checked_at=_instant(checks["checked_at"]) if checks.get("checked_at") else None,
        signatures=signatures,
        clocks=timeline["clocks"],
        events=[_event(event, names) for event in reversed(timeline["events"])],
        deadline=queries.deadlines(visit.session, [found.id])[found.id],
        packages=order_evidence.packages(visit.session, visit.clock(), visit.actor, found),
        removal=removal_page.of(found, timeline["clocks"]),
        route=route_page.of(found, timeline["clocks"]),
        actions=actions.available(found, visit.actor),
        may_receive=actions.may_receive(found, visit.actor),
        may_serve=actions.may_serve(found, visit.actor),
        may_change_draft=found.state is OrderState.DRAFT
        and found.issuing_authority_id == visit.actor.organisation_id
        and visit.actor.role is not Role.AUDITOR,
        done=actions.notice(request.args.get("done", "")),
    )


@bp.get("/orders/<uuid:order_id>/pdf")
@page()
def certificate_pdf(visit: Visit, order_id: uuid.UUID) -> Response:
    """The order's certificate as its sealed PDF form: the API's GET /orders/{id}/pdf, read as one."""
    found = operations.read_order(visit.session, visit.clock, visit.actor, order_id)
    return pdfs.order_pdf(found, pdfs.certificate_message(found), _pdf_language())


@bp.get("/orders/<uuid:order_id>/messages/<uuid:message_id>/pdf")
@page()
def message_pdf(visit: Visit, order_id: uuid.UUID, message_id: uuid.UUID) -> Response:
    """Any signed message of the order as its sealed PDF form (Annex III, V, VI, an answer, …)."""
    found = operations.read_order(visit.session, visit.clock, visit.actor, order_id)
    shown = next((message for message in found.messages if message.id == message_id), None)
    if shown is None:
        raise problems.NotFound(f"order {order_id} has no message {message_id}")
    return pdfs.order_pdf(found, shown, _pdf_language())


def _pdf_language() -> str | None:
    """The language asked for, if the forms know it; else the PDF's own choice (the addressee's)."""
    asked = request.args.get("language")
    return asked if asked in OFFICIAL_LANGUAGES else None


def _body(message: Message) -> dict[str, Any]:
    """What a stored message says: its envelope's body, read from the JWS kept byte for byte.

    Read without verifying again: the broker verified the signature before storing the message
    (broker/orders/inbound.py), and the table above says whether the key held when it signed.
    """
    body: dict[str, Any] = json.loads(crypto.jws_payload_unverified(message.jws))["body"]
    return body


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _party_names(found: Order) -> dict[str, str]:
    parties = (found.issuing_authority, found.provider, found.enforcing_authority)
    return {str(party.id): party.name for party in parties if party is not None}


def _event(event: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A log entry as a timeline row: when, what (in words), by whom (organisation, or the system)."""
    action = str(event["action"])
    actor = event.get("actor") or {}
    organisation = actor.get("organisation")
    who = names.get(organisation, translate(N_("Another organisation"))) if organisation else None
    return {
        "time": _instant(str(event["time"])),
        "what": _event_label(action),
        "action": action,
        "who": who,
        "system": actor.get("system"),
        "index": event.get("index"),
    }


def _event_label(action: str) -> str:
    if action in EVENTS:
        return translate(EVENTS[action])
    suffix = action.removeprefix("order.")
    if suffix in set(MessageType):
        return label(suffix, MessageType)
    return action

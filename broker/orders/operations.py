"""The write side of orders: draft, check, read, and what every step records (state, message, reads).

Each operation takes the acting party explicitly, checks that the step is allowed for that party in
the order's current state, applies it and stores the signed message, all inside the caller's
transaction: a refusal at any point leaves nothing behind.
"""

import copy
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy import orm
from sqlalchemy.orm.attributes import set_committed_value

from broker import legal
from broker import problems
from broker.access import Actor
from broker.access import require_kind
from broker.audit.operations import integrate_queued
from broker.audit.operations import record
from broker.audit.operations import sign_checkpoint
from broker.audit.queries import latest_checkpoint
from broker.audit.signer import LogSigner
from broker.clock import Clock
from broker.clock import to_rfc3339
from broker.legal.routes import SERVED_BY_AUTHORITY
from broker.notify.operations import enqueue
from broker.orders import casefile
from broker.orders import checks
from broker.orders import overseas
from broker.orders import removal
from broker.orders import threats
from broker.orders.inbound import VerifiedMessage
from broker.orders.mailing import mail_people
from broker.orders.models import Message
from broker.orders.models import Order
from broker.orders.models import OrderRead
from broker.orders.models import ProceduresNotice
from broker.orders.models import ThreatNotification
from broker.orders.queries import get_order
from broker.parties.models import Addressee
from broker.parties.models import Organisation
from broker.vocabulary import MessageType
from broker.vocabulary import OrderState
from broker.vocabulary import OrderType
from broker.vocabulary import OrganisationKind
from broker.wire.certificates import certificate_version
from broker.wire.registry import validate_body


def complete_certificate(
    session: orm.Session, actor: Actor, order_type: OrderType, draft: dict[str, Any]
) -> tuple[dict[str, Any], Addressee]:
    """The certificate a caseworker's draft becomes, completed from the registry and schema-checked.

    The caseworker names the addressee and the validating authority by id; the broker fills in
    their registered names, types and countries, so the signed certificate is self-contained.
    """
    require_kind(actor, [OrganisationKind.ISSUING_AUTHORITY], "draft orders")
    issuer = session.get_one(Organisation, actor.organisation_id)
    certificate = copy.deepcopy(draft)
    certificate["issuing_authority"] = _authority(issuer, draft.get("issuing_authority") or {})
    if order_type is OrderType.REMOVAL_ORDER:
        addressee = _addressee(session, draft["addressee"])
        return removal.complete(certificate["issuing_authority"], addressee, draft), addressee
    if order_type is OrderType.OVERSEAS_PRODUCTION_ORDER:
        # The judge and the applicant are named in the order itself (COPO s.1): no issuing_authority member.
        addressee = _addressee(session, draft["addressee"])
        return overseas.complete(draft, addressee), addressee
    validating = draft.get("validating_authority")
    if validating is not None:
        certificate["validating_authority"] = _authority(
            _registered_authority(session, validating["organisation"]), validating
        )
    addressee = _addressee(session, draft["addressee"])
    certificate["addressee"] = _addressee_document(addressee)
    try:
        validate_body(order_type.value, certificate_version(certificate), certificate)
    except ValidationError as error:
        raise problems.ValidationFailed(
            "the certificate is incomplete or invalid", errors=error.messages
        ) from error
    return certificate, addressee


def check_draft(
    session: orm.Session, clock: Clock, actor: Actor, order_type: OrderType, draft: dict[str, Any]
) -> dict[str, Any]:
    """The legal-basis findings for a draft, creating nothing (live checking while a caseworker types)."""
    certificate, addressee = complete_certificate(session, actor, order_type, draft)
    return checks.stored(checks.run(order_type, certificate, addressee, clock), clock)


NAMED = {
    OrderType.REMOVAL_ORDER: "a removal order",
    OrderType.OVERSEAS_PRODUCTION_ORDER: "an overseas production order",
}


def create_draft(
    session: orm.Session,
    clock: Clock,
    actor: Actor,
    order_type: OrderType,
    draft: dict[str, Any],
    removal_order: uuid.UUID | None = None,
    threat_notification: uuid.UUID | None = None,
) -> Order:
    """Keep a draft with its first legal check; a draft may still break rules, issuing may not.

    An EPOC or EPOC-PR may name the removal order whose preserved content it is addressed to (Regulation
    (EU) 2021/784, Art. 6(1)(b)); the broker checks the reference (broker.orders.removal.preserved_reference).
    """
    if threat_notification is not None:  # before the issuing authority's checks, to say why Europol may not
        threats.may_answer(actor)
    certificate, addressee = complete_certificate(session, actor, order_type, draft)
    _check_references(
        session, clock, actor, order_type, certificate, addressee, removal_order, threat_notification
    )
    report = checks.run(order_type, certificate, addressee, clock)
    order = Order(
        order_type=order_type,
        state=OrderState.DRAFT,
        issuing_authority_id=actor.organisation_id,
        addressee_id=addressee.id,
        provider_id=addressee.provider_id,
        created_by_id=actor.user_id,
        certificate=certificate,
        checks=checks.stored(report, clock),
        **_read_from(certificate),
        removal_order_id=removal_order,
        threat_notification_id=threat_notification,
        created_at=clock(),
        updated_at=clock(),
    )
    session.add(order)
    # What the answer names is already in the session (the issuer from the identity map): no query.
    issuer = session.get_one(Organisation, actor.organisation_id)
    order.issuing_authority, order.provider, order.addressee = issuer, addressee.provider, addressee
    set_committed_value(order, "messages", [])
    set_committed_value(order, "enforcing_authority", None)
    session.flush()
    record(
        session,
        clock,
        action="order.drafted",
        object_type="order",
        object_id=order.id,
        actor=actor,
        details={
            "order_type": order_type.value,
            "instrument": order.instrument,
            **_check_summary(report),
            **({"removal_order": str(removal_order)} if removal_order is not None else {}),
            **({"threat_notification": str(threat_notification)} if threat_notification is not None else {}),
        },
    )
    return order


def _check_references(
    session: orm.Session,
    clock: Clock,
    actor: Actor,
    order_type: OrderType,
    certificate: dict[str, Any],
    addressee: Addressee,
    removal_order: uuid.UUID | None,
    threat_notification: uuid.UUID | None,
) -> None:
    """Refuse a removal order or a threat notification a draft may not name (see create_draft)."""
    if removal_order is not None:
        if order_type in (OrderType.REMOVAL_ORDER, OrderType.OVERSEAS_PRODUCTION_ORDER):
            raise problems.ValidationFailed(
                "only an EPOC or EPOC-PR names a removal order whose preserved content it asks for",
                errors={"removal_order": [f"not for {NAMED[order_type]}"]},
            )
        removal.preserved_reference(session, actor, removal_order, addressee.provider_id, clock())
    if threat_notification is not None:  # Regulation (EU) 2022/2065, Art. 18: the emergency it answers
        threats.answered_reference(
            session, actor, threat_notification, order_type, certificate, addressee.provider_id
        )


def change_draft(
    session: orm.Session,
    clock: Clock,
    actor: Actor,
    order_id: uuid.UUID,
    draft: dict[str, Any],
    removal_order: uuid.UUID | None = None,
    threat_notification: uuid.UUID | None = None,
) -> Order:
    """Replace a draft's certificate (same order type) and what it names, and check them again; only a draft
    may change. The references are checked as create_draft checks them (an answer to a threat notification
    stays an emergency)."""
    order = get_order(session, actor, order_id)
    require_state(order, OrderState.DRAFT, "change")
    certificate, addressee = complete_certificate(session, actor, order.order_type, draft)
    _check_references(
        session, clock, actor, order.order_type, certificate, addressee, removal_order, threat_notification
    )
    report = checks.run(order.order_type, certificate, addressee, clock)
    order.removal_order_id, order.threat_notification_id = removal_order, threat_notification
    order.certificate = certificate
    order.addressee, order.provider = addressee, addressee.provider
    for column, value in _read_from(certificate).items():
        setattr(order, column, value)
    order.checks = checks.stored(report, clock)
    order.updated_at = clock()
    record(
        session,
        clock,
        action="order.changed",
        object_type="order",
        object_id=order.id,
        actor=actor,
        details=_check_summary(report),
    )
    return order


def _read_from(certificate: dict[str, Any]) -> dict[str, Any]:
    """The order's columns that repeat the certificate, for lists and filters without reading its JSON."""
    return {
        "emergency": bool(certificate.get("emergency")),
        "instrument": checks.instrument_of(certificate),
        "file_number": (certificate.get("issuing_authority") or {}).get("file_number"),
    }


def check_order(session: orm.Session, clock: Clock, actor: Actor, order_id: uuid.UUID) -> Order:
    """Run the checks again on a draft (rules and reference data may have changed) and keep the result."""
    require_kind(actor, [OrganisationKind.ISSUING_AUTHORITY], "check orders")
    order = get_order(session, actor, order_id)
    require_state(order, OrderState.DRAFT, "re-check")
    report = checks.run(order.order_type, order.certificate, order.addressee, clock)
    order.checks = checks.stored(report, clock)
    record(
        session,
        clock,
        action="order.checked",
        object_type="order",
        object_id=order.id,
        actor=actor,
        details=_check_summary(report),
    )
    return order


def _check_summary(report: legal.Report) -> dict[str, Any]:
    """What the audit log keeps of a check: which rules fired, not what the order says."""
    return {"blocking": report.blocking, "rules": sorted({finding.rule_id for finding in report.findings})}


def read_order(session: orm.Session, clock: Clock, actor: Actor, order_id: uuid.UUID) -> Order:
    """An order as one party reads it; every read is an entry in the audit log."""
    order = get_order(session, actor, order_id)
    record(session, clock, action="order.viewed", object_type="order", object_id=order.id, actor=actor)
    mark_read(session, clock(), actor.organisation_id, order)
    return order


def export_case_file(
    session: orm.Session, clock: Clock, signer: LogSigner | None, actor: Actor, order_id: uuid.UUID
) -> dict[str, Any]:
    """An oversight body's case file of one order, proved against a checkpoint signed for it.

    The export is itself logged; without a broker key the latest checkpoint (if any) is used.
    """
    require_kind(actor, [OrganisationKind.OVERSIGHT_BODY], "export case files", writes=False)
    order = get_order(session, actor, order_id)
    record(
        session,
        clock,
        action="order.case_file_exported",
        object_type="order",
        object_id=order.id,
        actor=actor,
    )
    integrate_queued(session)  # the case file shows every entry, this export's included
    checkpoint = sign_checkpoint(session, clock, signer) if signer else latest_checkpoint(session)
    return casefile.build(session, order, checkpoint)


def mark_read(session: orm.Session, now: datetime, organisation_id: uuid.UUID, order: Order) -> None:
    """Remember that this organisation has seen the order as it is now."""
    read = session.get(OrderRead, (organisation_id, order.id))
    if read is None:
        session.add(OrderRead(organisation_id=organisation_id, order_id=order.id, read_at=now))
    else:
        read.read_at = now


def store_message(
    session: orm.Session, clock: Clock, message: VerifiedMessage, order: Order, recipient_id: uuid.UUID
) -> Message:
    """Keep the message byte for byte, with the fields needed to find it again."""
    stored = Message(
        id=message.id,
        order_id=order.id,
        message_type=MessageType(message.envelope["type"]),
        version=message.envelope["version"],
        sender_id=message.key.organisation_id,
        sender_kid=message.key.kid,
        recipient_id=recipient_id,
        in_reply_to=uuid.UUID(message.envelope["in_reply_to"]) if message.envelope["in_reply_to"] else None,
        issued_at=message.issued_at,
        received_at=clock(),
        jws=message.jws,
        sha256=message.sha256,
    )
    if "messages" in sa.inspect(order).unloaded:
        session.add(stored)  # the answer loads the messages once, this one included
    else:
        order.messages.append(stored)
    try:
        session.flush()
    except sa.exc.IntegrityError as error:
        # Two copies of one message raced past the replay check; the database keeps only one.
        raise problems.ReplayedMessage(
            f"message {message.id} was already received; nothing was changed"
        ) from error
    return stored


def record_listing(
    session: orm.Session, clock: Clock, actor: Actor, listing: str, orders: Sequence[Order]
) -> None:
    """A list or inbox page is one entry naming every order it showed (none if it showed nothing).

    One entry per request, not per row: oversight learns who saw which orders when, and a page of 25
    orders costs one queued insert instead of 25.
    """
    if not orders:
        return
    record(
        session,
        clock,
        action="orders.listed",
        object_type="listing",
        object_id=listing,
        actor=actor,
        details={"orders": [str(order.id) for order in orders]},
    )


def record_transition(
    session: orm.Session,
    clock: Clock,
    actor: Actor,
    order: Order,
    state: OrderState,
    action: str,
    message: VerifiedMessage | None = None,
) -> None:
    """Change the state and log it, with the signed message that caused it where there is one."""
    details: dict[str, Any] = {"state": {"from": order.state.value, "to": state.value}}
    if message is not None:
        details["message"] = {"id": str(message.id), "type": message.envelope["type"]}
    order.state = state
    record(
        session,
        clock,
        action=action,
        object_type="order",
        object_id=order.id,
        actor=actor,
        message_sha256=message.sha256 if message else None,
        details=details,
    )


def record_procedures_notice(
    session: orm.Session, clock: Clock, actor: Actor, provider_id: uuid.UUID, given_at: datetime, means: str
) -> ProceduresNotice:
    """Art. 3(2) of Regulation (EU) 2021/784: the authority gave this hosting service provider its procedures
    and deadlines at `given_at`; TCO-04 weighs it for the authority's first removal order to the provider."""
    require_kind(actor, [OrganisationKind.ISSUING_AUTHORITY], "record notices of procedures")
    provider = session.get(Organisation, provider_id)
    if provider is None or provider.kind is not OrganisationKind.PROVIDER:
        raise problems.InvalidReference(
            f"{provider_id} is not a registered hosting service provider",
            errors={"provider": ["not a registered provider"]},
        )
    now = clock()
    if given_at > now:
        raise problems.ValidationFailed(
            "given_at lies in the future; record a notice once it has been given",
            errors={"given_at": ["after the broker's clock"]},
        )
    notice = ProceduresNotice(
        issuing_authority_id=actor.organisation_id,
        provider_id=provider.id,
        given_at=given_at,
        means=means,
        recorded_by_id=actor.user_id,
        recorded_at=now,
    )
    session.add(notice)
    session.flush()
    record(
        session,
        clock,
        action="removal.procedures_notice",
        object_type="organisation",
        object_id=provider.id,
        actor=actor,
        details={"notice": str(notice.id), "given_at": to_rfc3339(given_at)},
    )
    return notice


def require_state(order: Order, state: OrderState, action: str) -> None:
    if order.state is not state:
        raise problems.TransitionNotAllowed(
            f"cannot {action} order {order.id}: it is {order.state.value}, and only a {state.value} order allows it",
            state=order.state.value,
        )


def _registered_authority(session: orm.Session, organisation_id: str) -> Organisation:
    organisation = session.get(Organisation, uuid.UUID(organisation_id))
    if organisation is None or organisation.kind is not OrganisationKind.ISSUING_AUTHORITY:
        raise problems.InvalidReference(
            f"{organisation_id} is not a registered judicial or issuing authority",
            errors={"validating_authority": {"organisation": ["not a registered issuing authority"]}},
        )
    return organisation


def _authority(organisation: Organisation, given: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = {
        "organisation": str(organisation.id),
        "name": organisation.name,
        "authority_type": organisation.authority_type.value if organisation.authority_type else None,
        "country": organisation.country,
    }
    for optional in ("file_number", "contact"):
        if given.get(optional) is not None:
            document[optional] = given[optional]
    return document


def _addressee(session: orm.Session, addressee_id: str) -> Addressee:
    addressee = session.get(Addressee, uuid.UUID(addressee_id), options=[orm.joinedload(Addressee.provider)])
    if addressee is None:
        raise problems.InvalidReference(
            f"{addressee_id} is not a registered addressee", errors={"addressee": ["unknown addressee"]}
        )
    return addressee


def _addressee_document(addressee: Addressee) -> dict[str, Any]:
    return {
        "id": str(addressee.id),
        "provider": {"organisation": str(addressee.provider_id), "name": addressee.provider.name},
        "addressee_type": addressee.addressee_type.value,
        "name": addressee.name,
        "country": addressee.country,
        "address": addressee.address,
    }


def tell(session: orm.Session, clock: Clock, order: Order, event: str, details: dict[str, Any]) -> None:
    """Queue a notification of `event` for every party of the order, and the mails it calls for
    (broker/orders/mailing.py), in the caller's transaction."""
    parties = [order.issuing_authority_id]
    # The provider hears of an order once issued; of one that an authority serves, once served.
    if order.state.value != "draft" and (order.instrument not in SERVED_BY_AUTHORITY or order.served_at):
        parties.append(order.provider_id)
    if order.enforcing_authority_id is not None:
        parties.append(order.enforcing_authority_id)
    enqueue(
        session,
        clock,
        event=event,
        organisation_ids=parties,
        order=summary(order),
        emergency=order.emergency,
        details=details,
    )
    mail_people(session, clock, order, event, details, parties)


def summary(order: Order) -> dict[str, str]:
    """What a notification says of the order it concerns: which one, and where it stands; never content."""
    return {"id": str(order.id), "order_type": order.order_type.value, "state": order.state.value}


def record_threat_notification(
    session: orm.Session, clock: Clock, actor: Actor, message: VerifiedMessage
) -> ThreatNotification:
    """Regulation (EU) 2022/2065, Art. 18: keep a provider's signed notification for the authority it names,
    which hears of it at once as an emergency (webhook), and log it."""
    require_kind(actor, [OrganisationKind.PROVIDER], "notify suspected threats to life or safety")
    if message.envelope["type"] != MessageType.THREAT_NOTIFICATION:
        raise problems.UnexpectedMessageType(
            f"expected a 'threat-notification' message here, got {message.envelope['type']!r}"
        )
    if session.get(ThreatNotification, message.id) is not None:
        raise problems.ReplayedMessage(f"message {message.id} was already received; nothing was changed")
    recipient, fallback = threats.recipient_for(session, actor.organisation_id, message)
    now = clock()
    notification = ThreatNotification(
        id=message.id,
        provider_id=actor.organisation_id,
        sender_kid=message.key.kid,
        recipient_id=recipient.id,
        issued_at=message.issued_at,
        received_at=now,
        published_at=threats.published_at(message, now),
        fallback=fallback,
        jws=message.jws,
        sha256=message.sha256,
    )
    session.add(notification)
    session.flush()
    details = {"recipient": str(recipient.id), "fallback": fallback, "received_at": to_rfc3339(now)}
    record(
        session,
        clock,
        action="threat_notification.received",
        object_type="threat_notification",
        object_id=notification.id,
        actor=actor,
        message_sha256=message.sha256,
        details=details,
    )
    enqueue(
        session,
        clock,
        event="threat_notification.received",
        organisation_ids=[recipient.id],
        order=None,
        emergency=True,
        details={"notification": str(notification.id), **details},
    )
    return notification

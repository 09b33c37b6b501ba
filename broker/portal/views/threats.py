"""Notifications of suspected threats to life or safety (Regulation (EU) 2022/2065, Art. 18) in the portal.

A provider's legal officer notifies an authority (/threat-notifications/new), in three requests on one
address as the order page's signed actions (views/actions.py): the questions and the key to sign with; then
the body read and checked (broker/portal/threat_form.py) with the recipient checked against Art. 18(1)-(2)
(`threats.recipient_for`), and "check and sign": the envelope's canonical JSON and signing input, signed in
the browser (static/signing.js) or elsewhere and pasted; then the JWS verified and recorded by
`record_threat_notification`, the operation behind POST /api/v1/threat-notifications. A refusal is told on
the signing page and nothing is kept.

The notification's page (/threat-notifications/<id>) shows what the provider said, when, the States
concerned and the orders that answer it; the recipient authority's caseworkers answer it from there with an
emergency EPOC (views/drafting.py, /drafts/new?threat_notification=<id>). The list shows a provider the
notifications it sent, an authority those sent to it, each with whether an order answers it.

Only the recipient authority (its auditors reading) and the provider that sent it see a notification: to
anyone else it is "Page not found", as a notification that does not exist.
"""

import uuid
from datetime import datetime

from flask import Response
from flask import request

from broker import problems
from broker.access import require_kind
from broker.clock import to_rfc3339
from broker.orders import operations
from broker.orders import threats
from broker.orders.inbound import VerifiedMessage
from broker.orders.inbound import verify_inbound
from broker.parties import queries as party_queries
from broker.parties.models import Organisation
from broker.parties.models import SigningKey
from broker.portal import bp
from broker.portal import signing
from broker.portal import signing_form
from broker.portal import threat_form
from broker.portal.forms import Form
from broker.portal.i18n import N_
from broker.portal.i18n import gettext as _
from broker.portal.page import Refused
from broker.portal.page import Visit
from broker.portal.page import page
from broker.portal.views.actions import REFUSALS
from broker.portal.views.actions import REFUSED
from broker.vocabulary import MessageType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role
from broker.wire import envelope as wire_envelope

LISTED = 100  # the newest notifications a list shows
NOTIFY_REFUSALS = {
    **REFUSALS,
    problems.WrongRecipient.slug: N_(
        "This authority may not receive this notification: choose an authority of a Member State concerned"
    ),
}


def readers() -> tuple[OrganisationKind, ...]:
    """Who reads notifications in the portal: the providers that send them, the authorities and Europol they go to."""
    return (OrganisationKind.PROVIDER, *threats.RECIPIENTS)


@bp.get("/threat-notifications")
@page()
def threat_notifications(visit: Visit) -> Response:
    """A provider's notifications sent, or an authority's received, unanswered first, newest first."""
    require_kind(visit.actor, readers(), "read threat notifications", writes=False)
    found = list(visit.session.scalars(threats.listing(visit.actor).limit(LISTED)))
    answered_by = threats.answers_to(visit.session, [notification.id for notification in found])
    return visit.render(
        "threats/list.html",
        notifications=[(notification, answered_by[notification.id]) for notification in found],
        provider=visit.actor.kind is OrganisationKind.PROVIDER,
        may_notify=_may_notify(visit),
    )


@bp.get("/threat-notifications/<uuid:notification_id>")
@page()
def threat_notification(visit: Visit, notification_id: uuid.UUID) -> Response:
    """One notification: what the provider said, to whom, when, and the orders that answer it."""
    if visit.actor.kind not in readers():
        raise problems.NotFound(f"no threat notification {notification_id} that you may see")
    found = threats.get(visit.session, visit.actor, notification_id)
    return visit.render(
        "threats/notification.html",
        notification=found,
        body=threats.body_of(found),
        answered_by=threats.answers(visit.session, found.id),
        may_answer=visit.actor.kind is OrganisationKind.ISSUING_AUTHORITY
        and visit.actor.role is not Role.AUDITOR,
        sent=request.args.get("sent") == "yes",
    )


@bp.route("/threat-notifications/new", methods=["GET", "POST"])
@page()
def new_threat_notification(visit: Visit) -> Response:
    """The questions, "check and sign", or sending what was signed (see the module docstring)."""
    require_kind(visit.actor, [OrganisationKind.PROVIDER], "notify threats to life or safety")
    keys = signing_form.usable_keys(visit)
    if request.method == "GET":
        return _questions(visit, Form({"kid": keys[0].kid} if len(keys) == 1 else {}), keys)
    form = Form(request.form)
    if "change" in request.form:
        return _questions(visit, form, keys)
    body = threat_form.read(form, visit.clock())
    recipient = threat_form.known_recipient(visit.session, form)
    key = signing_form.chosen_key(visit, form, keys)
    if not form.valid or key is None or recipient is None:
        return _questions(visit, form, keys, status=422)
    if "jws" not in request.form:
        issued_at, message_id = visit.clock(), uuid.uuid4()
        envelope = _envelope(visit, body, key, recipient, issued_at, message_id)
        try:  # Art. 18(1)-(2) before the person signs; the operation checks the signed message again
            threats.recipient_for(
                visit.session,
                visit.actor.organisation_id,
                VerifiedMessage(jws="", envelope=envelope, key=key, issued_at=issued_at),
            )
        except problems.WrongRecipient as problem:
            form.error("recipient", problem.detail)
            return _questions(visit, form, keys, status=422)
        return _sign_page(visit, form, key, body, recipient, issued_at, message_id)
    issued_at, message_id = signing_form.carried(form)
    jws = form.required("jws", _("Sign the notification, or paste a notification signed elsewhere"))
    if not form.valid:
        return _sign_page(visit, form, key, body, recipient, issued_at, message_id, status=422)
    try:
        message = verify_inbound(visit.session, visit.clock, visit.services.window, visit.actor, jws)
        recorded = operations.record_threat_notification(visit.session, visit.clock, visit.actor, message)
    except problems.Problem as problem:
        form.error("jws", _(NOTIFY_REFUSALS.get(problem.slug, REFUSED)))
        detail, kid, recipient_id = problem.detail, key.kid, recipient.id

        def again(fresh: Visit) -> Response:
            """The signing page again, in a new transaction (the refused one's objects are gone)."""
            return _sign_page(
                fresh,
                form,
                party_queries.signing_keys(fresh.session, {kid})[kid],
                body,
                party_queries.organisation(fresh.session, recipient_id),
                issued_at,
                message_id,
                status=422,
                detail=detail,
            )

        raise Refused(again) from problem
    return visit.redirect("portal.threat_notification", notification_id=recorded.id, sent="yes")


def _may_notify(visit: Visit) -> bool:
    return visit.actor.kind is OrganisationKind.PROVIDER and visit.actor.role is not Role.AUDITOR


def _envelope(
    visit: Visit,
    body: dict[str, object],
    key: SigningKey,
    recipient: Organisation,
    issued_at: datetime,
    message_id: uuid.UUID,
) -> dict[str, object]:
    """The notification's envelope: from the provider to the authority, answering no message."""
    return wire_envelope.new_envelope(
        message_type=MessageType.THREAT_NOTIFICATION.value,
        body=dict(body),
        sender=str(visit.actor.organisation_id),
        kid=key.kid,
        recipient=str(recipient.id),
        issued_at=issued_at,
        message_id=str(message_id),
    )


def _questions(visit: Visit, form: Form, keys: list[SigningKey], *, status: int = 200) -> Response:
    return visit.render(
        "threats/new.html",
        status=status,
        form=form,
        keys=keys,
        key_choices=signing_form.key_choices(keys),
        recipients=threat_form.recipient_choices(visit.session),
        timings=threat_form.timing_choices(),
        organisation_id=visit.actor.organisation_id,
    )


def _sign_page(
    visit: Visit,
    form: Form,
    key: SigningKey,
    body: dict[str, object],
    recipient: Organisation,
    issued_at: datetime,
    message_id: uuid.UUID,
    *,
    status: int = 200,
    detail: str | None = None,
) -> Response:
    unsigned = signing.ready_to_sign(_envelope(visit, body, key, recipient, issued_at, message_id), key)
    carried = threat_form.carried(form)
    carried |= {"kid": key.kid, "issued_at": to_rfc3339(issued_at), "message_id": str(message_id)}
    return visit.render(
        "threats/sign.html",
        status=status,
        form=form,
        key=key,
        answers=threat_form.answers(body, recipient),
        unsigned=unsigned,
        carried=carried,
        detail=detail,
        organisation_id=visit.actor.organisation_id,
    )

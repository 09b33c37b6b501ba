"""Actions on an order: the provider takes delivery, acknowledges; the issuing authority withdraws.

Taking delivery is one button (`steps.receive_order`, the API's POST /orders/{id}/receive): it
signs nothing, and starts the clocks that run from receipt. The others are signed messages.

Each signed message is three requests on one address, every page working without JavaScript except the signing:

1. GET /orders/<id>/<action>: the message's fields and the key to sign with (the organisation's
   usable keys; static/signing.js picks the one this browser holds);
2. POST without a JWS: the fields checked, then "Check and sign": the message as it will be sent,
   its canonical JSON and the signing input (broker/portal/signing.py), signed in the browser or
   elsewhere (an HSM) and pasted as a compact JWS;
3. POST with the JWS: `steps.send_message`, the operation behind POST /api/v1/orders/{id}/messages,
   so the message is verified, applied, logged and notified exactly as one sent through the API.
   A refusal (a forged or tampered signature, a stale message, a state that moved on) rolls
   everything back and is told on the same page, with what to do.

Another organisation's order is "Page not found", as everywhere.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Response
from flask import request

from broker import problems
from broker.access import Actor
from broker.clock import to_rfc3339
from broker.lifecycle import RECEIVE
from broker.lifecycle import allowed
from broker.orders import queries
from broker.orders.models import Order
from broker.orders.sides import side_of
from broker.parties import queries as party_queries
from broker.parties.models import SigningKey
from broker.portal import bp
from broker.portal import signing
from broker.portal.forms import Form
from broker.portal.i18n import N_
from broker.portal.i18n import gettext as _
from broker.portal.i18n import when
from broker.portal.page import Refused
from broker.portal.page import Visit
from broker.portal.page import page
from broker.vocabulary import MessageType
from broker.vocabulary import Role
from broker.workflow.operations import steps


@dataclass(frozen=True)
class Action:
    """One signed message a person can send from the order page."""

    message_type: MessageType
    title: str
    sent: str


ACTIONS = {
    "acknowledge": Action(
        MessageType.ACKNOWLEDGEMENT, N_("Acknowledge the order"), N_("Your signed acknowledgement was sent.")
    ),
    "withdraw": Action(
        MessageType.WITHDRAWAL, N_("Withdraw the order"), N_("Your signed withdrawal was sent.")
    ),
}
# The fields each message's form has besides the key, carried from one step to the next.
FIELDS = {
    MessageType.ACKNOWLEDGEMENT: ("addressee_file_number",),
    MessageType.WITHDRAWAL: ("reason", "delete_received_data"),
}
# Why the broker refused a signed message, in the person's words, by problem type.
REFUSALS = {
    problems.InvalidSignature.slug: N_(
        "The signature does not match the message: it was not made with the key it names, or the message "
        "was changed after it was signed"
    ),
    problems.UnknownKey.slug: N_(
        "The message is signed with a key that is not registered to your organisation"
    ),
    problems.KeyRevoked.slug: N_("The key that signed the message has been revoked"),
    problems.KeyNotValid.slug: N_("The key that signed the message is not valid now"),
    problems.MalformedMessage.slug: N_(
        "This is not a signed message the broker can read: paste the whole compact JWS, three parts "
        "separated by dots"
    ),
    problems.StaleMessage.slug: N_("The message was signed too long ago: prepare it again and sign it"),
    problems.ReplayedMessage.slug: N_("This message has already been sent"),
    problems.TransitionNotAllowed.slug: N_(
        "The order's state no longer allows this message: reload the order"
    ),
    problems.Forbidden.slug: N_("Your organisation or your role may not send this message"),
}
REFUSED = N_("The signed message is not the one prepared on this page")
RECEIVED = N_("You have taken delivery of the order. Its deadlines run from now.")


def notice(done: str) -> str | None:
    """What the order page says after an action (`?done=<action>`), if it names one."""
    if done == "receive":
        return _(RECEIVED)
    return _(ACTIONS[done].sent) if done in ACTIONS else None


def may_receive(order: Order, actor: Actor) -> bool:
    """Whether this person may take delivery of the order now (the provider, once it is issued)."""
    return RECEIVE in _events(order, actor)


@bp.post("/orders/<uuid:order_id>/receive")
@page()
def receive(visit: Visit, order_id: uuid.UUID) -> Response:
    """Take delivery of an issued order: its deadlines start (nothing is signed)."""
    steps.receive_order(visit.session, visit.clock, visit.actor, order_id)
    return visit.redirect("portal.order", order_id=order_id, done="receive")


def available(order: Order, actor: Actor) -> list[tuple[str, str]]:
    """The actions (address part, title) this person may take on the order now, per the lifecycle table."""
    events = _events(order, actor)
    return [
        (slug, _(action.title)) for slug, action in ACTIONS.items() if action.message_type.value in events
    ]


def _events(order: Order, actor: Actor) -> set[str]:
    """What the lifecycle table lets this person's side send now; nothing for auditors and onlookers."""
    if actor.role is Role.AUDITOR:
        return set()
    try:
        side = side_of(actor, order)
    except problems.Forbidden:
        return set()
    return set(allowed(order.order_type, order.state, side))


@bp.route("/orders/<uuid:order_id>/<any(acknowledge, withdraw):slug>", methods=["GET", "POST"])
@page()
def act(visit: Visit, order_id: uuid.UUID, slug: str) -> Response:
    """The action's form, its check-and-sign page, or sending what was signed (see the module docstring)."""
    action = ACTIONS[slug]
    order = _order(visit, order_id, slug)
    keys = _usable_keys(visit)
    if request.method == "GET":
        only = {"kid": keys[0].kid} if len(keys) == 1 else {}
        return _fields_page(visit, order, slug, Form(only), keys)
    form = Form(request.form)
    body, key = _read(form, action, keys)
    if not form.valid or key is None:
        return _fields_page(visit, order, slug, form, keys, status=422)
    if "jws" not in request.form:
        return _sign_page(visit, order, slug, form, key, body, visit.clock(), uuid.uuid4())
    issued_at, message_id = _carried(form)
    jws = form.required("jws", _("Sign the message, or paste a message signed elsewhere"))
    if not form.valid:
        return _sign_page(visit, order, slug, form, key, body, issued_at, message_id, status=422)
    try:
        steps.send_message(
            visit.session,
            visit.clock,
            visit.services.window,
            visit.actor,
            order_id,
            jws,
            only=action.message_type,
        )
    except problems.NotFound:
        raise
    except problems.Problem as problem:
        form.error("jws", _(REFUSALS.get(problem.slug, REFUSED)))
        detail = problem.detail

        kid = key.kid

        def again(fresh: Visit) -> Response:
            """The signing page again, in a new transaction (the refused one's objects are gone)."""
            fresh_order = _order(fresh, order_id, slug)
            return _sign_page(
                fresh,
                fresh_order,
                slug,
                form,
                party_queries.signing_keys(fresh.session, {kid})[kid],
                body,
                issued_at,
                message_id,
                status=422,
                detail=detail,
            )

        raise Refused(again) from problem
    return visit.redirect("portal.order", order_id=order_id, done=slug)


def _order(visit: Visit, order_id: uuid.UUID, slug: str) -> Order:
    """The order, if the person may see it (else not found) and may take this action on it now."""
    order = queries.get_order(visit.session, visit.actor, order_id)
    if slug not in dict(available(order, visit.actor)):
        raise problems.TransitionNotAllowed(
            f"you may not send a {ACTIONS[slug].message_type.value} for this order now",
            state=order.state.value,
        )
    return order


def _usable_keys(visit: Visit) -> list[SigningKey]:
    organisation = party_queries.organisation(visit.session, visit.actor.organisation_id)
    now = visit.clock()
    return sorted((key for key in organisation.keys if key.is_usable_at(now)), key=lambda key: key.created_at)


def _read(form: Form, action: Action, keys: list[SigningKey]) -> tuple[dict[str, Any], SigningKey | None]:
    """The message's body and the chosen key from the form; errors recorded on the form."""
    body: dict[str, Any] = {}
    if action.message_type is MessageType.ACKNOWLEDGEMENT:
        number = form.raw("addressee_file_number").strip()
        if len(number) > 100:
            form.error("addressee_file_number", _("Your file number must be 100 characters or fewer"))
        if number:
            body["addressee_file_number"] = number
    else:
        reason = form.required("reason", _("Enter why the order is withdrawn"))
        if len(reason) > 4000:
            form.error("reason", _("The reason must be 4,000 characters or fewer"))
        delete = form.raw("delete_received_data")
        if delete not in ("yes", "no"):
            form.error("delete_received_data", _("Select whether data already received must be deleted"))
        body = {"reason": reason, "delete_received_data": delete == "yes"}
    kid = form.raw("kid")
    key = next((key for key in keys if key.kid == kid), None)
    if key is None:
        form.error("kid", _("Select the key to sign with"))
    return body, key


def _carried(form: Form) -> tuple[datetime, uuid.UUID]:
    """The prepared envelope's time and id, carried by the signing page; a form altered by hand is refused."""
    altered = "the signing page's form was altered"
    try:
        issued_at = datetime.fromisoformat(form.raw("issued_at").replace("Z", "+00:00"))
        message_id = uuid.UUID(form.raw("message_id"))
    except ValueError as error:
        raise problems.ValidationFailed(altered, errors={"form": [altered]}) from error
    if issued_at.tzinfo is None:
        raise problems.ValidationFailed(altered, errors={"issued_at": ["a time with its offset from UTC"]})
    return issued_at, message_id


def _fields_page(
    visit: Visit, order: Order, slug: str, form: Form, keys: list[SigningKey], *, status: int = 200
) -> Response:
    choices = [
        (key.kid, key.kid, _("%(alg)s, registered on %(date)s", alg=key.alg, date=when(key.created_at)))
        for key in keys
    ]
    return visit.render(
        "actions/fields.html",
        status=status,
        order=order,
        slug=slug,
        action=ACTIONS[slug],
        form=form,
        keys=keys,
        key_choices=choices,
        organisation_id=visit.actor.organisation_id,
    )


def _sign_page(
    visit: Visit,
    order: Order,
    slug: str,
    form: Form,
    key: SigningKey,
    body: dict[str, Any],
    issued_at: datetime,
    message_id: uuid.UUID,
    *,
    status: int = 200,
    detail: str | None = None,
) -> Response:
    action = ACTIONS[slug]
    unsigned = signing.prepare(
        order, visit.actor, action.message_type.value, body, key, issued_at=issued_at, message_id=message_id
    )
    carried = {name: form.value(name) for name in FIELDS[action.message_type]}
    carried |= {"kid": key.kid, "issued_at": to_rfc3339(issued_at), "message_id": str(message_id)}
    names = {str(party.id): party.name for party in (order.issuing_authority, order.provider)}
    return visit.render(
        "actions/sign.html",
        status=status,
        order=order,
        slug=slug,
        action=action,
        form=form,
        key=key,
        body=body,
        unsigned=unsigned,
        recipient=names.get(unsigned.envelope["recipient"]["organisation"], ""),
        carried=carried,
        detail=detail,
        organisation_id=visit.actor.organisation_id,
    )

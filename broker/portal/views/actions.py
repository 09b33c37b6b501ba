"""Actions on an order: the provider takes delivery; every side sends the signed messages the lifecycle allows it.

Taking delivery is one button (`steps.receive_order`, the API's POST /orders/{id}/receive): it
signs nothing, and starts the clocks that run from receipt. On an order that an authority serves
(broker.legal.routes: the requested Party's, its 24/7 point of contact, the UK's designated authority)
that authority takes delivery first and then serves it, one more button (`serving.serve_order`, the
API's POST /orders/{id}/serve): its own act under its law, so nothing is signed. The others are signed messages, one
form per message type (broker/portal/message_specs.py), offered when broker.lifecycle lets the
person's side send it in the order's state.

Each signed message is three requests on one address, every page working without JavaScript except the signing:

1. GET /orders/<id>/<action>: the message's questions and the key to sign with (the organisation's
   usable keys; static/signing.js picks the one this browser holds);
2. POST without a JWS: the answers read into the wire body and checked (broker/portal/message_forms.py),
   then "Check and sign": the answers as they will be sent, the canonical JSON and the signing input
   (broker/portal/signing.py), signed in the browser or elsewhere (an HSM) and pasted as a compact
   JWS; "Change your answers" posts them back to the questions;
3. POST with the JWS: `steps.send_message`, the operation behind POST /api/v1/orders/{id}/messages,
   so the message is verified, applied, logged and notified exactly as one sent through the API.
   A refusal (a forged or tampered signature, a stale message, a state that moved on) rolls
   everything back and is told on the same page, with what to do.

Another organisation's order is "Page not found", as everywhere.
"""

import uuid
from datetime import datetime
from typing import Any

from flask import Response
from flask import request

from broker import problems
from broker.access import Actor
from broker.clock import to_rfc3339
from broker.lifecycle import RECEIVE
from broker.lifecycle import SERVE
from broker.lifecycle import allowed
from broker.orders import queries
from broker.orders.models import Order
from broker.orders.sides import side_of
from broker.parties import queries as party_queries
from broker.parties.models import SigningKey
from broker.portal import bp
from broker.portal import message_forms
from broker.portal import signing
from broker.portal import signing_form
from broker.portal.forms import Form
from broker.portal.i18n import N_
from broker.portal.i18n import gettext as _
from broker.portal.message_fields import Kind
from broker.portal.message_fields import Spec
from broker.portal.message_specs import SPECS
from broker.portal.page import Refused
from broker.portal.page import Visit
from broker.portal.page import page
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role
from broker.workflow import routing
from broker.workflow.operations import serving
from broker.workflow.operations import steps

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
    problems.ValidationFailed.slug: N_(
        "The broker does not accept this message as it is: change your answers as the details below say"
    ),
    problems.TransferHeld.slug: N_(
        "The data may not be transferred yet: the enforcing authority may still object (Art. 12(1))"
    ),
}
REFUSED = N_("The signed message is not the one prepared on this page")
RECEIVED = N_("You have taken delivery of the order. Its deadlines run from now.")
SERVED = N_("You have served the order on the provider, which can now see it and take delivery.")
ISSUED = N_("You signed and issued the order.")


def notice(done: str) -> str | None:
    """What the order page says after an action (`?done=<action>`), if it names one."""
    if done == "receive":
        return _(RECEIVED)
    if done == "serve":
        return _(SERVED)
    if done == "issue":
        return _(ISSUED)
    return _(SPECS[done].sent) if done in SPECS else None


def may_receive(order: Order, actor: Actor) -> bool:
    """Whether this person may take delivery of the order now (the provider, once it is issued)."""
    return RECEIVE in _events(order, actor)


@bp.post("/orders/<uuid:order_id>/receive")
@page()
def receive(visit: Visit, order_id: uuid.UUID) -> Response:
    """Take delivery of an issued order: its deadlines start (nothing is signed)."""
    steps.receive_order(visit.session, visit.clock, visit.actor, order_id)
    return visit.redirect("portal.order", order_id=order_id, done="receive")


def may_serve(order: Order, actor: Actor) -> bool:
    """Whether this person's authority may serve the order on the provider now (its route's authority,
    once it has taken delivery)."""
    return SERVE in _events(order, actor)


@bp.post("/orders/<uuid:order_id>/serve")
@page()
def serve(visit: Visit, order_id: uuid.UUID) -> Response:
    """Serve an order the authority took delivery of on the provider: the provider's clocks that run
    from service start, and the provider sees the order (nothing is signed)."""
    serving.serve_order(visit.session, visit.clock, visit.actor, order_id)
    return visit.redirect("portal.order", order_id=order_id, done="serve")


def available(order: Order, actor: Actor) -> list[tuple[str, str]]:
    """The actions (address part, title) this person may take on the order now, per the lifecycle table."""
    events = _events(order, actor)
    return [(slug, _(spec.title)) for slug, spec in SPECS.items() if spec.message_type.value in events]


def _events(order: Order, actor: Actor) -> set[str]:
    """What the lifecycle table lets this person's side send now; nothing for auditors and onlookers."""
    if actor.role is Role.AUDITOR:
        return set()
    try:
        side = side_of(actor, order)
    except problems.Forbidden:
        return set()
    return set(allowed(order.order_type, order.state, side, routing.via(order)))


SLUGS = ", ".join(f'"{slug}"' for slug in SPECS)  # quoted: werkzeug's converter arguments


@bp.route(f"/orders/<uuid:order_id>/<any({SLUGS}):slug>", methods=["GET", "POST"])
@page()
def act(visit: Visit, order_id: uuid.UUID, slug: str) -> Response:
    """The action's form, its check-and-sign page, or sending what was signed (see the module docstring)."""
    spec = SPECS[slug]
    order = _order(visit, order_id, slug)
    keys = signing_form.usable_keys(visit)
    context = _context(visit, order, spec)
    if request.method == "GET":
        only = {"kid": keys[0].kid} if len(keys) == 1 else {}
        return _fields_page(
            visit, spec, context, Form(message_forms.prefilled(spec, visit.clock()) | only), keys
        )
    form = Form(request.form)
    if "change" in request.form:
        return _fields_page(visit, spec, context, form, keys)
    body = message_forms.read(spec, form, context)
    key = signing_form.chosen_key(visit, form, keys)
    if not form.valid or key is None:
        return _fields_page(visit, spec, context, form, keys, status=422)
    if "jws" not in request.form:
        return _sign_page(visit, spec, context, form, key, body, visit.clock(), uuid.uuid4())
    issued_at, message_id = signing_form.carried(form)
    jws = form.required("jws", _("Sign the message, or paste a message signed elsewhere"))
    if not form.valid:
        return _sign_page(visit, spec, context, form, key, body, issued_at, message_id, status=422)
    try:
        steps.send_message(
            visit.session,
            visit.clock,
            visit.services.window,
            visit.actor,
            order_id,
            jws,
            only=spec.message_type,
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
                spec,
                _context(fresh, fresh_order, spec),
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
            f"you may not send a {SPECS[slug].message_type.value} for this order now",
            state=order.state.value,
        )
    return order


def _context(visit: Visit, order: Order, spec: Spec) -> message_forms.Context:
    """What the form's choices come from; the authorities only for a form that names one."""
    authorities = {}
    if any(field.kind is Kind.AUTHORITY for field in spec.fields):
        found = visit.session.scalars(
            party_queries.organisations(OrganisationKind.ISSUING_AUTHORITY, order.issuing_authority.country)
        )
        authorities = {str(organisation.id): organisation for organisation in found}
    return message_forms.Context(order, side_of(visit.actor, order), authorities)


def _fields_page(
    visit: Visit,
    spec: Spec,
    context: message_forms.Context,
    form: Form,
    keys: list[SigningKey],
    *,
    status: int = 200,
) -> Response:
    return visit.render(
        "actions/fields.html",
        status=status,
        order=context.order,
        spec=spec,
        questions=message_forms.questions(spec, context),
        form=form,
        keys=keys,
        key_choices=signing_form.key_choices(keys),
        organisation_id=visit.actor.organisation_id,
    )


def _sign_page(
    visit: Visit,
    spec: Spec,
    context: message_forms.Context,
    form: Form,
    key: SigningKey,
    body: dict[str, Any],
    issued_at: datetime,
    message_id: uuid.UUID,
    *,
    status: int = 200,
    detail: str | None = None,
) -> Response:
    order = context.order
    recipient = steps.recipient_of(visit.session, order, context.side, spec.message_type)
    unsigned = signing.prepare(
        order,
        visit.actor,
        spec.message_type.value,
        body,
        key,
        issued_at=issued_at,
        message_id=message_id,
        recipient=recipient,
    )
    carried = message_forms.carried(spec, form)
    carried |= {"kid": key.kid, "issued_at": to_rfc3339(issued_at), "message_id": str(message_id)}
    return visit.render(
        "actions/sign.html",
        status=status,
        order=order,
        spec=spec,
        form=form,
        key=key,
        answers=message_forms.answers(spec, body, context),
        unsigned=unsigned,
        recipient=party_queries.organisation(visit.session, recipient).name,
        carried=carried,
        detail=detail,
        organisation_id=visit.actor.organisation_id,
    )

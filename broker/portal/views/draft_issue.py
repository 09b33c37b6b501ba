"""Issuing a stored draft: the caseworker signs the certificate and the broker issues it.

Three requests on one address, as the order page's signed actions (views/actions.py):

1. GET /drafts/<id>/issue: the key to sign with (the organisation's usable keys; static/signing.js
   picks the one this browser holds);
2. POST without a JWS: the certificate as it will be sent, its canonical JSON and the JWS signing
   input, signed in the browser or elsewhere and pasted;
3. POST with the JWS: `issuing.issue_order`, the operation behind POST /api/v1/orders/{id}/issue,
   so the signed certificate is verified, checked against its instrument, notified and clocked
   exactly as one issued through the API. A refusal rolls everything back and is told on the
   signing page; the stored draft is untouched.
"""

import uuid
from datetime import datetime

from flask import Response
from flask import request

from broker import problems
from broker.access import require_kind
from broker.clock import to_rfc3339
from broker.orders import operations
from broker.orders import queries
from broker.orders.models import Order
from broker.parties import queries as party_queries
from broker.parties.models import SigningKey
from broker.portal import bp
from broker.portal import signing
from broker.portal import signing_form
from broker.portal.forms import Form
from broker.portal.i18n import N_
from broker.portal.i18n import gettext as _
from broker.portal.page import Refused
from broker.portal.page import Visit
from broker.portal.page import page
from broker.portal.signing import Unsigned
from broker.portal.views.actions import REFUSALS
from broker.portal.views.actions import REFUSED
from broker.vocabulary import OrderState
from broker.vocabulary import OrganisationKind
from broker.wire import envelope as wire_envelope
from broker.workflow.operations import issuing

ISSUE_REFUSALS = {
    **REFUSALS,
    problems.CertificateMismatch.slug: N_(
        "The signed certificate is not the stored draft: sign the certificate shown on this page"
    ),
    problems.LegalCheckFailed.slug: N_(
        "The draft breaks a rule that blocks issuing: change the draft as the legal checks say"
    ),
    problems.InvalidReference.slug: N_(
        "No enforcing authority is registered for the State to notify (Art. 8): ask the broker's operator"
    ),
}


@bp.route("/drafts/<uuid:order_id>/issue", methods=["GET", "POST"])
@page()
def issue(visit: Visit, order_id: uuid.UUID) -> Response:
    """The key to sign with, the certificate to sign, or issuing what was signed."""
    order = _draft(visit, order_id)
    keys = signing_form.usable_keys(visit)
    if request.method == "GET":
        return _keys_page(visit, order, Form({"kid": keys[0].kid} if len(keys) == 1 else {}), keys)
    form = Form(request.form)
    key = signing_form.chosen_key(visit, form, keys)
    if key is None:
        return _keys_page(visit, order, form, keys, status=422)
    if "jws" not in request.form:
        return _sign_page(visit, order, form, key, visit.clock(), uuid.uuid4())
    issued_at, message_id = signing_form.carried(form)
    jws = form.required("jws", _("Sign the certificate, or paste a certificate signed elsewhere"))
    if not form.valid:
        return _sign_page(visit, order, form, key, issued_at, message_id, status=422)
    try:
        issuing.issue_order(visit.session, visit.clock, visit.services.window, visit.actor, order_id, jws)
    except problems.NotFound:
        raise
    except problems.Problem as problem:
        form.error("jws", _(ISSUE_REFUSALS.get(problem.slug, REFUSED)))
        detail, kid = problem.detail, key.kid

        def again(fresh: Visit) -> Response:
            """The signing page again, in a new transaction (the refused one's objects are gone)."""
            signer = party_queries.signing_keys(fresh.session, {kid})[kid]
            return _sign_page(
                fresh, _draft(fresh, order_id), form, signer, issued_at, message_id, status=422, detail=detail
            )

        raise Refused(again) from problem
    return visit.redirect("portal.order", order_id=order_id, done="issue")


def unsigned_certificate(
    order: Order, key: SigningKey, *, issued_at: datetime, message_id: uuid.UUID
) -> Unsigned:
    """The envelope of the draft's certificate, from its issuing authority to its provider, to sign."""
    envelope = wire_envelope.new_envelope(
        message_type=order.order_type.value,
        body=order.certificate,
        sender=str(order.issuing_authority_id),
        kid=key.kid,
        recipient=str(order.provider_id),
        issued_at=issued_at,
        message_id=str(message_id),
    )
    return signing.ready_to_sign(envelope, key)


def _draft(visit: Visit, order_id: uuid.UUID) -> Order:
    require_kind(visit.actor, [OrganisationKind.ISSUING_AUTHORITY], "issue orders")
    order = queries.get_order(visit.session, visit.actor, order_id)
    operations.require_state(order, OrderState.DRAFT, "issue")
    return order


def _keys_page(
    visit: Visit, order: Order, form: Form, keys: list[SigningKey], *, status: int = 200
) -> Response:
    return visit.render(
        "drafting/issue.html",
        status=status,
        order=order,
        form=form,
        keys=keys,
        key_choices=signing_form.key_choices(keys),
        organisation_id=visit.actor.organisation_id,
    )


def _sign_page(
    visit: Visit,
    order: Order,
    form: Form,
    key: SigningKey,
    issued_at: datetime,
    message_id: uuid.UUID,
    *,
    status: int = 200,
    detail: str | None = None,
) -> Response:
    unsigned = unsigned_certificate(order, key, issued_at=issued_at, message_id=message_id)
    carried = {"kid": key.kid, "issued_at": to_rfc3339(issued_at), "message_id": str(message_id)}
    return visit.render(
        "drafting/sign.html",
        status=status,
        order=order,
        form=form,
        key=key,
        unsigned=unsigned,
        carried=carried,
        detail=detail,
        organisation_id=visit.actor.organisation_id,
    )

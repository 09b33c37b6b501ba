"""Revoking and replacing (rotating) one of the organisation's signing keys, each on a page of its own.

Both are the registry's operations, as `broker key revoke` and `broker key register` run them, with
the log naming the person: revoking is `parties.operations.revoke_own_key` (entry `key.revoked`),
open to the organisation's administrators and to the person who holds the key, who must be able to
stop a key they lost at once without waiting for anyone; replacing is `replace_own_key`, for
administrators only since it registers a key (`key.registered`, then `key.revoked` of the old one).

Each page says what will happen before it is done (GOV.UK's confirmation pattern): a revoked key
signs nothing from that moment, and revoking cannot be undone.
"""

from collections.abc import Callable

from flask import Response
from flask import request

from broker import problems
from broker.access import Actor
from broker.parties import operations as party_operations
from broker.parties.models import SigningKey
from broker.portal import bp
from broker.portal.forms import Form
from broker.portal.i18n import gettext as _
from broker.portal.page import Refused
from broker.portal.page import Visit
from broker.portal.page import page
from broker.portal.views.keys import not_a_key
from broker.portal.views.keys import parse_jwk


@bp.route("/account/signing-keys/<kid>/revoke", methods=["GET", "POST"])
@page()
def revoke_key(visit: Visit, kid: str) -> Response:
    """Confirm, with a reason, that a key of the organisation is revoked."""
    key = _changeable(visit, kid, party_operations.may_revoke, "administrators, or the key's holder,")
    if request.method == "GET":
        return _render_revoke(visit, key, Form())
    form = Form(request.form)
    reason = form.required("reason", _("Say why the key is revoked"))
    if len(reason) > party_operations.REASON_LIMIT:
        form.error(
            "reason", _("Say why in %(limit)d characters or fewer", limit=party_operations.REASON_LIMIT)
        )
    if not form.valid:
        return _render_revoke(visit, key, form, status=422)
    party_operations.revoke_own_key(visit.session, visit.clock, visit.actor, kid, reason)
    return visit.redirect("portal.signing_keys", revoked=kid)


@bp.route("/account/signing-keys/<kid>/replace", methods=["GET", "POST"])
@page()
def replace_key(visit: Visit, kid: str) -> Response:
    """Register a new public key in place of a key of the organisation, which is revoked at once."""
    key = _changeable(visit, kid, _administers, "administrators")
    if request.method == "GET":
        return _render_replace(visit, key, Form())
    form = Form(request.form)
    text = form.required("jwk", _("Enter the new public key, as JSON"))
    jwk = parse_jwk(text)
    if text and jwk is None:
        form.error("jwk", _("Enter the public key as a JSON object (a JWK)"))
    if not form.valid or jwk is None:
        return _render_replace(visit, key, form, status=422)
    try:
        new = party_operations.replace_own_key(visit.session, visit.clock, visit.actor, kid, jwk)
    except problems.Conflict as error:
        message = _("This key is already registered")
        raise Refused(lambda again: _replace_refused(again, kid, form, message)) from error
    except problems.ValidationFailed as error:
        if "holder" in error.extensions.get("errors", {}):
            message = _("The person who holds this key can no longer sign for your organisation: revoke it")
        else:
            message = not_a_key()
        raise Refused(lambda again: _replace_refused(again, kid, form, message)) from error
    return visit.redirect("portal.signing_keys", registered=new.kid, revoked=kid)


def _key(visit: Visit, kid: str) -> SigningKey:
    return party_operations.own_key(visit.session, visit.actor, kid)


def _administers(actor: Actor, key: SigningKey) -> bool:
    """Whether `actor` may replace `key`: replacing registers a key, which only administrators do."""
    return actor.role in party_operations.KEY_MANAGERS


def _changeable(visit: Visit, kid: str, allowed: Callable[[Actor, SigningKey], bool], who: str) -> SigningKey:
    """The organisation's unrevoked key `kid`, if `allowed` lets the person change it; a refusal otherwise."""
    key = _key(visit, kid)
    if not allowed(visit.actor, key):
        raise problems.Forbidden(f"only your organisation's {who} may do this to its key {kid}")
    if key.revoked_at is not None:
        raise problems.Conflict(f"the key {kid} is already revoked")
    return key


def _replace_refused(visit: Visit, kid: str, form: Form, message: str) -> Response:
    form.error("jwk", message)
    return _render_replace(visit, _key(visit, kid), form, status=422)


def _render_revoke(visit: Visit, key: SigningKey, form: Form, *, status: int = 200) -> Response:
    return visit.render("keys/revoke.html", key=key, form=form, status=status)


def _render_replace(visit: Visit, key: SigningKey, form: Form, *, status: int = 200) -> Response:
    return visit.render("keys/replace.html", key=key, form=form, status=status)

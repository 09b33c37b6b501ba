"""The organisation's signing keys: the list, this browser's key, and registering a public key.

A person makes a key pair in their browser (static/signing.js: ES256, the private key
non-extractable in IndexedDB) and its public JWK is registered to the organisation with
`broker.parties.operations.register_key`, the operation behind `broker key register`; its audit
entry is `key.registered`. The API lets no one register a key: only the operator, from the command
line. The portal lets an organisation's administrators do it for their own organisation, and only
them: anyone else is told to ask their administrator, and given the public key to hand over.
"""

import json
from typing import Any

from flask import Response
from flask import request

from broker import problems
from broker.parties import operations as party_operations
from broker.parties import queries as party_queries
from broker.portal import bp
from broker.portal.forms import Form
from broker.portal.i18n import gettext as _
from broker.portal.page import Refused
from broker.portal.page import Visit
from broker.portal.page import page

NOTICE = "registered"


def may_register(visit: Visit) -> bool:
    """Whether to offer the form; the operation itself refuses anyone else (parties.operations)."""
    return visit.actor.role in party_operations.KEY_MANAGERS


@bp.route("/account/signing-keys", methods=["GET", "POST"])
@page()
def signing_keys(visit: Visit) -> Response:
    """The organisation's keys; an administrator registers a public JWK (made in this browser or elsewhere)."""
    if request.method == "GET":
        return _render(visit, Form(), registered=request.args.get(NOTICE))
    form = Form(request.form)
    text = form.required("jwk", _("Enter the public key, as JSON"))
    jwk = _parse(text)
    if text and jwk is None:
        form.error("jwk", _("Enter the public key as a JSON object (a JWK)"))
    if not form.valid or jwk is None:
        return _render(visit, form, status=422)
    try:
        key = party_operations.register_own_key(visit.session, visit.clock, visit.actor, jwk)
    except problems.Conflict as error:
        raise Refused(lambda again: _refused(again, form, _("This key is already registered"))) from error
    except problems.ValidationFailed as error:
        message = _(
            "This is not a public signing key the broker accepts (Ed25519 or P-256, public members only)"
        )
        raise Refused(lambda again: _refused(again, form, message)) from error
    return visit.redirect("portal.signing_keys", **{NOTICE: key.kid})


def _parse(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _refused(visit: Visit, form: Form, message: str) -> Response:
    form.error("jwk", message)
    return _render(visit, form, status=422)


def _render(visit: Visit, form: Form, *, status: int = 200, registered: str | None = None) -> Response:
    organisation = party_queries.organisation(visit.session, visit.actor.organisation_id)
    keys = sorted(organisation.keys, key=lambda key: key.created_at, reverse=True)
    return visit.render(
        "keys/keys.html",
        form=form,
        status=status,
        organisation=organisation,
        keys=keys,
        may_register=may_register(visit),
        registered=registered if any(key.kid == registered for key in keys) else None,
    )

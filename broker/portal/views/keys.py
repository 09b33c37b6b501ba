"""The organisation's signing keys: the list with who holds each, this browser's key, and registering one.

A person makes a key pair in their browser (static/signing.js: Ed25519 where the browser has it,
else ES256; the private key non-extractable in IndexedDB) and its public JWK is registered to the organisation with
`broker.parties.operations.register_own_key`, the operation behind `broker key register`; its audit
entry is `key.registered`. The API lets no one register a key: only the operator, from the command
line. The portal lets an organisation's administrators do it for their own organisation, and only
them: anyone else is told to ask their administrator, and given the public key to hand over.

The administrator also says who holds the key: one of the organisation's people whose account is
not disabled (themselves, by default: the usual case is their own browser's key), or no one, for a
key held by an HSM or another system. The administrator picks rather than the person asking for
their key, because that is where the trust already lies: whoever may register the organisation's
keys can make any key sign for it, and a request sent from the person's session would prove only
that they sent a public key, which anyone can copy from the API's key listing. What keeps the
choice honest is that it is answerable: the log's `key.registered` entry names both the
administrator and the person, and every member of the organisation sees on this page whose name
each key carries, so a person finds at once a key registered in their name that is not theirs.
Revoking and replacing a key are pages of their own (key_changes.py).
"""

import json
import uuid
from typing import Any

from flask import Response
from flask import request

from broker import problems
from broker.parties import operations as party_operations
from broker.parties import queries as party_queries
from broker.parties.models import User
from broker.portal import bp
from broker.portal.forms import Form
from broker.portal.i18n import gettext as _
from broker.portal.page import Refused
from broker.portal.page import Visit
from broker.portal.page import page

NOTICE = "registered"
REVOKED = "revoked"  # the notice of a key revoked (alone, or replaced by the registered one)
NO_ONE = "none"  # the holder field's value for a key no person holds (an HSM, another system)


def may_register(visit: Visit) -> bool:
    """Whether to offer the form; the operation itself refuses anyone else (parties.operations)."""
    return visit.actor.role in party_operations.KEY_MANAGERS


@bp.route("/account/signing-keys", methods=["GET", "POST"])
@page()
def signing_keys(visit: Visit) -> Response:
    """The organisation's keys; an administrator registers a public JWK (made in this browser or elsewhere)."""
    if request.method == "GET":
        form = Form({"holder": str(visit.actor.user_id)})
        return _render(visit, form, registered=request.args.get(NOTICE), revoked=request.args.get(REVOKED))
    if not may_register(visit):
        raise problems.Forbidden("only your organisation's administrators may register its signing keys")
    form = Form(request.form)
    text = form.required("jwk", _("Enter the public key, as JSON"))
    jwk = parse_jwk(text)
    if text and jwk is None:
        form.error("jwk", _("Enter the public key as a JSON object (a JWK)"))
    holder = _holder(form, party_queries.key_holders(visit.session, visit.actor.organisation_id))
    if not form.valid or jwk is None:
        return _render(visit, form, status=422)
    holder_id = None if holder == NO_ONE else uuid.UUID(holder)
    try:
        key = party_operations.register_own_key(visit.session, visit.clock, visit.actor, jwk, holder_id)
    except problems.Conflict as error:
        raise Refused(
            lambda again: _refused(again, form, "jwk", _("This key is already registered"))
        ) from error
    except problems.ValidationFailed as error:
        if "holder" in error.extensions.get("errors", {}):
            message, field = _("Choose one of the people listed, or no one"), "holder"
        else:
            message, field = not_a_key(), "jwk"
        raise Refused(lambda again: _refused(again, form, field, message)) from error
    return visit.redirect("portal.signing_keys", **{NOTICE: key.kid})


def _holder(form: Form, people: list[User]) -> str:
    """The posted holder: a listed person's id or NO_ONE; an error on the form otherwise."""
    holder = form.required("holder", _("Choose who holds the key"))
    if holder and holder not in {NO_ONE, *(str(person.id) for person in people)}:
        form.error("holder", _("Choose one of the people listed, or no one"))
    return holder


def not_a_key() -> str:
    """The error for a JWK the registry refuses (another key type, private members)."""
    return _("This is not a public signing key the broker accepts (Ed25519 or P-256, public members only)")


def parse_jwk(text: str) -> dict[str, Any] | None:
    """The posted JSON object, or None if it is not one (what it holds is the registry's to check)."""
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _refused(visit: Visit, form: Form, field: str, message: str) -> Response:
    form.error(field, message)
    return _render(visit, form, status=422)


def _render(
    visit: Visit,
    form: Form,
    *,
    status: int = 200,
    registered: str | None = None,
    revoked: str | None = None,
) -> Response:
    organisation = party_queries.organisation(visit.session, visit.actor.organisation_id)
    keys = party_queries.organisation_keys(visit.session, organisation.id)
    people = party_queries.key_holders(visit.session, organisation.id) if may_register(visit) else []
    return visit.render(
        "keys/keys.html",
        form=form,
        status=status,
        organisation=organisation,
        keys=keys,
        holders=[(str(person.id), f"{person.name} ({person.email})", None) for person in people]
        + [(NO_ONE, _("No one"), _("A hardware security module or another system holds it"))],
        may_register=may_register(visit),
        registered=registered if any(key.kid == registered for key in keys) else None,
        revoked=revoked if any(key.kid == revoked and key.revoked_at for key in keys) else None,
        may_revoke=lambda key: party_operations.may_revoke(visit.actor, key),
    )

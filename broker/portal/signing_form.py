"""What every signing page in the portal reads from its form and offers in it, shared by the order's
actions (views/actions.py) and issuing a draft (views/draft_issue.py).

A signing page carries the prepared envelope's time and id from one request to the next, and lets the
person choose one of the organisation's keys usable now; the signature made with it is then verified by
the broker exactly as an API message, so nothing carried here is trusted beyond its shape.
"""

import uuid
from datetime import datetime

from broker import problems
from broker.parties import queries as party_queries
from broker.parties.models import SigningKey
from broker.portal.forms import Form
from broker.portal.i18n import gettext as _
from broker.portal.i18n import when
from broker.portal.page import Visit


def usable_keys(visit: Visit) -> list[SigningKey]:
    """The person's organisation's keys usable now, oldest first."""
    organisation = party_queries.organisation(visit.session, visit.actor.organisation_id)
    now = visit.clock()
    return sorted((key for key in organisation.keys if key.is_usable_at(now)), key=lambda key: key.created_at)


def chosen_key(visit: Visit, form: Form, keys: list[SigningKey]) -> SigningKey | None:
    """The key chosen on the form, if it is one of `keys`; otherwise an error on the form.

    A key of the organisation revoked since the page was prepared is named as revoked, so the person
    knows to choose another rather than wonder why their choice was lost.
    """
    kid = form.raw("kid")
    key = next((key for key in keys if key.kid == kid), None)
    if key is not None:
        return key
    known = party_queries.signing_keys(visit.session, {kid}).get(kid) if kid else None
    if known is not None and known.organisation_id == visit.actor.organisation_id and known.revoked_at:
        form.error("kid", _("The key %(kid)s has been revoked: select another key to sign with", kid=kid))
    else:
        form.error("kid", _("Select the key to sign with"))
    return None


def key_choices(keys: list[SigningKey]) -> list[tuple[str, str, str]]:
    """The keys as radio choices: value, label and hint."""
    return [
        (key.kid, key.kid, _("%(alg)s, registered on %(date)s", alg=key.alg, date=when(key.created_at)))
        for key in keys
    ]


def carried(form: Form) -> tuple[datetime, uuid.UUID]:
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

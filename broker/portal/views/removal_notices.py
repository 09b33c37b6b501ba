"""The notice of procedures of Regulation (EU) 2021/784, Art. 3(2): the authority's record, in the portal.

Before its first removal order to a hosting service provider that is no emergency, an authority gives
the provider information on its procedures and deadlines, at least 12 hours before (rule TCO-04). The
broker cannot know it was given: the authority records it, as POST /api/v1/removal-notices does, with
the same operation (`record_procedures_notice`: a registered provider, a time not in the future). The
list shows the authority's own notices (`queries.procedures_notices`, as GET /api/v1/removal-notices).

A draft's TCO-04 finding that no notice is recorded links here with the provider chosen and the draft
named (`?provider=…&draft=…`). A notice changes what TCO-04 finds for every removal draft of the
authority to that provider, so once it is recorded those drafts are checked again (`check_order`, the
operation behind POST /api/v1/orders/{id}/check) and the caseworker goes back to the draft named, or
to the list. Issuing authorities' people who may write record; their auditors read.
"""

import uuid
from datetime import UTC
from datetime import datetime

from flask import Response
from flask import request
from flask import url_for

from broker import problems
from broker.access import require_kind
from broker.legal.removal import FIRST_ORDER_NOTICE
from broker.orders import operations
from broker.orders import queries
from broker.parties import queries as party_queries
from broker.parties.models import Organisation
from broker.portal import bp
from broker.portal.forms import Form
from broker.portal.i18n import gettext as _
from broker.portal.page import Refused
from broker.portal.page import Visit
from broker.portal.page import page
from broker.vocabulary import OrderState
from broker.vocabulary import OrderType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role

LISTED = 100  # the newest notices the list shows
MEANS_AT_MOST = 500  # the API's limit (broker/api/schemas/removal.py)
FIELDS = ("provider", "given_at", "means", "draft")


@bp.get("/removal-notices")
@page()
def removal_notices(visit: Visit) -> Response:
    """The authority's notices of procedures, newest first, with when a first order may leave after each."""
    require_kind(
        visit.actor, [OrganisationKind.ISSUING_AUTHORITY], "read notices of procedures", writes=False
    )
    found = list(visit.session.scalars(queries.procedures_notices(visit.actor).limit(LISTED)))
    return visit.render(
        "removal/notices.html",
        notices=[(notice, notice.given_at + FIRST_ORDER_NOTICE) for notice in found],
        may_record=visit.actor.role is not Role.AUDITOR,
        recorded=request.args.get("recorded") == "yes",
    )


@bp.route("/removal-notices/new", methods=["GET", "POST"])
@page()
def new_removal_notice(visit: Visit) -> Response:
    """The form, the provider chosen when a draft links here; posted, the notice recorded (or the form again)."""
    require_kind(visit.actor, [OrganisationKind.ISSUING_AUTHORITY], "record notices of procedures")
    if request.method == "GET":
        return _form(visit, Form({name: request.args.get(name, "") for name in ("provider", "draft")}))
    form = Form({name: request.form.get(name, "") for name in FIELDS})
    provider, given_at, means = _read(visit, form)
    if provider is None or given_at is None or not form.valid:
        return _form(visit, form)
    try:
        operations.record_procedures_notice(
            visit.session, visit.clock, visit.actor, provider.id, given_at, means
        )
    except (problems.InvalidReference, problems.ValidationFailed) as problem:
        field = "provider" if isinstance(problem, problems.InvalidReference) else "given_at"
        form.error(field, problem.detail)
        raise Refused(lambda fresh: _form(fresh, form)) from problem
    drafts = _recheck(visit, provider.id)
    if _uuid(form.raw("draft")) in drafts:
        return visit.redirect("portal.removal_draft_page", order_id=form.raw("draft"), _anchor="findings")
    return visit.redirect("portal.removal_notices", recorded="yes")


def _read(visit: Visit, form: Form) -> tuple[Organisation | None, datetime | None, str]:
    """The provider, the instant and the means posted; each answer to change is an error on the form."""
    chosen = _uuid(form.raw("provider"))
    provider = next((found for found in _providers(visit) if found.id == chosen), None)
    if provider is None:
        form.error("provider", _("Select the hosting service provider you gave the information to"))
    given_at = _instant(form.raw("given_at"))
    if given_at is None:
        form.error("given_at", _("Enter when you gave the information, such as 2026-12-07 09:30"))
    elif given_at > visit.clock():
        form.error("given_at", _("Enter a time that has passed: record a notice once it has been given"))
    means = form.required("means", _("Say how you gave the information"))
    if len(means) > MEANS_AT_MOST:
        form.error("means", _("Say how you gave the information in 500 characters or fewer"))
    return provider, given_at, means


def _recheck(visit: Visit, provider_id: uuid.UUID) -> set[uuid.UUID]:
    """Check the authority's removal drafts to this provider again, as the notice changes TCO-04's finding."""
    drafts = queries.listing(visit.actor, {"state": OrderState.DRAFT, "order_type": OrderType.REMOVAL_ORDER})
    checked = set()
    for draft in visit.session.scalars(drafts):
        if draft.provider_id == provider_id:
            operations.check_order(visit.session, visit.clock, visit.actor, draft.id)
            checked.add(draft.id)
    return checked


def _form(visit: Visit, form: Form) -> Response:
    """The form: the registered providers, when, how; back to the draft it came from, if any."""
    draft = _uuid(form.value("draft"))
    return visit.render(
        "removal/notice_form.html",
        status=422 if form.errors else 200,
        form=form,
        draft=draft,
        back=url_for("portal.removal_draft_page", order_id=draft)
        if draft
        else url_for("portal.removal_notices"),
        providers=[
            ("", _("Select a provider")),
            *((str(found.id), f"{found.name} ({found.country})") for found in _providers(visit)),
        ],
    )


def _providers(visit: Visit) -> list[Organisation]:
    """The registered providers, by name: the operation takes any of them."""
    return list(visit.session.scalars(party_queries.organisations(kind=OrganisationKind.PROVIDER)))


def _instant(value: str) -> datetime | None:
    """A time typed in UTC (a datetime-local input, or with a space), or with its offset."""
    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "T"))
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None

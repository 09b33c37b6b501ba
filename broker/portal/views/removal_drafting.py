"""Drafting a removal order (Regulation (EU) 2021/784) on one page, and changing a stored one.

Annex I is short enough for one page in a few parts (GOV.UK's "question pages" grouped, as a
caseworker reads the Annex): the addressee, the reasons, the exact URLs, redress, emergency and
withholding, the file. The answers go through `broker.portal.removal_draft` into the API's draft body,
which is loaded with the API's `DraftOrderSchema` and stored with the API's own operations
(`create_draft`, `change_draft`: the registry completes the order, the TCO rules check it), so a
draft made here and one POSTed to /api/v1/orders are alike. Saving leads to the stored draft: Annex I
in words, the legal findings with their rule and article, "Change", and the existing sign-and-issue
pages (views/draft_issue.py). A form the broker refuses comes back as typed, each message beside its
field. Only an issuing authority's people who may write draft; another organisation's draft is not
found.
"""

import uuid

from flask import Response
from flask import request
from flask import url_for
from marshmallow import ValidationError

from broker import problems
from broker.api.schemas.orders import DraftOrderSchema
from broker.certificates import OFFICIAL_LANGUAGES
from broker.orders import operations
from broker.orders.models import Order
from broker.parties import queries as party_queries
from broker.portal import bp
from broker.portal import removal_draft
from broker.portal import removal_page
from broker.portal.draft_choices import Choice
from broker.portal.forms import Form
from broker.portal.i18n import gettext as _
from broker.portal.i18n import language_name
from broker.portal.labels import label
from broker.portal.page import Refused
from broker.portal.page import Visit
from broker.portal.page import page
from broker.portal.views.drafting import may_draft
from broker.portal.views.drafting import stored_draft
from broker.vocabulary import OrderType
from broker.vocabulary import TerroristMaterial

ADD_ROW = "add"  # the "Add another URL" button: the page again with an empty row, nothing stored


@bp.route("/drafts/removal/new", methods=["GET", "POST"])
@page()
def new_removal_draft(visit: Visit) -> Response:
    """The removal-order form, empty; posted, the new draft stored (or the form again, with what to fix)."""
    may_draft(visit)
    if request.method == "GET":
        return _form(visit, Form({}), None)
    return _save(visit, None)


@bp.get("/drafts/removal/<uuid:order_id>")
@page()
def removal_draft_page(visit: Visit, order_id: uuid.UUID) -> Response:
    """A stored removal draft: Annex I in words, its legal findings, changing it, signing and issuing it."""
    may_draft(visit)
    order = stored_draft(visit, order_id)
    if order.order_type is not OrderType.REMOVAL_ORDER:
        return visit.redirect("portal.draft", order_id=order_id)
    return visit.render(
        "drafting/removal_draft.html",
        order=order,
        removal=removal_page.of(order, ()),
        checks=order.checks or {},
        saved=request.args.get("saved") == "yes",
    )


@bp.post("/drafts/removal/<uuid:order_id>/check")
@page()
def check_removal_draft(visit: Visit, order_id: uuid.UUID) -> Response:
    """Run the legal checks again on the stored draft: a finding may end with time (TCO-04's twelve hours
    after a notice of procedures) or with the registry, without the draft changing."""
    may_draft(visit)
    order = stored_draft(visit, order_id)
    if order.order_type is not OrderType.REMOVAL_ORDER:
        return visit.redirect("portal.draft", order_id=order_id)
    operations.check_order(visit.session, visit.clock, visit.actor, order.id)
    return visit.redirect("portal.removal_draft_page", order_id=order_id, _anchor="findings")


@bp.route("/drafts/removal/<uuid:order_id>/change", methods=["GET", "POST"])
@page()
def change_removal_draft(visit: Visit, order_id: uuid.UUID) -> Response:
    """The form filled with the stored draft; posted, the draft changed and checked again."""
    may_draft(visit)
    order = stored_draft(visit, order_id)
    if order.order_type is not OrderType.REMOVAL_ORDER:
        return visit.redirect("portal.draft", order_id=order_id)
    if request.method == "GET":
        return _form(visit, Form(removal_draft.answers_of(order.certificate)), order)
    return _save(visit, order)


def _save(visit: Visit, order: Order | None) -> Response:
    """Store the posted answers as the API does, or show the form again as typed, with what to fix."""
    answers = removal_draft.read(request.form)
    if request.form.get("go") == ADD_ROW:
        return _form(visit, Form(answers), order)
    form = Form(answers, errors=removal_draft.check(answers))
    if not form.valid:
        return _form(visit, form, order)
    body = {"order_type": OrderType.REMOVAL_ORDER.value, "certificate": removal_draft.draft_of(answers)}
    try:
        loaded = DraftOrderSchema().load(body)
    except ValidationError as error:
        return _form(visit, Form(answers, errors=removal_draft.errors_of(error.messages)), order)
    order_id = None if order is None else order.id
    try:
        if order_id is None:
            order_id = operations.create_draft(
                visit.session, visit.clock, visit.actor, loaded["order_type"], loaded["certificate"]
            ).id
        else:
            operations.change_draft(visit.session, visit.clock, visit.actor, order_id, loaded["certificate"])
    except (problems.ValidationFailed, problems.InvalidReference) as problem:
        errors = (
            {"addressee": _("Select an addressee that receives removal orders")}
            if isinstance(problem, problems.InvalidReference)
            else removal_draft.errors_of(problem.extensions.get("errors") or {"addressee": [problem.detail]})
        )

        def again(fresh: Visit) -> Response:
            """The form again, in a new transaction (the refused one is rolled back)."""
            stored = None if order_id is None else stored_draft(fresh, order_id)
            return _form(fresh, Form(answers, errors=errors), stored)

        raise Refused(again) from problem
    return visit.redirect("portal.removal_draft_page", order_id=order_id, saved="yes")


def _form(visit: Visit, form: Form, order: Order | None) -> Response:
    """The form: the URLs typed so far and one empty row for another, the addressees from the registry."""
    filled = removal_draft.locations(form.data)
    action = (
        url_for("portal.new_removal_draft")
        if order is None
        else url_for("portal.change_removal_draft", order_id=order.id)
    )
    return visit.render(
        "drafting/removal_form.html",
        status=422 if form.errors else 200,
        form=form,
        order=order,
        action=action,
        rows=min(len(filled) + 1, removal_draft.MAX_LOCATIONS),
        addressees=_addressees(visit),
        materials=[(material.value, label(material), None) for material in TerroristMaterial],
        order_languages=[
            ("", _("Select a language"), None),
            *((code, language_name(code), None) for code in OFFICIAL_LANGUAGES),
        ],
    )


def _addressees(visit: Visit) -> list[Choice]:
    """Where providers receive removal orders: their contact point (Art. 15) or legal representative (Art. 17)."""
    return [
        (
            str(addressee.id),
            f"{addressee.provider.name}: {addressee.name} ({addressee.country})",
            f"{label(addressee.removal_role)}, {addressee.address}",
        )
        for addressee in visit.session.scalars(party_queries.addressees())
        if addressee.removal_role is not None
    ]

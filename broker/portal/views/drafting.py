"""Drafting an order: the guided form, check your answers, the stored draft, signing and issuing.

The caseworker answers one question page at a time (broker/portal/draft_form.py). The answers
travel in the form from page to page; every page shows the legal findings for the answers so far,
computed by the operation behind the API's POST /orders/check (broker/portal/draft_checks.py), and
static/drafting.js refreshes them from POST /drafts/findings while the person types. After the
last page comes "check your answers"; saving stores the draft as the API does (`create_draft`: an
order in state draft, with its checks), so the person can come back to it from /drafts and change
it (`change_draft`). Issuing is signing the certificate in the browser, or pasting a JWS made
elsewhere, then `issuing.issue_order`, the operation behind POST /orders/{id}/issue, so a refusal
is told on the signing page and nothing is lost: the stored draft stays as it was.

Besides its certificate a draft may name the removal order whose preserved content it asks for
(Regulation (EU) 2021/784, Art. 6; asked on the data page) and the threat notification it answers
(Regulation (EU) 2022/2065, Art. 18; carried from the notification's "Answer with an emergency EPOC",
/drafts/new?threat_notification=<id>, which presets an emergency EPOC to the notifying provider). Both
travel as answers; saving hands them to the operation, whose refusal is told on "check your answers".

Only an issuing authority's people who may write draft and issue (`require_kind`, as the API).
"""

import uuid
from typing import Any

from flask import Response
from flask import jsonify
from flask import request
from flask import url_for
from marshmallow import ValidationError

from broker import problems
from broker.access import require_kind
from broker.api.schemas.orders import DraftOrderSchema
from broker.orders import operations
from broker.orders import queries
from broker.orders import threats
from broker.orders.models import Order
from broker.orders.models import ThreatNotification
from broker.parties import queries as party_queries
from broker.portal import bp
from broker.portal import draft_form
from broker.portal import draft_pages
from broker.portal.draft_answers import answers_of
from broker.portal.draft_answers import reference_answers
from broker.portal.draft_checks import Assessment
from broker.portal.draft_checks import assess
from broker.portal.draft_checks import refusals
from broker.portal.draft_choices import choices_for
from broker.portal.draft_choices import summary
from broker.portal.forms import Form
from broker.portal.i18n import gettext as _
from broker.portal.page import Refused
from broker.portal.page import Visit
from broker.portal.page import page
from broker.vocabulary import OrderState
from broker.vocabulary import OrderType
from broker.vocabulary import OrganisationKind

CHECK = "check"
ROW_PREFIXES = ("target_", "ip_")
KNOWN = {field.name for step in draft_pages.STEPS for field in step.fields} | set(draft_form.REFERENCES)


@bp.get("/drafts")
@page()
def drafts(visit: Visit) -> Response:
    """The organisation's drafts, newest first, and a way to start a new one."""
    may_draft(visit)
    found = list(visit.session.scalars(queries.listing(visit.actor, {"state": OrderState.DRAFT}).limit(100)))
    operations.record_listing(visit.session, visit.clock, visit.actor, "portal-drafts", found)
    return visit.render("drafting/drafts.html", drafts=found)


@bp.route("/drafts/new", methods=["GET", "POST"])
@page()
def new_draft(visit: Visit) -> Response:
    """The guided form for a new order: its first page, then each page's answers."""
    may_draft(visit)
    if request.method == "GET":
        answers = _answering(visit, request.args.get("threat_notification", ""))
        return _question(visit, draft_pages.STEPS[0], answers, set(), returning=False, order=None)
    return _answer(visit, None)


def _answering(visit: Visit, notification: str) -> dict[str, str]:
    """The answers an order answering a threat notification starts from (Regulation (EU) 2022/2065, Art. 18):
    an emergency EPOC to the provider that notified, its addressee chosen when it has only one."""
    if not notification:
        return {}
    found = threats.get(visit.session, visit.actor, _notification_id(notification))
    addressees = list(visit.session.scalars(party_queries.addressees(provider=found.provider_id)))
    preset = {
        "order_type": OrderType.EPOC.value,
        "emergency": "yes",
        "threat_notification": str(found.id),
        "provider": str(found.provider_id),
    }
    return preset | ({"addressee": str(addressees[0].id)} if len(addressees) == 1 else {})


def _notification_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise problems.NotFound(f"no threat notification {value!r} that you may see") from error


@bp.route("/drafts/<uuid:order_id>", methods=["GET", "POST"])
@page()
def draft(visit: Visit, order_id: uuid.UUID) -> Response:
    """A stored draft: its answers to check and change, its findings, the way to sign and issue it."""
    may_draft(visit)
    order = stored_draft(visit, order_id)
    if order.order_type is OrderType.REMOVAL_ORDER:
        # The guided pages ask for a certificate: a removal order has a one-page form of its own
        # (views/removal_drafting.py), whose draft page shows it, its findings, changing and issuing it.
        return visit.redirect("portal.removal_draft_page", order_id=order_id)
    if request.method == "POST":
        return _answer(visit, order)
    answers = answers_of(order.order_type, order.certificate)
    answers |= reference_answers(order.removal_order_id, order.threat_notification_id)
    visited = {step.slug for step in draft_form.steps_for(answers)}
    checked = Assessment(report=order.checks)
    return _check(
        visit, answers, visited, order, checked, saved=request.args.get("saved") == "yes", stored=True
    )


@bp.post("/drafts/findings")
@page(expensive=True)
def findings(visit: Visit) -> Response:
    """The legal findings for the answers on the page (JSON, for static/drafting.js); nothing is kept."""
    may_draft(visit)
    step = draft_pages.STEPS_BY_SLUG.get(request.form.get("step", ""))
    answers = _carried(step)
    if step is not None:
        answers |= draft_form.read_step(step, request.form)
    assessment = assess(visit.session, visit.clock, visit.actor, answers)
    visited = _visited() | ({step.slug} if step else set())
    shown = visit.render("drafting/findings.html", assessment=assessment, visited=visited)
    return jsonify({**assessment.to_dict(visited), "html": shown.get_data(as_text=True)})


def _answer(visit: Visit, order: Order | None) -> Response:
    """One page's answers posted: stay, go back, go on, change a page, or save (see the module docstring)."""
    slug = request.form.get("step", "")
    step = draft_pages.STEPS_BY_SLUG.get(slug)
    if step is None and slug != CHECK:
        raise problems.ValidationFailed("the form names no page of the guided form", errors={"step": [slug]})
    answers = _carried(step) | (draft_form.read_step(step, request.form) if step else {})
    visited, go = _visited(), request.form.get("go", "continue")
    returning = request.form.get("returning") == "yes"
    if step is None:
        if go == "save":
            return _save(visit, answers, visited, order)
        return _question(visit, _page(go), answers, visited, returning=True, order=order)
    if go == "stay":
        return _question(visit, step, answers, visited, returning=returning, order=order)
    pages = draft_form.steps_for(answers)
    if go == "back":
        index = _position(pages, step)
        if returning:
            return _check(visit, answers, visited, order)
        return _question(visit, pages[max(index - 1, 0)], answers, visited, returning=False, order=order)
    errors = draft_form.check_step(step, answers)
    if errors:
        return _question(visit, step, answers, visited, returning=returning, order=order, errors=errors)
    visited.add(step.slug)
    following = pages[_position(pages, step) + 1 :]
    unanswered = [page for page in following if page.slug not in visited]
    if (returning and not unanswered) or not following:
        return _check(visit, answers, visited, order)
    return _question(visit, unanswered[0] if returning else following[0], answers, visited, returning, order)


def _save(visit: Visit, answers: dict[str, str], visited: set[str], order: Order | None) -> Response:
    """Store the draft (new or changed) through the API's operations, or say on the page what is missing."""
    assessment = assess(visit.session, visit.clock, visit.actor, answers)
    order_type, certificate = draft_form.draft_of(answers)
    if order is not None and order_type is not order.order_type:
        form = Form(answers, errors={"order_type": _("A stored draft keeps its order: start a new draft")})
        return _check(visit, answers, visited, order, assessment, form=form)
    if not assessment.complete or order_type is None:
        return _check(visit, answers, visited, order, assessment, form=_incomplete(answers, assessment))
    try:
        loaded = DraftOrderSchema().load({"order_type": order_type.value, "certificate": certificate})
    except ValidationError as error:  # assess() loaded the same body: a mismatch is a bug, shown as one
        raise problems.ValidationFailed("the draft cannot be read", errors=error.messages) from error
    references = draft_form.references_of(answers)
    order_id = order.id if order is not None else None
    try:
        if order is None:
            order = operations.create_draft(
                visit.session,
                visit.clock,
                visit.actor,
                loaded["order_type"],
                loaded["certificate"],
                **references,
            )
        else:
            operations.change_draft(
                visit.session, visit.clock, visit.actor, order.id, loaded["certificate"], **references
            )
    except (problems.ValidationFailed, problems.InvalidReference) as problem:
        detail, errors = problem.detail, problem.extensions.get("errors") or {}
        raise Refused(lambda fresh: _refused(fresh, answers, visited, order_id, detail, errors)) from problem
    return visit.redirect("portal.draft", order_id=order.id, saved="yes")


def _refused(
    visit: Visit,
    answers: dict[str, str],
    visited: set[str],
    order_id: uuid.UUID | None,
    detail: str,
    errors: dict[str, Any],
) -> Response:
    """Check your answers again, with why the operation refused what the draft names (a removal order no
    longer preserved, an answer to a threat notification that is no emergency), at the page that says it."""
    order = stored_draft(visit, order_id) if order_id is not None else None
    form = Form(answers)
    for refusal in refusals(errors, answers):
        form.error(f"change_{refusal.step}", detail)
    if not form.errors:
        form.error("change_order", detail)
    return _check(visit, answers, visited, order, form=form)


def _question(
    visit: Visit,
    step: draft_pages.Step,
    answers: dict[str, str],
    visited: set[str],
    returning: bool,
    order: Order | None,
    *,
    errors: dict[str, str] | None = None,
) -> Response:
    pages = draft_form.steps_for(answers)
    assessment = assess(visit.session, visit.clock, visit.actor, answers)
    return visit.render(
        "drafting/question.html",
        status=422 if errors else 200,
        step=step,
        number=_position(pages, step) + 1,
        total=len(pages),
        form=Form(answers, errors=dict(errors or {})),
        choices=choices_for(visit, step, answers),
        carried=_hidden(answers, step),
        target_rows=[*draft_form.rows(answers, "target"), {}],
        ip_rows=[*draft_form.rows(answers, "ip"), {}],
        visited=visited,
        returning=returning,
        order=order,
        assessment=assessment,
        action=_action(order),
    )


def _check(
    visit: Visit,
    answers: dict[str, str],
    visited: set[str],
    order: Order | None,
    assessment: Assessment | None = None,
    *,
    form: Form | None = None,
    saved: bool = False,
    stored: bool = False,
) -> Response:
    """Check your answers: every page's answers with a way to change each, the findings, and saving."""
    assessment = assessment or assess(visit.session, visit.clock, visit.actor, answers)
    pages = draft_form.steps_for(answers)
    return visit.render(
        "drafting/check.html",
        answering=_answered(visit, answers),
        status=422 if form is not None and form.errors else 200,
        sections=[(page, summary(visit, page, answers)) for page in pages],
        form=form or Form(answers),
        carried=_hidden(answers, None),
        visited=visited | {page.slug for page in pages},
        order=order,
        assessment=assessment,
        saved=saved,
        stored=stored,
        action=_action(order),
    )


def _incomplete(answers: dict[str, str], assessment: Assessment) -> Form:
    """An error summary of what is still missing or wrong, each linking to its page's Change button."""
    form = Form(answers)
    for refusal in assessment.refusals:
        form.error(f"change_{refusal.step}", f"{refusal.path}: {refusal.message}")
    if not form.errors:
        form.error("change_order", _("Answer every question before saving the draft"))
    return form


def _answered(visit: Visit, answers: dict[str, str]) -> tuple[ThreatNotification, dict[str, str]] | None:
    """The threat notification the draft answers, with its signed body, if it names one."""
    named = draft_form.references_of(answers)["threat_notification"]
    if named is None:
        return None
    found = threats.get(visit.session, visit.actor, named)
    return found, threats.body_of(found)


def stored_draft(visit: Visit, order_id: uuid.UUID) -> Order:
    """The organisation's draft (another organisation's order is not found, as everywhere)."""
    order = queries.get_order(visit.session, visit.actor, order_id)
    operations.require_state(order, OrderState.DRAFT, "change or issue")
    return order


def may_draft(visit: Visit) -> None:
    """Refuse unless the person drafts for an issuing authority (auditors read, never draft)."""
    require_kind(visit.actor, [OrganisationKind.ISSUING_AUTHORITY], "draft orders")


def _carried(step: draft_pages.Step | None) -> dict[str, str]:
    """The answers the page carries for the other pages (its own inputs are read from the page)."""
    owned = {field.name for field in step.fields} if step else set()
    found: dict[str, str] = {}
    for name, value in request.form.items():
        if name in owned or (step is not None and step.rows and name.startswith(ROW_PREFIXES)):
            continue
        if name in KNOWN or name.startswith(ROW_PREFIXES):
            found[name] = value.replace("\r\n", "\n")
    return found


def _hidden(answers: dict[str, str], step: draft_pages.Step | None) -> dict[str, str]:
    """What the page carries as hidden inputs: every answer but the page's own."""
    owned = {field.name for field in step.fields} if step else set()
    rows = step is not None and step.rows is not None
    return {
        name: value
        for name, value in answers.items()
        if name not in owned and not (rows and name.startswith(ROW_PREFIXES))
    }


def _visited() -> set[str]:
    return {slug for slug in request.form.get("visited", "").split(",") if slug in draft_pages.STEPS_BY_SLUG}


def _page(slug: str) -> draft_pages.Step:
    step = draft_pages.STEPS_BY_SLUG.get(slug.removeprefix("change_"))
    if step is None:
        raise problems.ValidationFailed("the form names no page of the guided form", errors={"go": [slug]})
    return step


def _position(pages: list[draft_pages.Step], step: draft_pages.Step) -> int:
    return next((index for index, page in enumerate(pages) if page.slug == step.slug), 0)


def _action(order: Order | None) -> str:
    """Where the form's pages post: the new draft's address or the stored one's."""
    return url_for("portal.new_draft") if order is None else url_for("portal.draft", order_id=order.id)

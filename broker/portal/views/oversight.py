"""The oversight body's pages: search every order, an order's case file, the signed log, Art. 28 statistics.

All read-only, each built on the call the API's route makes, so each is authorised and logged as
the API's is, and the costly ones (all but the log) count against the API's limit of expensive routes:

- search (GET /orders/search): `queries.listing` as GET /orders, narrowed by the filters of
  broker/portal/search.py, for oversight bodies only; each page is one `orders.listed` entry;
- case file (GET /orders/{id}/case-file, and .json to download the verifiable file):
  `operations.export_case_file` as GET /api/v1/audit/orders/{id}/case-file (oversight only; an
  `order.case_file_exported` entry and a checkpoint signed for it), dumped by the API's schema, then
  proved by the outside verifier's own `verify_case_file` with the broker's published key;
- log (GET /log): the newest checkpoint, as GET /api/v1/audit/checkpoints/latest (every party), and
  the portal's check of it (broker/portal/logcheck.py says what it checks, and what it cannot);
- statistics (GET /statistics): `reports.operations.read_art28` as GET /api/v1/reports/art28
  (oversight bodies any State, an issuing authority its own; a `report.read` entry), as tables and
  SVG charts (broker/portal/statistics.py, broker/portal/charts.py).
"""

import json
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Response
from flask import current_app
from flask import request

from broker import problems
from broker.access import require_kind
from broker.api.schemas.audit import CaseFileSchema
from broker.audit import verify
from broker.orders import operations
from broker.orders import queries
from broker.orders.models import Order
from broker.parties import queries as party_queries
from broker.parties.models import Organisation
from broker.portal import bp
from broker.portal import logcheck
from broker.portal import paging
from broker.portal import search as order_search
from broker.portal import statistics
from broker.portal.forms import Form
from broker.portal.forms import whole_number
from broker.portal.i18n import N_
from broker.portal.i18n import gettext
from broker.portal.i18n import translate
from broker.portal.labels import label
from broker.portal.page import Visit
from broker.portal.page import page
from broker.portal.views.orders import EVENTS
from broker.reports import operations as reports
from broker.reports.period import FIRST_YEAR
from broker.reports.period import LAST_YEAR
from broker.reports.period import check_country
from broker.reports.period import make_period
from broker.vocabulary import MessageType
from broker.vocabulary import OrderState
from broker.vocabulary import OrganisationKind

OVERSIGHT = [OrganisationKind.OVERSIGHT_BODY]
# The case file's instants, shown as dates in the page's language.
MOMENTS = ("created_at", "issued_at", "received_at", "answered_at")


@bp.get("/orders/search")
@page(expensive=True)
def search(visit: Visit) -> Response:
    """Every order, newest first, narrowed by state, parties, period, emergency and missed deadlines."""
    require_kind(visit.actor, OVERSIGHT, "search every order", writes=False)
    issuers = list(visit.session.scalars(party_queries.organisations(OrganisationKind.ISSUING_AUTHORITY)))
    providers = list(visit.session.scalars(party_queries.organisations(OrganisationKind.PROVIDER)))
    filters, form = order_search.read(request.args, {o.id for o in issuers}, {o.id for o in providers})
    context: dict[str, Any] = {"form": form, "choices": _choices(issuers, providers)}
    if not form.valid:
        return visit.render("oversight/search.html", status=400, orders=[], deadlines={}, **context)
    statement = order_search.statement(visit.actor, filters)
    after = paging.decode(request.args.get("cursor"), (datetime, uuid.UUID))
    if after is not None:
        statement = queries.listing_after(statement, (after[0], after[1]))
    size: int = current_app.config["PORTAL_PAGE_SIZE"]
    page_of = paging.cut(list(visit.session.scalars(statement.limit(size + 1))), size, _position)
    operations.record_listing(visit.session, visit.clock, visit.actor, "portal-search", page_of.rows)
    return visit.render(
        "oversight/search.html",
        orders=page_of.rows,
        deadlines=queries.deadlines(visit.session, [order.id for order in page_of.rows]),
        next_cursor=page_of.next_cursor,
        first_page=not request.args.get("cursor"),
        arguments={name: request.args[name] for name in order_search.FIELDS if request.args.get(name)},
        **context,
    )


@bp.get("/orders/<uuid:order_id>/case-file")
@page(expensive=True)
def case_file(visit: Visit, order_id: uuid.UUID) -> Response:
    """The order's case file as a page, and whether it proves against the log's signed checkpoint."""
    exported = _export(visit, order_id)
    vkey = visit.services.log_signer.vkey if visit.services.log_signer else None
    try:
        proved = verify.verify_case_file(exported, vkey).statement if vkey else None
        failure = (
            None if vkey else translate(N_("This broker publishes no log key, so nothing can be proved."))
        )
    except verify.AuditVerificationError as error:
        proved, failure = None, str(error)
    order = exported["order"]
    logged = [(json.loads(entry["leaf"]), entry["proof"]) for entry in exported["entries"]]
    logged += [(json.loads(queued["document"]), None) for queued in exported["queued"]]
    names = _names(visit, order, [event for event, _ in logged])
    return visit.render(
        "oversight/case_file.html",
        order=order,
        order_id=order_id,
        moments={name: _instant(order[name]) if order[name] else None for name in MOMENTS},
        checkpoint=exported["checkpoint"],
        signed_at=_instant(exported["checkpoint"]["created_at"]) if exported["checkpoint"] else None,
        message_types=MessageType,
        messages=[{**message, "sender_name": names.get(message["sender"])} for message in order["messages"]],
        entries=[_entry(event, proof, names) for event, proof in logged],
        proved=proved,
        failure=failure,
    )


@bp.get("/orders/<uuid:order_id>/case-file.json")
@page(expensive=True)
def case_file_download(visit: Visit, order_id: uuid.UUID) -> Response:
    """The case file exactly as the API serves it, to keep and to verify anywhere (`broker audit`)."""
    exported = _export(visit, order_id)
    return Response(
        json.dumps(exported, indent=2, ensure_ascii=False) + "\n",
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="case-file-{order_id}.json"'},
    )


@bp.get("/log")
@page()
def log(visit: Visit) -> Response:
    """The newest signed checkpoint of the log and the portal's check of it, step by step."""
    vkey = visit.services.log_signer.vkey if visit.services.log_signer else None
    return visit.render(
        "oversight/log.html", check=logcheck.check_latest(visit.session, vkey), steps=logcheck.Step
    )


@bp.get("/statistics")
@page(expensive=True)
def art28(visit: Visit) -> Response:
    """The Art. 28 statistics of a year, for every issuing State or one, as tables and charts."""
    oversight = visit.actor.kind is OrganisationKind.OVERSIGHT_BODY
    this_year = visit.clock().year
    form = Form(
        {"year": str(this_year)}
        | {name: request.args[name] for name in ("year", "country") if name in request.args}
    )
    year = _year(form, this_year)
    country = _country(form) if oversight else None
    context: dict[str, Any] = {"form": form, "oversight": oversight}
    if not form.valid:
        return visit.render("oversight/statistics.html", status=400, report=None, tables=[], **context)
    report = reports.read_art28(visit.session, visit.clock, visit.actor, make_period(year), country)
    return visit.render(
        "oversight/statistics.html", report=report, tables=statistics.tables(report), **context
    )


def _export(visit: Visit, order_id: uuid.UUID) -> dict[str, Any]:
    """The API's case file of the order (authorised and logged there), as the API dumps it."""
    built = operations.export_case_file(
        visit.session, visit.clock, visit.services.log_signer, visit.actor, order_id
    )
    dumped: dict[str, Any] = CaseFileSchema().dump(built)
    return dumped


def _choices(issuers: list[Organisation], providers: list[Organisation]) -> dict[str, list[tuple[str, str]]]:
    """The options of the search's lists, "any" first."""
    return {
        "state": [("", translate(N_("Any state")))] + [(state.value, label(state)) for state in OrderState],
        "issuing_authority": [("", translate(N_("Any issuing authority")))]
        + [(str(o.id), f"{o.name} ({o.country})") for o in issuers],
        "provider": [("", translate(N_("Any service provider")))] + [(str(o.id), o.name) for o in providers],
        "emergency": [
            ("", translate(N_("Emergencies and others"))),
            ("yes", translate(N_("Emergencies only"))),
            ("no", translate(N_("No emergencies"))),
        ],
        "overdue": [("", translate(N_("Any"))), ("yes", translate(N_("A deadline was missed")))],
    }


def _position(order: Order) -> tuple[datetime, uuid.UUID]:
    return order.created_at, order.id


def _names(visit: Visit, order: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, str]:
    """The name of every organisation the case file mentions (parties, senders, actors), in one query."""
    mentioned = {message["sender"] for message in order["messages"]}
    mentioned |= {order["issuing_authority"]["id"], order["provider"]["id"]}
    mentioned |= {str(event["actor"]["organisation"]) for event in events if "organisation" in event["actor"]}
    found = visit.session.execute(
        sa.select(Organisation.id, Organisation.name).where(
            Organisation.id.in_([uuid.UUID(m) for m in mentioned])
        )
    )
    return {str(identifier): name for identifier, name in found}


def _entry(event: dict[str, Any], proof: list[str] | None, names: dict[str, str]) -> dict[str, Any]:
    """A log entry as a row of the case file's timeline."""
    actor = event.get("actor") or {}
    organisation = actor.get("organisation")
    action = str(event["action"])
    suffix = action.removeprefix("order.")
    if action in EVENTS:
        what = translate(EVENTS[action])
    else:
        what = label(suffix, MessageType) if suffix in set(MessageType) else action
    return {
        "index": event.get("index"),
        "time": _instant(str(event["time"])),
        "what": what,
        "who": names.get(organisation, organisation) if organisation else actor.get("system"),
        "proof": proof,
    }


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _year(form: Form, default: int) -> int:
    """The year asked for (this year if none), or an error on the field."""
    text = form.raw("year").strip()
    if not text:
        return default
    year = whole_number(text, digits=4)
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        form.error(
            "year", gettext("Enter a year from %(first)s to %(last)s", first=FIRST_YEAR, last=LAST_YEAR)
        )
        return default
    return year


def _country(form: Form) -> str | None:
    """The issuing State asked for (None: every State), or an error on the field."""
    text = form.raw("country").strip()
    if not text:
        return None
    try:
        return check_country(text)
    except problems.ValidationFailed:
        form.error("country", gettext("Enter a country as its two-letter code, such as FR"))
        return None

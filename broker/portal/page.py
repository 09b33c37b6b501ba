"""One decorator per portal page, in the spirit of the API's @endpoint: who asks, one transaction.

    @bp.get("/orders/<uuid:order_id>")
    @page()                                   # signed in with both factors (the default)
    def order(visit: Visit, order_id: uuid.UUID) -> Response:
        found = operations.read_order(visit.session, visit.clock, visit.actor, order_id)
        return visit.render("order.html", order=found)

For every request, in this order, @page:

1. opens ONE database transaction (the same `Database.transaction()` the API's endpoints use);
2. resumes the session the cookie names (broker/parties/people/operations/sessions.py): an
   expired, revoked or unknown session is no session, and the page says why on the sign-in page;
3. chooses the page's language (the person's, the switcher's cookie, the browser's);
4. admits the request only at the stage its `access` asks for, else redirects where the person
   must go first: signed in with both factors (`Access.SIGNED_IN`, the default), waiting for the
   second factor (`SECOND_FACTOR`) or for enrolling one (`ENROLMENT`), or anyone (`ANYONE`);
5. checks the CSRF token of a POST (broker/portal/csrf.py);
6. calls the view with `visit` (the transaction, the clock, the Actor, the session) and the path's
   arguments; the view calls queries and operations exactly as an API view does, with the same
   `Actor`, and returns `visit.render(...)` or a redirect (`visit.redirect(...)`);
7. integrates the log entries the request queued (as the API does) and commits;
8. sets or clears the session cookie as the view asked, only once the commit succeeded.

A view that refuses an action on its own form (a signed message the broker refuses) raises
`Refused(show)`: the transaction rolls back and `show(visit)` renders the form, with the error, in a
new one. Any other `Problem` raised anywhere rolls the transaction back and is shown as a page with its status
(broker/portal/errors.py): another organisation's order is "Page not found", exactly as the API's
404, so its existence does not leak. A view that must keep a record of a refusal (a wrong
password) returns a page instead of raising, so its transaction commits.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

from flask import Response
from flask import g
from flask import render_template
from flask import request
from flask import url_for
from sqlalchemy import orm

from broker import problems
from broker.access import Actor
from broker.api import ratelimit
from broker.api.endpoint import client_address
from broker.api.endpoint import integrate_log
from broker.api.endpoint import services
from broker.clock import Clock
from broker.crypto import jsonlimits
from broker.parties.models import SessionStage
from broker.parties.people.operations import sessions as people_sessions
from broker.parties.people.operations.sessions import Ended
from broker.parties.people.operations.sessions import Login
from broker.parties.people.operations.sessions import Opened
from broker.portal import csrf
from broker.portal import i18n
from broker.portal import sessions
from broker.portal.errors import form_refused_page
from broker.portal.errors import problem_page
from broker.services import Services
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role


class Access(StrEnum):
    """Who may open a page."""

    ANYONE = "anyone"
    SECOND_FACTOR = "second_factor"
    ENROLMENT = "enrolment"
    SIGNED_IN = "signed_in"


@dataclass(frozen=True)
class Person:
    """What every page's frame shows of the person, copied out of the transaction (safe after it)."""

    name: str
    email: str
    organisation: str
    kind: OrganisationKind
    role: Role
    stage: SessionStage

    @property
    def signed_in(self) -> bool:
        return self.stage is SessionStage.SIGNED_IN


@dataclass
class Visit:
    """One page request: its transaction, the clock, the person's session; what to do with the cookie."""

    session: orm.Session
    services: Services
    login: Login | None
    ended: Ended | None = None
    _opened: Opened | None = field(default=None, repr=False)
    _signed_out: bool = False

    @property
    def clock(self) -> Clock:
        return self.services.clock

    @property
    def actor(self) -> Actor:
        """The acting party, as an API token would make it; only on a signed-in page."""
        if self.login is None:
            raise problems.Unauthenticated("sign in first")
        return self.login.actor

    def opened(self, opened: Opened) -> None:
        """A sign-in step opened a new session: the browser gets its token after the commit."""
        self.login, self._opened, self._signed_out = opened.login, opened, False
        _remember(opened.login)

    def signed_out(self) -> None:
        """The session ended: the browser forgets its token after the commit."""
        self.login, self._opened, self._signed_out = None, None, True
        _remember(None)

    def render(self, template: str, *, status: int = 200, **context: Any) -> Response:
        """The page, rendered inside the transaction (templates may read the view's objects)."""
        return Response(render_template(template, **context), status=status, mimetype="text/html")

    def redirect(self, endpoint: str, **values: Any) -> Response:
        """303 See Other to a portal page (after a POST, the browser GETs it)."""
        return see_other(url_for(endpoint, **values))

    def finish(self, response: Response) -> None:
        """Set or clear the session cookie, once the transaction committed."""
        if self._opened is not None:
            sessions.start(response, self._opened.token)
        elif self._signed_out or self.ended is not None:
            sessions.clear(response)


View = Callable[..., Response]


class Refused(Exception):
    """An action the person asked for was refused, to be told on its own form rather than as a problem page.

    @page rolls the view's transaction back, so nothing of the refused action stays, then renders
    `show(visit)` in a new transaction of its own (the form again, with the error summary).
    """

    def __init__(self, show: Callable[[Visit], Response]) -> None:
        super().__init__("the action was refused")
        self.show = show


def page(
    access: Access = Access.SIGNED_IN, *, expensive: bool = False
) -> Callable[[View], Callable[..., Response]]:
    """Wrap a portal view: it receives `visit` and its path arguments (see the module docstring).

    An `expensive` page (legal checks, searches, reports, case files) counts against the same per-route
    limit as the API's expensive routes (RATE_LIMIT_EXPENSIVE), per session, before any database work.
    """

    def decorate(view: View) -> Callable[..., Response]:
        @functools.wraps(view)
        def wrapper(**path_args: Any) -> Response:
            broker = services()
            visit: Visit | None = None
            try:
                if expensive:
                    address = client_address()
                    ratelimit.limits().admit(
                        address=address, token=sessions.token() or address, route=request.endpoint
                    )
                _refuse_unusable_text()
                try:
                    with broker.database.transaction() as session:
                        visit = _resume(session, broker)
                        response = _gate(access, visit)
                        if response is None:
                            if request.method == "POST":
                                csrf.check(visit.login.record.csrf_token if visit.login else None)
                            response = view(visit=visit, **path_args)
                        integrate_log(session)
                except Refused as refused:
                    with broker.database.transaction() as session:
                        visit = _resume(session, broker)
                        response = refused.show(visit)
                        integrate_log(session)
            except problems.Problem as problem:
                return _finish_refusal(problem_page(problem), visit)
            except csrf.CsrfRefused:
                return _finish_refusal(form_refused_page(), visit)
            visit.finish(response)
            csrf.apply_cookie(response)
            return response

        wrapper.portal_access = access  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _refuse_unusable_text() -> None:
    """Refuse NUL and lone surrogates in the query and form, as the API does: SQLite would store them and
    PostgreSQL refuse them mid-transaction; refused here, before any database work, both answer alike."""
    pairs = [*request.args.items(multi=True), *request.form.items(multi=True)]
    refused = jsonlimits.refused_pairs(pairs)
    if refused:
        first, why = next(iter(refused.items()))
        raise problems.InvalidText(f"the field {first} {why}", errors=problems.text_errors(refused))


def see_other(location: str) -> Response:
    """A 303 See Other to `location` (a path of this site)."""
    return Response(status=303, headers={"Location": location})


def safe_next(target: str | None) -> str | None:
    """A path on this site to go on to after signing in; None for anything else (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(character) < 0x20 for character in target):
        return None
    return target


def _resume(session: orm.Session, broker: Services) -> Visit:
    token = sessions.token()
    found = people_sessions.resume(session, broker.clock, sessions.policy(), token) if token else None
    login = found if isinstance(found, Login) else None
    visit = Visit(session, broker, login, ended=found if isinstance(found, Ended) else None)
    if token and found is None:
        visit.ended = Ended.REVOKED  # a cookie for no session: have the browser drop it
    i18n.choose(login.user.language if login else None)
    _remember(login)
    return visit


def _remember(login: Login | None) -> None:
    """What the page frame shows and the token its forms carry, for this request."""
    csrf.use_session_token(login.record.csrf_token if login else None)
    g.person = (
        None
        if login is None
        else Person(
            name=login.user.name,
            email=login.user.email,
            organisation=login.user.organisation.name,
            kind=login.actor.kind,
            role=login.actor.role,
            stage=login.stage,
        )
    )


def _gate(access: Access, visit: Visit) -> Response | None:
    """Where the person must go instead of this page, if anywhere."""
    stage = visit.login.stage if visit.login else None
    if access is Access.ANYONE or stage == access.value:
        return None
    if stage is SessionStage.SIGNED_IN:
        return see_other(url_for("portal.dashboard"))
    if access is Access.SIGNED_IN and stage is SessionStage.SECOND_FACTOR:
        return see_other(_with_query(url_for("portal.code"), _next_of_request()))
    if access is Access.SIGNED_IN and stage is SessionStage.ENROLMENT:
        return see_other(url_for("portal.enrol"))
    query = {**_next_of_request(), **({"ended": visit.ended.value} if visit.ended else {})}
    return see_other(_with_query(url_for("portal.login"), query))


def _with_query(path: str, query: dict[str, str]) -> str:
    return f"{path}?{urlencode(query)}" if query else path


def _next_of_request() -> dict[str, str]:
    """Where to come back to after signing in: this page, if it was one to read."""
    if request.method != "GET":
        return {}
    target = request.full_path.rstrip("?") if request.query_string else request.path
    return {"next": target} if safe_next(target) and request.path != "/" else {}


def _finish_refusal(response: Response, visit: Visit | None) -> Response:
    """A refused request's page: the transaction rolled back, so only a dead cookie is cleared."""
    if visit is not None and visit.ended is not None:
        sessions.clear(response)
    return response

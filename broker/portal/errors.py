"""Problems as pages: each RFC 9457 problem type the operations raise, told in people's words.

The API answers a problem with its type, title and detail as JSON; the portal shows a page with
the same status, a heading and what the person can do, in their language. Types not listed fall
back to their status class. The operation's own `detail` (English, written for developers) is
shown beneath, marked as English, only where it helps the person: for a refusal of an action
(403, 409, 422), never for a page that does not exist (no leak) or an internal error.
"""

import logging
from dataclasses import dataclass

from flask import Blueprint
from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from flask import render_template
from flask import request
from werkzeug import exceptions

from broker import problems
from broker.api import errors as api_errors
from broker.portal import i18n
from broker.portal.csrf import CsrfRefused
from broker.portal.i18n import N_
from broker.portal.security import BLUEPRINT

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Wording:
    title: str
    advice: str


BY_TYPE: dict[str, Wording] = {
    problems.NotFound.slug: Wording(
        N_("Page not found"),
        N_(
            "If you typed the web address, check it is correct. If you followed a link to an order, "
            "the order may not exist, or it may not be one that your organisation can see."
        ),
    ),
    problems.Forbidden.slug: Wording(
        N_("You cannot do this"),
        N_(
            "Your organisation or your role does not allow it. Ask your administrator if you think it should."
        ),
    ),
    problems.RateLimited.slug: Wording(
        N_("Too many attempts"),
        N_("For your account's safety, wait %(seconds)s seconds, then try again."),
    ),
    problems.ValidationFailed.slug: Wording(
        N_("Some of the information is not right"), N_("Go back, correct it and try again.")
    ),
    problems.Conflict.slug: Wording(
        N_("This cannot be done now"), N_("Go back, reload the page and check its state.")
    ),
    problems.TransitionNotAllowed.slug: Wording(
        N_("This cannot be done now"), N_("The order's state does not allow it. Go back and reload the page.")
    ),
    problems.MethodNotAllowed.slug: Wording(
        N_("This page cannot be used this way"), N_("Go back and use the page's own links and buttons.")
    ),
    problems.PayloadTooLarge.slug: Wording(N_("What you sent is too large"), N_("Go back and send less.")),
    problems.InvalidText.slug: Wording(
        N_("Some of what you entered cannot be accepted"),
        N_(
            "It holds a character no text may hold (such as a NUL character). Go back, remove it and try again."
        ),
    ),
}
BY_STATUS_CLASS = {
    4: Wording(N_("There is a problem with your request"), N_("Go back and try again.")),
    5: Wording(
        N_("Sorry, there is a problem with the service"),
        N_("Try again later. What you entered has not been saved."),
    ),
}
FORM_REFUSED = Wording(
    N_("The form could not be sent"),
    N_(
        "This happens when a page was left open for a long time, or when a form came from another "
        "site. Go back, reload the page and try again."
    ),
)
# Statuses whose problem detail is worth showing to the person.
DETAIL_SHOWN = frozenset({403, 409, 422})


def problem_page(problem: problems.Problem) -> Response:
    """The page that tells the person about `problem`, with its status."""
    wording = BY_TYPE.get(problem.slug) or BY_STATUS_CLASS.get(problem.status // 100) or BY_STATUS_CLASS[5]
    seconds = problem.extensions.get("retry_after", 60)
    response = _render(
        problem.status,
        i18n.gettext(wording.title),
        i18n.gettext(wording.advice, seconds=seconds),
        problem.detail if problem.status in DETAIL_SHOWN else None,
    )
    if isinstance(problem, problems.RateLimited):
        response.headers["Retry-After"] = str(seconds)
    return response


def form_refused_page() -> Response:
    return _render(400, i18n.gettext(FORM_REFUSED.title), i18n.gettext(FORM_REFUSED.advice), None)


def _render(status: int, title: str, advice: str, detail: str | None) -> Response:
    if g.get("language") is None:
        i18n.choose()
    html = render_template("problem.html", status=status, title=title, advice=advice, detail=detail)
    return Response(html, status=status, mimetype="text/html")


def init_blueprint(bp: Blueprint) -> None:
    """Errors raised in the portal's own routes become pages, not the API's problem+json.

    Routing errors outside any route (an unknown path) stay the API's: a path the portal does not
    serve may be an API client's typo, which must get problem+json.
    """

    @bp.errorhandler(CsrfRefused)
    def _csrf(error: CsrfRefused) -> Response:
        log.info("portal form refused on %s: %s", request.path, error)
        return form_refused_page()

    @bp.errorhandler(problems.Problem)
    def _problem(problem: problems.Problem) -> Response:
        return problem_page(problem)

    @bp.errorhandler(exceptions.HTTPException)
    def _http(error: exceptions.HTTPException) -> Response:
        code = error.code or 500
        if code == 404:
            return problem_page(problems.NotFound(error.description or "not found"))
        if code == 405:
            return problem_page(problems.MethodNotAllowed(error.description or "method not allowed"))
        if code == 413:
            return problem_page(problems.PayloadTooLarge(error.description or "too large"))
        return problem_page(problems.HttpError(error.description or error.name, status=code))

    @bp.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unhandled error on portal page %s %s", request.method, request.path)
        return problem_page(problems.Problem("an internal error occurred; it has been logged"))


def init_app(app: Flask) -> None:
    """A portal address asked with a method it does not take (GET /logout) is told on a page too.

    Werkzeug refuses the method while routing, before any route (and so the blueprint's handlers) is
    chosen; the address is the portal's if one of the methods it does take leads to a portal page.
    Any other address keeps the API's problem+json.
    """

    @app.errorhandler(exceptions.MethodNotAllowed)
    def _method(error: exceptions.MethodNotAllowed) -> Response:
        allowed = list(error.valid_methods or ())
        if not _portal_address(allowed):
            return api_errors.http_problem(error)
        g.portal_page = True  # the portal's headers (its CSP) for this page outside its routes
        response = problem_page(problems.MethodNotAllowed(error.description or "method not allowed"))
        response.headers["Allow"] = ", ".join(allowed)
        return response


def _portal_address(methods: list[str]) -> bool:
    adapter = current_app.url_map.bind_to_environ(request.environ)
    for method in methods:
        try:
            endpoint, _ = adapter.match(method=method)
        except exceptions.HTTPException:
            continue
        if str(endpoint).startswith(f"{BLUEPRINT}."):
            return True
    return False

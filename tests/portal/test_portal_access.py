"""Who may open which portal page: every route x every kind of person, and what each one is answered.

The portal's counterpart of tests/api/test_access.py. The orders are the investigating judge's
(tests/portal/portal_world.py says why the judge); "other_authority" and "other_provider" are
parties of the same kinds that have nothing to do with them. Every rule the portal serves is here
with both methods a form or a link can use (GET and POST), so a new page fails
`test_the_table_covers_every_portal_route_for_every_person` until its access is decided.

Outcomes: a status, or SIGN_IN (303 to the sign-in page, which comes back to the page afterwards).
A POST carries the person's own valid CSRF token, and an empty form except where FORMS gives one:
the table is about who is let in, the forms' own checks are tested beside each view. A refusal must
leave portal_world.WRITTEN as it was, and be told on a page; a refusal of another
organisation's order must be the very page a missing order gets, so that its existence does not leak.
"""

import functools
import json
import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest
from portal_world import ANONYMOUS
from portal_world import PEOPLE
from portal_world import Visitors
from portal_world import objects
from portal_world import placeholders
from portal_world import refusal_page_problem
from portal_world import written

from broker import crypto

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)

SIGN_IN = "sign-in"
Outcome = int | str
ALL_405 = (405,) * len(PEOPLE)

# (method, path) -> outcome for each of PEOPLE, in its order:
#   judge (the orders' issuer), other_authority, provider (their addressee), other_provider,
#   enforcing (notified of {notified} only), oversight, anonymous.
# {draft}, {issued}, {received}, {notified}: the judge's orders in that state; {missing}: no order;
# {message}: {issued}'s signed EPOC; {key}: a signing key the judge holds; {threat}: a provider's threat
# notification to the judge's court (see portal_world.objects).
ACCESS: dict[tuple[str, str], tuple[Outcome, ...]] = {
    # --- the frame: dashboard, account, sign-in ----------------------------------------------------
    ("GET", "/"): (200, 200, 200, 200, 200, 200, SIGN_IN),
    ("POST", "/"): ALL_405,
    ("GET", "/account"): (200, 200, 200, 200, 200, 200, SIGN_IN),
    ("POST", "/account"): ALL_405,
    ("GET", "/account/mail"): (200, 200, 200, 200, 200, 200, SIGN_IN),
    ("POST", "/account/mail"): (303, 303, 303, 303, 303, 303, SIGN_IN),
    ("GET", "/account/password"): (200, 200, 200, 200, 200, 200, SIGN_IN),
    ("POST", "/account/password"): (422, 422, 422, 422, 422, 422, SIGN_IN),
    ("GET", "/account/sign-out-everywhere"): ALL_405,
    ("POST", "/account/sign-out-everywhere"): (303, 303, 303, 303, 303, 303, SIGN_IN),
    # every person reads the organisation's keys; only its administrators register one (none here)
    ("GET", "/account/signing-keys"): (200, 200, 200, 200, 200, 200, SIGN_IN),
    ("POST", "/account/signing-keys"): (403, 403, 403, 403, 403, 403, SIGN_IN),
    # {key} is the judge's court's, held by the judge: its holder may revoke it (422: no reason given),
    # only an administrator replace it; to another organisation it does not exist
    ("GET", "/account/signing-keys/{key}/revoke"): (200, 404, 404, 404, 404, 404, SIGN_IN),
    ("POST", "/account/signing-keys/{key}/revoke"): (422, 404, 404, 404, 404, 404, SIGN_IN),
    ("GET", "/account/signing-keys/{key}/replace"): (403, 404, 404, 404, 404, 404, SIGN_IN),
    ("POST", "/account/signing-keys/{key}/replace"): (403, 404, 404, 404, 404, 404, SIGN_IN),
    # enrolling is for a person half signed in: the signed-in go to their dashboard
    ("GET", "/account/two-factor"): (303, 303, 303, 303, 303, 303, SIGN_IN),
    ("POST", "/account/two-factor"): (303, 303, 303, 303, 303, 303, SIGN_IN),
    ("GET", "/language"): ALL_405,
    ("POST", "/language"): (303, 303, 303, 303, 303, 303, 303),
    ("GET", "/login"): (303, 303, 303, 303, 303, 303, 200),
    ("POST", "/login"): (422, 422, 422, 422, 422, 422, 422),
    ("GET", "/login/code"): (303, 303, 303, 303, 303, 303, SIGN_IN),
    ("POST", "/login/code"): (303, 303, 303, 303, 303, 303, SIGN_IN),
    ("GET", "/login/recovery"): (303, 303, 303, 303, 303, 303, SIGN_IN),
    ("POST", "/login/recovery"): (303, 303, 303, 303, 303, 303, SIGN_IN),
    ("GET", "/logout"): ALL_405,
    ("POST", "/logout"): (303, 303, 303, 303, 303, 303, 303),
    ("GET", "/static/portal.css"): (200, 200, 200, 200, 200, 200, 200),
    ("POST", "/static/portal.css"): ALL_405,
    # --- drafting: issuing authorities only, each its own drafts --------------------------------------
    ("GET", "/drafts"): (200, 200, 403, 403, 403, 403, SIGN_IN),
    ("POST", "/drafts"): ALL_405,
    ("GET", "/drafts/new"): (200, 200, 403, 403, 403, 403, SIGN_IN),
    ("POST", "/drafts/new"): (422, 422, 403, 403, 403, 403, SIGN_IN),
    ("GET", "/drafts/findings"): ALL_405,
    ("POST", "/drafts/findings"): (200, 200, 403, 403, 403, 403, SIGN_IN),
    ("GET", "/drafts/{draft}"): (200, 404, 403, 403, 403, 403, SIGN_IN),
    ("POST", "/drafts/{draft}"): (422, 404, 403, 403, 403, 403, SIGN_IN),
    ("GET", "/drafts/{issued}"): (409, 404, 403, 403, 403, 403, SIGN_IN),  # issued: no longer a draft
    ("POST", "/drafts/{issued}"): (409, 404, 403, 403, 403, 403, SIGN_IN),
    ("GET", "/drafts/{draft}/issue"): (200, 404, 403, 403, 403, 403, SIGN_IN),
    ("POST", "/drafts/{draft}/issue"): (422, 404, 403, 403, 403, 403, SIGN_IN),
    # a removal order's form (Regulation (EU) 2021/784); {draft} is an EPOC: its own pages take it (303)
    ("GET", "/drafts/removal/new"): (200, 200, 403, 403, 403, 403, SIGN_IN),
    ("POST", "/drafts/removal/new"): (422, 422, 403, 403, 403, 403, SIGN_IN),
    ("GET", "/drafts/removal/{draft}"): (303, 404, 403, 403, 403, 403, SIGN_IN),
    ("POST", "/drafts/removal/{draft}"): ALL_405,
    ("GET", "/drafts/removal/{draft}/change"): (303, 404, 403, 403, 403, 403, SIGN_IN),
    ("POST", "/drafts/removal/{draft}/change"): (303, 404, 403, 403, 403, 403, SIGN_IN),
    ("GET", "/drafts/removal/{draft}/check"): ALL_405,
    ("POST", "/drafts/removal/{draft}/check"): (303, 404, 403, 403, 403, 403, SIGN_IN),
    # the notices of procedures a first removal order waits for (Art. 3(2)): an authority's own; its
    # auditors read (tests/portal/test_removal_notices.py); an empty form is told what to fill in (422)
    ("GET", "/removal-notices"): (200, 200, 403, 403, 403, 403, SIGN_IN),
    ("POST", "/removal-notices"): ALL_405,
    ("GET", "/removal-notices/new"): (200, 200, 403, 403, 403, 403, SIGN_IN),
    ("POST", "/removal-notices/new"): (422, 422, 403, 403, 403, 403, SIGN_IN),
    # --- an order and its forms: its parties and oversight; the enforcing authority once notified -----
    ("GET", "/orders/{draft}"): (200, 404, 404, 404, 404, 200, SIGN_IN),  # a draft is the issuer's alone
    ("POST", "/orders/{draft}"): ALL_405,
    ("GET", "/orders/{issued}"): (200, 404, 200, 404, 404, 200, SIGN_IN),
    ("GET", "/orders/{received}"): (200, 404, 200, 404, 404, 200, SIGN_IN),
    ("GET", "/orders/{notified}"): (200, 404, 200, 404, 200, 200, SIGN_IN),
    ("GET", "/orders/{missing}"): (404, 404, 404, 404, 404, 404, SIGN_IN),
    ("GET", "/orders/{issued}/pdf"): (200, 404, 200, 404, 404, 200, SIGN_IN),
    ("POST", "/orders/{issued}/pdf"): ALL_405,
    ("GET", "/orders/{issued}/messages/{message}/pdf"): (200, 404, 200, 404, 404, 200, SIGN_IN),
    ("POST", "/orders/{issued}/messages/{message}/pdf"): ALL_405,
    # taking delivery: the addressee's provider only
    ("GET", "/orders/{issued}/receive"): ALL_405,
    # An enforcing authority may take delivery of a treaty order it serves: of this one, not a party, 404.
    ("POST", "/orders/{issued}/receive"): (403, 403, 303, 404, 404, 403, SIGN_IN),
    # serving: only an authority, of an order whose route it is on and that it took delivery of (the
    # routes themselves: tests/portal/test_portal_routes.py); the enforcing authority is no party to this
    # order of the Regulation, which nobody serves: 404
    ("GET", "/orders/{issued}/serve"): ALL_405,
    ("POST", "/orders/{issued}/serve"): (403, 403, 403, 403, 404, 403, SIGN_IN),
    # a signed message: the side the lifecycle names, in the state it names (409 for the others who see it)
    ("GET", "/orders/{received}/acknowledge"): (409, 404, 200, 404, 404, 409, SIGN_IN),
    ("POST", "/orders/{received}/acknowledge"): (409, 404, 422, 404, 404, 409, SIGN_IN),
    ("GET", "/orders/{received}/withdraw"): (200, 404, 409, 404, 404, 409, SIGN_IN),
    ("POST", "/orders/{received}/withdraw"): (422, 404, 409, 404, 404, 409, SIGN_IN),
    ("GET", "/orders/{notified}/review"): (409, 404, 409, 404, 200, 409, SIGN_IN),
    ("POST", "/orders/{notified}/review"): (409, 404, 409, 404, 422, 409, SIGN_IN),
    # --- the enforcing authority's review queue (Art. 12): its own notified orders, no one else's -------
    ("GET", "/review"): (403, 403, 403, 403, 200, 403, SIGN_IN),
    ("POST", "/review"): ALL_405,
    # --- oversight: its search and case files; the log for everyone; Art. 28 statistics --------------
    ("GET", "/orders/search"): (403, 403, 403, 403, 403, 200, SIGN_IN),
    ("POST", "/orders/search"): ALL_405,
    ("GET", "/orders/{issued}/case-file"): (403, 403, 403, 403, 403, 200, SIGN_IN),
    ("POST", "/orders/{issued}/case-file"): ALL_405,
    ("GET", "/orders/{issued}/case-file.json"): (403, 403, 403, 403, 403, 200, SIGN_IN),
    ("POST", "/orders/{issued}/case-file.json"): ALL_405,
    ("GET", "/log"): (200, 200, 200, 200, 200, 200, SIGN_IN),
    ("POST", "/log"): ALL_405,
    ("GET", "/statistics"): (200, 200, 403, 403, 403, 200, SIGN_IN),
    ("POST", "/statistics"): ALL_405,
    # --- threats to life or safety (DSA Art. 18): {threat} is Example Mail's, to the judge's court --------
    ("GET", "/threat-notifications"): (200, 200, 200, 200, 200, 403, SIGN_IN),
    ("POST", "/threat-notifications"): ALL_405,
    ("GET", "/threat-notifications/new"): (403, 403, 200, 200, 403, 403, SIGN_IN),
    ("POST", "/threat-notifications/new"): (403, 403, 422, 422, 403, 403, SIGN_IN),
    ("GET", "/threat-notifications/{threat}"): (200, 404, 200, 404, 404, 404, SIGN_IN),
    ("POST", "/threat-notifications/{threat}"): ALL_405,
}
ORDERS = ("draft", "issued", "received", "notified")
DENIED = (SIGN_IN, 400, 403, 404, 405, 409, 422)
# The media type of a page that is not HTML, by the end of its address.
MEDIA_TYPES = {
    "/pdf": "application/pdf",
    ".json": "application/json",
    "/findings": "application/json",
    ".css": "text/css",
}


@functools.cache
def public_jwk() -> str:
    """A well-formed public signing key to register, so that only the person's role is in question."""
    return json.dumps(crypto.public_jwk(crypto.generate_private_key("ES256")))


def form(path: str) -> dict[str, str]:
    """What a POST to `path` carries besides the CSRF token."""
    if path == "/language":
        return {"language": "en"}
    if path == "/account/signing-keys":
        return {"jwk": public_jwk()}
    return {}


def writes(outcome: Outcome, method: str) -> bool:
    return method == "POST" and outcome not in DENIED


def mismatch(response: Any, expected: Outcome, path: str) -> str | None:
    """How the answer differs from the table's outcome (and a refusal from a page that says so)."""
    location = urlsplit(response.headers.get("Location", ""))
    to_sign_in = response.status_code == 303 and location.path == "/login" and "notice=" not in location.query
    if expected == SIGN_IN:
        return None if to_sign_in else f"{response.status_code} to {location.geturl()!r}, not to sign in"
    if response.status_code != expected or (expected == 303 and to_sign_in):
        return f"{response.status_code} {location.geturl()}".strip()
    if expected == 200:
        media_type = next((kind for end, kind in MEDIA_TYPES.items() if path.endswith(end)), "text/html")
        return None if response.mimetype == media_type else f"a page of {response.mimetype}"
    if expected == 405:  # told as problem+json for now: test_a_method_a_page_does_not_take_is_told_on_a_page
        return None
    return refusal_page_problem(response, expected) if 400 <= expected < 500 else None


def same_as_missing(
    client: Any, method: str, template: str, ids: dict[str, str], token: str, seen: Any
) -> bool:
    """Whether the page for another organisation's order is the one a missing order gets, word for word."""
    name = next(name for name in ORDERS if f"{{{name}}}" in template)
    missing = template.format(**{**ids, name: ids["missing"]})
    answer = client.open(missing, method=method, data={"csrf_token": token} if method == "POST" else None)
    shown = seen.get_data(as_text=True).replace(ids[name], "ORDER")
    return (answer.status_code, answer.get_data(as_text=True).replace(ids["missing"], "ORDER")) == (
        seen.status_code,
        shown,
    )


@pytest.mark.parametrize("who", PEOPLE)
def test_each_person_is_let_in_only_where_the_table_says(portal_app, people, caseload, database, who):
    """Every row for one kind of person, in one world; the rows that change something go last."""
    ids = placeholders(objects(caseload))
    visitors = Visitors(portal_app, people)
    column = PEOPLE.index(who)
    table = sorted(ACCESS.items(), key=lambda row: writes(row[1][column], row[0][0]))
    wrong = []
    for (method, template), outcomes in table:
        expected, path = outcomes[column], template.format(**ids)
        client = visitors[who]
        token = visitors.token(who) if method == "POST" else ""
        before = written(database)
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data={"csrf_token": token, **form(template)})
        response.close()
        problem = mismatch(response, expected, path)
        if expected in DENIED and written(database) != before:
            problem = f"{problem or expected}, and it wrote"
        leaks = expected in (403, 404) and who != ANONYMOUS and any(f"{{{n}}}" in template for n in ORDERS)
        if leaks and not same_as_missing(client, method, template, ids, token, response):
            problem = f"{problem or expected}, not the page a missing order gets"
        if problem:
            wrong.append(f"{method} {template} as {who}: expected {expected}, got {problem}")
        if writes(expected, method) and visitors.signed_out(who):
            del visitors.clients[who]  # signed out by the row: the next row signs in again
    assert not wrong, "\n".join(wrong)


def test_a_method_a_page_does_not_take_is_told_on_a_page(portal_app, people):
    browser = Visitors(portal_app, people)["provider"]
    for method, path, allowed in (("GET", "/logout", "POST"), ("POST", "/", "GET, HEAD")):
        response = browser.open(path, method=method)
        assert response.status_code == 405
        assert refusal_page_problem(response, 405) is None, response.get_data(as_text=True)
        assert "Content-Security-Policy" in response.headers
        assert sorted(response.headers["Allow"].split(", ")) == sorted(f"{allowed}, OPTIONS".split(", "))
    api = browser.open("/api/v1/orders", method="PUT")
    assert api.status_code == 405 and api.mimetype == "application/problem+json", (
        "an API address stays the API's"
    )


def test_the_table_covers_every_portal_route_for_every_person(portal_app):
    """A new page fails here until its rows are written, GET and POST, for every kind of person."""
    example = {name: str(uuid.uuid4()) for name in (*ORDERS, "missing", "message", "key", "threat")}
    covered = {(rule_of(portal_app, template.format(**example)), method) for method, template in ACCESS}
    expected = {
        (rule.endpoint, method)
        for rule in portal_app.url_map.iter_rules()
        if rule.endpoint.startswith("portal.")
        for method in ("GET", "POST")
    }
    assert expected - covered == set()
    assert all(len(outcomes) == len(PEOPLE) for outcomes in ACCESS.values())


def rule_of(app: Any, path: str) -> str:
    """The endpoint whose rule serves `path`, whichever method it takes."""
    adapter = app.url_map.bind("localhost")
    for method in ("GET", "POST"):
        if adapter.test(path, method=method):
            return str(adapter.match(path, method=method)[0])
    raise AssertionError(f"no portal rule serves {path}")

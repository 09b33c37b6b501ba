"""Property-based fuzzing of every portal page that takes a form or a query: hostile input is told, never a crash.

The pages are the access table's (tests/portal/test_portal_access.py), so a new route is fuzzed as
soon as its access is decided. Each (method, route) is fuzzed as a person who may use it: the first
kind of person the table lets in (200, 422, or failing that a redirect that is not to sign in),
the anonymous visitor first where the page is for anyone; the code and recovery-code pages as a
person past the password step, enrolling as one who has no second factor yet.

Hypothesis makes each request: the path's ids (mostly the table's own object, else another real
one, a missing order or a random UUID), and for a POST a form, for a GET a query string, whose
field names are the page's own (read from its form) or made up, and whose values are the page's
own choices, text, or something nasty (lone surrogates, NUL, 70,000 characters, markup, SQL,
huge numbers), with the CSRF token right, wrong or missing. Every answer must be below 500 and
carry no stack trace; a refusal (4xx) must be an HTML page that says what is wrong
(`refusal_page_problem`) and must have written nothing (`portal_world.WRITTEN`); a form with a wrong or missing
token writes nothing whatever it is answered.

The budget is small, as the API's fuzz run's (tests/security/test_fuzz_api.py): EXAMPLES per page, on
CI 8 and derandomized (the same inputs every run), fewer and new ones every run on a developer's machine
(tests/budget.py); no example database, no shrinking. BROKER_PORTAL_FUZZ_EXAMPLES sets another budget
for a longer run by hand.
"""

import random
import re
import uuid
from collections import defaultdict
from typing import Any
from urllib.parse import quote_plus

import pytest
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from portal_helpers import CSRF_INPUT
from portal_helpers import portal_settings
from portal_world import ANONYMOUS
from portal_world import PEOPLE
from portal_world import Visitors
from portal_world import objects
from portal_world import placeholders
from portal_world import refusal_page_problem
from portal_world import written
from test_portal_access import ACCESS
from test_portal_access import ORDERS
from test_portal_access import rule_of

from broker.app import create_app
from broker.db import Database
from tests.budget import examples

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)

Pair = tuple[str, str]
EXAMPLES = examples(8, "BROKER_PORTAL_FUZZ_EXAMPLES")
# The pages a person reaches only half signed in, and who is fuzzed there.
SECOND_FACTOR, ENROLMENT = "provider_at_the_code", "other_provider_enrolling"
HALFWAY = {"/login/code": SECOND_FACTOR, "/login/recovery": SECOND_FACTOR, "/account/two-factor": ENROLMENT}
HOME = {SECOND_FACTOR: "/login/code", ENROLMENT: "/account/two-factor", ANONYMOUS: "/login"}
# The page a POST-only route's form is on, where it is not the route's own.
FORM_OF = {"/drafts/findings": "/drafts/new", "/orders/{issued}/receive": "/orders/{issued}"}
PLACEHOLDER = re.compile(r"\{(\w+)\}")
NAMED = re.compile(r'name="([^"]+)"')
OFFERED = re.compile(r'value="([^"]*)"')
NASTY = [
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "x" * 70_000,
    "é" * 40_000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../../etc/passwd",
    "9" * 5000,
    "-1",
    "1e309",
    "NaN",
    "\uff12\uff10\uff12\uff16-\uff11\uff11-\uff12\uff14",  # a date in full-width digits
    "\u202e\u0000\ufeff",
    "   ",
    "",
]
SEED = 20261207
# Sent in every field of a page at once, before the generated requests: what a database may refuse.
EVERY_FIELD = ["\x00", "\ud800", "x" * 70_000]


def fuzzed_as(method: str, template: str, outcomes: tuple[Any, ...]) -> str | None:
    """Who fuzzes a page: someone the access table lets use it (None if no one may)."""
    if template in HALFWAY:
        return HALFWAY[template]
    by = dict(zip(PEOPLE, outcomes, strict=True))
    used = [who for who in PEOPLE if by[who] in (200, 422)]
    if used:
        return ANONYMOUS if ANONYMOUS in used else used[0]
    redirected = [who for who in PEOPLE if by[who] == 303]
    return redirected[0] if redirected else None


def targets() -> dict[str, list[tuple[str, str]]]:
    """(method, template) to fuzz, by who fuzzes them: each (method, route, person) once."""
    chosen: dict[str, list[tuple[str, str]]] = defaultdict(list)
    seen = set()
    for (method, template), outcomes in ACCESS.items():
        who = fuzzed_as(method, template, outcomes)
        route = PLACEHOLDER.sub("{}", template)
        if who is None or (method, route, who) in seen:
            continue
        seen.add((method, route, who))
        chosen[who].append((method, template))
    return dict(chosen)


TARGETS = targets()


@pytest.fixture
def portal_app(database, clock, broker_key_file, tmp_path):
    """The portal with sign-in limits no fuzzing run reaches: a 429 would hide what is behind it."""
    generous = "1000000/minute"
    limits = {
        "PORTAL_SIGN_IN_FAILURES_PER_ADDRESS": generous,
        "PORTAL_SIGN_IN_FAILURES_PER_ACCOUNT": generous,
        "PORTAL_SIGN_IN_ATTEMPTS_PER_ACCOUNT": generous,
        "RATE_LIMIT_KEY_PREFIX": f"portal-fuzz-{uuid.uuid4()}",
    }
    return create_app(portal_settings(broker_key_file, tmp_path, **limits), clock=clock, database=database)


class Fuzzer:
    """One person's browser, kept at the stage its pages need, and the world's ids to aim at."""

    def __init__(self, visitors: Visitors, who: str, ids: dict[str, str]) -> None:
        self.visitors, self.who, self.ids = visitors, who, ids
        self.client = self.fresh()
        self.token = self.read_token()

    def fresh(self) -> Any:
        if self.who == SECOND_FACTOR:
            return self.visitors.halfway("provider", enrolled=True)
        if self.who == ENROLMENT:
            return self.visitors.halfway("other_provider", enrolled=False)
        return self.visitors.fresh(self.who)

    def read_token(self) -> str:
        page = self.client.get(HOME.get(self.who, "/account"))
        found = CSRF_INPUT.search(page.get_data(as_text=True))
        assert found, f"{self.who} was not shown a form"
        return found.group(1)

    def ensure_stage(self) -> None:
        """Sign in again if an example signed the person out (or moved them on)."""
        if self.client.get(HOME.get(self.who, "/account")).status_code != 200:
            self.client = self.fresh()
            self.token = self.read_token()

    def names_and_values(self, template: str) -> tuple[list[str], list[str]]:
        """The field names and values the page itself offers: its form, else the frame's (language, sign out)."""
        for path in (FORM_OF.get(template, template).format(**self.ids), HOME.get(self.who, "/account")):
            shown = self.client.get(path)
            text = shown.get_data(as_text=True) if shown.mimetype == "text/html" else ""
            shown.close()
            if names := sorted(set(NAMED.findall(text)) - {"csrf_token"}):
                return names, sorted(set(OFFERED.findall(text)))[:200] or [""]
        return ["q"], [""]


def path_of(rng: random.Random, template: str, ids: dict[str, str]) -> str:
    """The template with each id mostly its own object, else another real one, a missing order or a random UUID."""
    others = [ids[name] for name in (*ORDERS, "message", "missing")]

    def ident(name: str) -> str:
        roll = rng.random()
        if roll < 0.6:
            return ids[name]
        if roll < 0.9:
            return rng.choice(others)
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    return template.format(**{name: ident(name) for name in PLACEHOLDER.findall(template)})


def pairs_strategy(names: list[str], values: list[str]) -> st.SearchStrategy[list[Pair]]:
    name = st.one_of(st.sampled_from(names), st.sampled_from(names), st.text(min_size=1, max_size=30))
    value = st.one_of(
        st.sampled_from(values), st.text(max_size=80), st.sampled_from(NASTY), st.sampled_from(NASTY)
    )
    return st.lists(st.tuples(name, value), max_size=12)


def encoded(pairs: list[Pair]) -> str:
    """application/x-www-form-urlencoded, lone surrogates sent as the bytes a broken client would send."""
    return "&".join(
        f"{quote_plus(n.encode('utf-8', 'surrogatepass'))}={quote_plus(v.encode('utf-8', 'surrogatepass'))}"
        for n, v in pairs
    )


def send(fuzzer: Fuzzer, database: Database, method: str, path: str, pairs: list[Pair], csrf: str) -> None:
    """One request as the fuzzer's person; asserts it is told without a crash, and written on no refusal."""
    fuzzer.ensure_stage()
    before = written(database)
    if method == "GET":
        response = fuzzer.client.get(path, query_string=encoded(pairs))
    else:
        token = {"right": [("csrf_token", fuzzer.token)], "wrong": [("csrf_token", "x" * 43)]}
        body = encoded([*token.get(csrf, []), *pairs])
        response = fuzzer.client.post(path, data=body, content_type="application/x-www-form-urlencoded")
    text = response.get_data().decode("utf-8", "replace")  # a PDF is bytes
    response.close()
    said = f"{method} {path} as {fuzzer.who} with {pairs!r:.600} (token {csrf}) -> {response.status_code}"
    assert response.status_code < 500, said
    assert "Traceback" not in text, said
    if response.status_code >= 400:
        assert refusal_page_problem(response, response.status_code, english=False) is None, said
    if response.status_code >= 400 or (method == "POST" and csrf != "right"):
        assert written(database) == before, f"{said}: written on a refusal"


def fuzz(fuzzer: Fuzzer, database: Database, method: str, template: str) -> None:
    """Every field of the page at once with each of EVERY_FIELD, then EXAMPLES generated requests."""
    names, values = fuzzer.names_and_values(template)
    own = template.format(**fuzzer.ids)
    for nasty in EVERY_FIELD:
        send(fuzzer, database, method, own, [(name, nasty) for name in names], "right")

    @settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(pairs=pairs_strategy(names, values), choice=st.integers())
    def example(pairs: list[Pair], choice: int) -> None:
        # The path's ids and the token are chosen by a Random seeded with what hypothesis generated, as in
        # the API's fuzz run: strategies lean to their first choice and would leave the others untried.
        rng = random.Random(f"{SEED}:{method} {template}:{pairs!r}:{choice}")
        csrf = rng.choices(("right", "wrong", "missing"), weights=(8, 1, 1))[0]
        send(fuzzer, database, method, path_of(rng, template, fuzzer.ids), pairs, csrf)

    example()


@pytest.mark.parametrize(("who", "pages"), sorted(TARGETS.items()), ids=[who for who in sorted(TARGETS)])
def test_every_page_tells_hostile_input_without_a_crash_or_a_write(
    portal_app, people, caseload, database, who, pages
):
    ids = placeholders(objects(caseload))
    fuzzer = Fuzzer(Visitors(portal_app, people), who, ids)
    for method, template in pages:
        fuzz(fuzzer, database, method, template)


def test_every_route_someone_may_use_is_fuzzed(portal_app):
    """A route the portal serves is fuzzed, unless the access table lets no one use it."""
    example = {name: str(uuid.uuid4()) for name in (*ORDERS, "missing", "message", "key", "threat")}

    def route(method: str, template: str) -> tuple[str, str]:
        return rule_of(portal_app, template.format(**example)), method

    fuzzed = {route(method, template) for pages in TARGETS.values() for method, template in pages}
    usable = {route(*row) for row, outcomes in ACCESS.items() if fuzzed_as(*row, outcomes) is not None}
    served = {
        (rule.endpoint, method)
        for rule in portal_app.url_map.iter_rules()
        if rule.endpoint.startswith("portal.")
        for method in ("GET", "POST")
        if method in (rule.methods or ())
    }
    assert served & usable - fuzzed == set()
    assert usable <= served

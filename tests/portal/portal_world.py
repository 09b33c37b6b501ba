"""The world the portal's access table and fuzz run aim at: every kind of person, one object of each kind.

Every order is the investigating judge's (Juge d'instruction de Paris), addressed to Example Mail's
designated establishment in Ireland: a judge, because only a judge's order for traffic data is
notified to Ireland's enforcing authority (Art. 8) without a validation first, and the enforcing
authority's reviewer needs an order of its own to see. The other kinds of person have nothing to do
with them: another authority (Parquet de Lyon), another provider (Other Cloud); the oversight body
reads everything. Objects are made through the API, as the parties' own systems make them.
"""

import re
import uuid
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from portal_helpers import CSRF_INPUT

from broker import crypto
from broker.audit.operations import integrate_all
from broker.db import Base
from broker.db import Database
from broker.parties import operations
from broker.parties.models import Organisation
from broker.parties.models import User
from tests.remembered import autocommit
from tests.removal.examples import threat_notification

ISSUER = "judge"
ANONYMOUS = "anonymous"
# Each kind of person, by the network party they belong to (tests/conftest.py's `network`).
PEOPLE = (ISSUER, "other_authority", "provider", "other_provider", "enforcing", "oversight", ANONYMOUS)
NOTIFIED = {  # traffic data, the person living elsewhere: Ireland's enforcing authority is notified (Art. 8)
    "data_categories": ["traffic"],
    "offence_committed_in_issuing_state": True,
    "person_resides_in_issuing_state": False,
}
# What a refused request must leave as it was: these columns of every row of these tables.
WRITTEN = {
    "orders": ("id", "state"),
    "messages": ("id",),
    "evidence_packages": ("id", "state"),
    "signing_keys": ("kid", "revoked_at"),
    "mail_choices": ("user_id", "topic", "wanted"),
    "users": ("id", "password_hash", "language"),
}
PROBLEM_PAGE = re.compile(r'<h1 class="heading-l">[^<]+</h1>\s*<p class="body">[^<]+</p>')
ERROR_SUMMARY = re.compile(r'<div class="error-summary" role="alert"[^>]*>.*?<li>.+?</li>', re.DOTALL)


def written(database: Database) -> dict[str, list[tuple[str | None, ...]]]:
    """The WRITTEN columns of every row as text, to compare before and after a request: one statement.

    One SELECT per table, each padded with NULLs to the widest, in a UNION ALL ordered by table and key.
    """
    width = max(map(len, WRITTEN.values()))
    selects = []
    for name, columns in WRITTEN.items():
        table = Base.metadata.tables[name]
        values = [sa.cast(table.c[column], sa.Text) for column in columns] + [sa.null()] * width
        labelled = (value.label(f"c{position}") for position, value in enumerate(values[:width]))
        selects.append(sa.select(sa.literal(name).label("t"), *labelled))
    found: dict[str, list[tuple[str | None, ...]]] = {name: [] for name in WRITTEN}
    statement = sa.union_all(*selects).order_by(sa.text("t"), sa.text("c0"))
    with autocommit(database) as connection:
        for name, *values in connection.execute(statement):
            found[name].append(tuple(values[: len(WRITTEN[name])]))
    return found


def objects(caseload: Any) -> dict[str, str]:
    """The judge's orders, one per state a page starts from, its certificate message and an evidence package.

    {draft} a draft; {issued} issued, not yet received; {received} received by Example Mail, with an
    evidence package {package} announced on it; {notified} issued and notified to the enforcing
    authority; {message} {issued}'s signed EPOC; {key} a signing key of the judge's court that the
    judge holds; {threat} Example Mail's notification of a threat to life or safety (DSA Art. 18) to the
    judge's court.
    """
    draft = caseload.draft("JUGE-DRAFT", author=ISSUER)
    issued = caseload.issued("JUGE-ISSUED", author=ISSUER)
    received = caseload.received("JUGE-RECEIVED", author=ISSUER)
    notified = caseload.issued("JUGE-NOTIFIED", author=ISSUER, **NOTIFIED)
    exchange = caseload.exchange
    package = exchange.client.post(
        f"/api/v1/orders/{received['id']}/evidence",
        json={"file_name": "mailbox.mbox.age", "size": 3000, "sha256": "ab" * 32},
        headers=exchange.network["provider"].headers,
    )
    assert package.status_code == 201, package.get_json()
    notifier, judge = exchange.network["provider"], exchange.network[ISSUER]
    threat = exchange.client.post(
        "/api/v1/threat-notifications",
        data=notifier.sign("threat-notification", threat_notification(), judge.organisation_id),
        content_type="application/jose",
        headers=notifier.headers,
    )
    assert threat.status_code == 201, threat.get_json()
    return {
        "draft": draft["id"],
        "issued": issued["id"],
        "received": received["id"],
        "notified": notified["id"],
        "message": next(m["id"] for m in issued["messages"] if m["type"] == "epoc"),
        "package": package.get_json()["id"],
        "key": held_key(caseload, ISSUER),
        "threat": threat.get_json()["id"],
    }


def held_key(caseload: Any, handle: str) -> str:
    """The kid of a new ES256 key of `handle`'s organisation, registered as held by `handle`'s person."""
    jwk = crypto.public_jwk(crypto.generate_private_key("ES256"))
    with caseload.database.transaction() as session:
        holder = session.scalars(sa.select(User).where(User.email == f"{handle}@example.test")).one()
        organisation = session.get_one(Organisation, holder.organisation_id)
        kid = operations.register_key(
            session, caseload.clock, organisation=organisation, jwk=jwk, holder=holder
        ).kid
    integrate_all(caseload.database)
    return kid


@dataclass
class Visitors:
    """A browser per kind of person, signed in through the pages (or not, for the anonymous visitor)."""

    app: Flask
    people: Any
    clients: dict[str, FlaskClient] = field(default_factory=dict)

    def __getitem__(self, who: str) -> FlaskClient:
        if who not in self.clients:
            self.clients[who] = self.fresh(who)
        return self.clients[who]

    def fresh(self, who: str) -> FlaskClient:
        """A new browser for `who`: signed in with both factors, or holding only the pre-session cookie."""
        client = self.app.test_client()
        if who == ANONYMOUS:
            client.get("/login")
            return client
        return self.people.sign_in(client, self.people.add(who))

    def halfway(self, who: str, *, enrolled: bool) -> FlaskClient:
        """A new browser for `who` past the password only: at the code (enrolled) or at enrolling one."""
        person = self.people.add(who, enrolled=enrolled)
        client = self.app.test_client()
        page = client.get("/login")
        found = CSRF_INPUT.search(page.get_data(as_text=True))
        assert found, "the sign-in page has no form"
        answer = client.post(
            "/login", data={"email": person.email, "password": person.password, "csrf_token": found.group(1)}
        )
        following = "/login/code" if enrolled else "/account/two-factor"
        assert answer.status_code == 303 and answer.headers["Location"].startswith(following), answer.headers
        return client

    def signed_out(self, who: str) -> bool:
        """Whether `who`'s browser lost its session (a sign-out, a password change)."""
        return who != ANONYMOUS and self[who].get("/account").status_code != 200

    def token(self, who: str) -> str:
        """The CSRF token of `who`'s forms: the session's, or the pre-session cookie's."""
        page = self[who].get("/login" if who == ANONYMOUS else "/account")
        found = CSRF_INPUT.search(page.get_data(as_text=True))
        assert found, f"no form on the page {who} was shown"
        return found.group(1)


def placeholders(ids: dict[str, str]) -> dict[str, str]:
    """The path template's names, each an id of the world or, for {missing}, an order that does not exist."""
    return {**ids, "missing": str(uuid.UUID(int=0x5EED, version=4))}


# The heading of the page that tells each refusal (broker/portal/errors.py), by status.
REFUSAL_HEADINGS = {
    400: ("The form could not be sent", "There is a problem with your request"),
    403: ("You cannot do this",),
    404: ("Page not found",),
    405: ("This page cannot be used this way",),
    409: ("This cannot be done now",),
    413: ("What you sent is too large",),
    422: ("Some of the information is not right", "There is a problem"),
    429: ("Too many attempts",),
}


def refusal_page_problem(response: Any, status: int, *, english: bool = True) -> str | None:
    """What keeps a refusal from being told to a person: not HTML, no message, a stack trace.

    The message is a problem page's heading and advice, or a form's error summary with its list;
    `english` also asks for the heading broker/portal/errors.py gives the status in English.
    """
    if response.mimetype != "text/html":
        return f"a {response.mimetype} answer, not a page"
    text = response.get_data(as_text=True)
    if "Traceback" in text or 'File "/' in text:
        return "a stack trace on the page"
    if not (PROBLEM_PAGE.search(text) or ERROR_SUMMARY.search(text)):
        return "a page with neither a problem's heading and advice nor an error summary"
    headings = REFUSAL_HEADINGS.get(status, ("There is a problem with your request",))
    if english and not any(f">{heading}<" in text for heading in headings):
        return f"a page without any of the headings {headings}"
    return None

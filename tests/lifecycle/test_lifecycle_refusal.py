"""The requested Party refuses to give effect to a Council of Europe order it took delivery of.

CETS 224 Art. 8(7) (UNCONFIRMED: the Protocol's text was not found) lets the requested Party refuse to execute
an Art. 8 request on the grounds of Art. 25(4) or 27(4) of the Budapest Convention and notify the requesting
Party; Budapest Art. 29(4)-(5) (read) lets it refuse a preservation request only for dual criminality where
reserved, a political offence, or its essential interests. The refusal is the authority's signed
requested-party-refusal to the issuing authority: the order is refused, never served, every clock stops, the
log holds the step and the issuing authority's webhook hears of it. A ground the route's treaty does not list,
a route without a refusal (Art. 9), a refusal once served or by another side is refused, naming why.
"""

import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from broker.clocks.models import STOPPED
from broker.lifecycle import Clock
from broker.notify.models import OutboxMessage
from broker.parties.models import Organisation
from broker.problems import PROBLEM_BASE
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role
from broker.vocabulary import TreatyRole

HOOK = "http://127.0.0.1:9/refusal-hook"
ART9 = {"emergency": True, "emergency_justification": "A child is held now and the account shows where."}
REASONS = "Executing the order would prejudice an ongoing state security inquiry."


@pytest.fixture
def coe(flow: Any, client: Any, network: Any, database: Any) -> Any:
    """Tokyo's prosecutor and Paris's, Belgrade Mail (in Serbia), Serbia's competent authority and its 24/7
    point of contact; the issuers have webhooks, so the outbox shows what the issuing authority heard."""
    issuing, enforcing = OrganisationKind.ISSUING_AUTHORITY, OrganisationKind.ENFORCING_AUTHORITY
    network.add(
        "tokyo", "Tokyo District Public Prosecutors Office", issuing, "JP", Role.CASEWORKER,
        AuthorityType.PUBLIC_PROSECUTOR,
    )  # fmt: skip
    network.add(
        "belgrade_mail", "Belgrade Mail", OrganisationKind.PROVIDER, "RS", Role.LEGAL_OFFICER,
        addressee_country="RS",
    )  # fmt: skip
    network.add(
        "belgrade", "Higher Public Prosecutor's Office in Belgrade", enforcing, "RS", Role.REVIEWER,
        AuthorityType.PUBLIC_PROSECUTOR,
    )  # fmt: skip
    network.add(
        "belgrade_247", "Serbian 24/7 point of contact", enforcing, "RS", Role.REVIEWER,
        AuthorityType.OTHER_COMPETENT_AUTHORITY,
    )  # fmt: skip
    with database.transaction() as session:
        session.execute(
            sa.update(Organisation)
            .where(Organisation.id == uuid.UUID(network["belgrade_247"].organisation_id))
            .values(treaty_role=TreatyRole.POINT_OF_CONTACT_24_7)
        )
    for party in ("tokyo", "prosecutor"):
        hook = client.post("/api/v1/webhooks", json={"url": HOOK}, headers=network[party].headers)
        assert hook.status_code == 201, hook.get_json()
    return flow


def issued(coe: Any, drafts: Any, kind: str) -> dict[str, Any]:
    """An Art. 8 or Art. 9 order from Tokyo, or an Art. 29 request from Paris, to Belgrade Mail."""
    addressee = coe.network.addressees["belgrade_mail"]
    if kind == "art29":
        author, order_type = "prosecutor", "epoc-pr"
        certificate = drafts.epoc_pr(
            addressee, instrument="cets-185-art29", subsequent_request="mla", data_categories=["traffic"]
        )
    else:
        author, order_type = "tokyo", "epoc"
        certificate = drafts.epoc(
            addressee, instrument=f"cets-224-{kind}", **(ART9 if kind == "art9" else {})
        )
    certificate = {name: value for name, value in certificate.items() if value is not None}
    answer = coe.client.post(
        "/api/v1/orders",
        json={"order_type": order_type, "certificate": certificate},
        headers=coe.network[author].headers,
    )
    assert answer.status_code == 201, answer.get_json()
    draft = answer.get_json()
    assert draft["checks"]["blocking"] is False, draft["checks"]["findings"]
    return coe.exchange.issue(draft, author=author)


def act(coe: Any, handle: str, order: dict[str, Any], action: str) -> dict[str, Any]:
    answer = coe.client.post(f"/api/v1/orders/{order['id']}/{action}", headers=coe.fresh(handle).headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def taken(coe: Any, drafts: Any, kind: str) -> dict[str, Any]:
    """Issued, and taken delivery of by the route's authority: awaiting service."""
    order = issued(coe, drafts, kind)
    act(coe, "belgrade_247" if kind == "art9" else "belgrade", order, "receive")
    return order


def refuse(coe: Any, order: dict[str, Any], grounds: list[str], handle: str = "belgrade") -> Any:
    return coe.post(handle, order, "requested-party-refusal", {"grounds": grounds, "explanation": REASONS})


def heard_by(coe: Any, order: dict[str, Any], handle: str) -> list[str]:
    with coe.database.transaction() as session:
        return list(
            session.scalars(
                sa.select(OutboxMessage.event)
                .where(
                    OutboxMessage.order_id == uuid.UUID(order["id"]),
                    OutboxMessage.organisation_id == uuid.UUID(coe.network[handle].organisation_id),
                )
                .order_by(OutboxMessage.created_at)
            )
        )


# (route, grounds, citation): each ground a treaty allows, one case per ground and article.
ALLOWED = [
    ("art8", ["political_offence"], "CETS 224 Art. 8(7), CETS 185 Art. 27(4)(a)"),
    ("art8", ["essential_interests"], "CETS 224 Art. 8(7), CETS 185 Art. 27(4)(b)"),
    ("art8", ["mutual_assistance_law"], "CETS 224 Art. 8(7), CETS 185 Art. 25(4)"),
    ("art29", ["dual_criminality"], "CETS 185 Art. 29(4)"),
    ("art29", ["political_offence"], "CETS 185 Art. 29(5)(a)"),
    ("art29", ["essential_interests", "political_offence"], "CETS 185 Art. 29(5)(a)-(b)"),
]


@pytest.mark.parametrize(
    ("kind", "grounds", "citation"), ALLOWED, ids=[f"{c[0]}-{'+'.join(c[1])}" for c in ALLOWED]
)
def test_the_requested_party_refuses_on_a_ground_its_treaty_allows(coe, drafts, kind, grounds, citation):
    order = taken(coe, drafts, kind)
    issuer = "prosecutor" if kind == "art29" else "tokyo"
    answer = refuse(coe, order, grounds)
    assert answer.status_code == 201, (citation, answer.get_json())
    assert coe.state(order) == "refused"
    running = {name: status for name, status in coe.clocks(order).items() if status != STOPPED}
    assert running == {}, f"every clock ends with the refusal ({citation}): {running}"
    if kind == "art8":
        assert coe.clock_of(order, Clock.SERVICE).status == STOPPED
    else:
        assert coe.clock_of(order, Clock.PRESERVATION).status == STOPPED  # Art. 29(7) no longer runs
    assert "order.requested-party-refusal" in coe.actions(order)
    assert heard_by(coe, order, issuer)[-1] == "order.requested-party-refusal"
    stored = coe.client.get(f"/api/v1/orders/{order['id']}", headers=coe.fresh(issuer).headers).get_json()
    assert stored["state"] == "refused" and stored["served_at"] is None
    # Never served: the provider never sees it, and the authority can no longer serve it.
    seen = coe.client.get(f"/api/v1/orders/{order['id']}", headers=coe.fresh("belgrade_mail").headers)
    assert seen.status_code == 404
    late = coe.client.post(f"/api/v1/orders/{order['id']}/serve", headers=coe.fresh("belgrade").headers)
    assert late.status_code == 409


# (route, grounds, the article that does not allow it)
NOT_ALLOWED = [
    ("art8", ["dual_criminality"], "CETS 185 Art. 29(4) is for preservation, not Art. 8(7)"),
    ("art29", ["mutual_assistance_law"], "CETS 185 Art. 29(5): 'may only be refused if'"),
]


@pytest.mark.parametrize(
    ("kind", "grounds", "why"), NOT_ALLOWED, ids=["art8-dual-criminality", "art29-mla-law"]
)
def test_a_ground_the_route_does_not_list_is_refused_naming_the_article(coe, drafts, kind, grounds, why):
    order = taken(coe, drafts, kind)
    answer = refuse(coe, order, grounds)
    document = answer.get_json()
    assert answer.status_code == 422, (why, document)
    assert answer.mimetype == "application/problem+json"
    assert document["type"] == PROBLEM_BASE + "validation-error"
    article = "Art. 8(7)" if kind == "art8" else "Art. 29(4)-(5)"
    assert article in document["detail"] and grounds[0] in document["detail"]
    assert "grounds" in document["errors"]["body"]
    assert coe.state(order) == "awaiting_service", "a refused message changes nothing"


def test_an_art9_request_has_no_refusal_through_the_broker(coe, drafts):
    """CETS 224 Art. 9: the route lists no refusal (broker.legal.routes.ART9.refusal is None)."""
    order = taken(coe, drafts, "art9")
    answer = refuse(coe, order, ["essential_interests"], handle="belgrade_247")
    document = answer.get_json()
    assert answer.status_code == 409 and document["type"] == PROBLEM_BASE + "transition-not-allowed"
    assert "cets-224-art9" in document["detail"]


@pytest.mark.parametrize(
    ("before", "handle", "status", "problem"),
    [
        ("issued", "belgrade", 409, "transition-not-allowed"),  # take delivery first
        ("served", "belgrade", 409, "transition-not-allowed"),  # given effect already
        ("awaiting_service", "tokyo", 403, "forbidden"),  # the requested Party's alone
    ],
)
def test_only_the_requested_party_refuses_and_only_before_service(
    coe, drafts, before, handle, status, problem
):
    order = issued(coe, drafts, "art8")
    if before != "issued":
        act(coe, "belgrade", order, "receive")
    if before == "served":
        act(coe, "belgrade", order, "serve")
    answer = refuse(coe, order, ["essential_interests"], handle=handle)
    document = answer.get_json()
    assert answer.status_code == status, document
    assert document["type"] == PROBLEM_BASE + problem
    assert coe.state(order) == before


def test_a_regulation_order_has_no_requested_party(flow):
    """Regulation (EU) 2023/1543: the enforcing authority reviews under Art. 12, it does not refuse as a
    requested Party."""
    order = flow.notified()
    flow.exchange.receive(order)
    answer = flow.post(
        "enforcing",
        order,
        "requested-party-refusal",
        {"grounds": ["essential_interests"], "explanation": REASONS},
    )
    assert answer.status_code == 409, answer.get_json()
    assert flow.state(order) == "received"

"""CETS 224 Art. 8 and Art. 9 orders through the API, on their own routes: through an authority.

An Art. 8 order from Tokyo goes first to Serbia's competent authority, which takes delivery (the 45 days
to serve start), gives effect to it and serves it on Belgrade Mail; the provider's 20 days (subscriber
information) or 45 days (traffic data) run from that service, and the provider sees the order only from
then on. An Art. 9 emergency request goes to Serbia's 24/7 point of contact, whose receipt starts the
provider's clock, and which passes it on. Each clock is tried at the instant before, at and after its end
(broker.legal.routes.breached); every step leaves its audit entry and its notifications, as EU orders do.
"""

import uuid
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from broker.clocks.models import FIRED
from broker.clocks.models import RUNNING
from broker.clocks.models import STOPPED
from broker.legal import routes
from broker.lifecycle import Clock
from broker.notify.models import MailMessage
from broker.notify.models import OutboxMessage
from broker.parties.models import Organisation
from broker.parties.models import User
from broker.parties.people.operations.credentials import set_password
from broker.problems import PROBLEM_BASE
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role
from broker.vocabulary import TreatyRole

HOOK = "http://127.0.0.1:9/route-hook"
TICK = timedelta(microseconds=1)
PRODUCED = {"outcome": "produced", "data_preserved": True}
ART9 = {"emergency": True, "emergency_justification": "A child is held now and the account shows where."}


@pytest.fixture
def coe(flow: Any, client: Any, network: Any, database: Any) -> Any:
    """Tokyo's prosecutor, Belgrade Mail (established in Serbia), Serbia's competent authority and its
    24/7 point of contact, and Ireland's enforcing authority (a stranger to these orders); every party but
    the issuer has a webhook, so the outbox shows who heard of what."""
    enforcing = OrganisationKind.ENFORCING_AUTHORITY
    network.add_serbian_route()
    network.add(
        "belgrade_247",
        "Serbian 24/7 point of contact",
        enforcing,
        "RS",
        Role.REVIEWER,
        AuthorityType.OTHER_COMPETENT_AUTHORITY,
    )
    with database.transaction() as session:  # as `broker org create --treaty-role` registers it
        session.execute(
            sa.update(Organisation)
            .where(Organisation.id == uuid.UUID(network["belgrade_247"].organisation_id))
            .values(treaty_role=TreatyRole.POINT_OF_CONTACT_24_7)
        )
    for party in ("belgrade_mail", "belgrade", "belgrade_247"):
        hook = client.post("/api/v1/webhooks", json={"url": HOOK}, headers=network[party].headers)
        assert hook.status_code == 201, hook.get_json()
    return flow


def issued(coe: Any, drafts: Any, article: str, **changes: Any) -> dict[str, Any]:
    """An Art. 8 (subscriber information unless told otherwise) or Art. 9 order from Tokyo to Belgrade Mail."""
    extra = ART9 if article == "art9" else {}
    certificate = drafts.epoc(
        coe.network.addressees["belgrade_mail"], instrument=f"cets-224-{article}", **extra | changes
    )
    certificate = {name: value for name, value in certificate.items() if value is not None}  # None: left out
    answer = coe.client.post(
        "/api/v1/orders",
        json={"order_type": "epoc", "certificate": certificate},
        headers=coe.network["tokyo"].headers,
    )
    assert answer.status_code == 201, answer.get_json()
    draft = answer.get_json()
    assert draft["checks"]["blocking"] is False, draft["checks"]["findings"]
    return coe.exchange.issue(draft, author="tokyo")


def act(coe: Any, handle: str, order: dict[str, Any], action: str) -> Any:
    return coe.client.post(f"/api/v1/orders/{order['id']}/{action}", headers=coe.fresh(handle).headers)


def step(coe: Any, handle: str, order: dict[str, Any], action: str) -> dict[str, Any]:
    answer = act(coe, handle, order, action)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def problem(answer: Any, status: int, kind: str) -> dict[str, Any]:
    document = answer.get_json()
    assert answer.status_code == status, document
    assert answer.mimetype == "application/problem+json"
    assert document["type"] == PROBLEM_BASE + kind, document
    return document


def served(coe: Any, drafts: Any, article: str, **changes: Any) -> dict[str, Any]:
    order = issued(coe, drafts, article, **changes)
    authority = "belgrade_247" if article == "art9" else "belgrade"
    step(coe, authority, order, "receive")
    return step(coe, authority, order, "serve")


def heard_by(coe: Any, order: dict[str, Any], handle: str) -> list[str]:
    """The events queued for one party's webhook about this order."""
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


def travel_to(clock: Any, moment: Any) -> None:
    delta = moment - clock()
    assert delta >= timedelta(0), "time travel goes forward only"
    clock.advance(days=delta.days, seconds=delta.seconds, microseconds=delta.microseconds)


# Art. 8: through the requested Party's competent authority -----------------------------------------


def test_an_art8_order_goes_to_the_requested_partys_authority_first(coe, drafts):
    """CETS 224 Art. 8: the order is submitted to the requested Party, not to the provider."""
    order = issued(coe, drafts, "art8")
    assert order["state"] == "issued"
    assert order["enforcing_authority"]["id"] == coe.network["belgrade"].organisation_id
    assert order["served_at"] is None
    assert coe.clocks(order) == {}, "nothing runs until the authority takes delivery"
    # The provider does not know of it yet: no page, no delivery, no notification.
    problem(act(coe, "belgrade_mail", order, "receive"), 404, "not-found")
    problem(
        coe.client.get(f"/api/v1/orders/{order['id']}", headers=coe.network["belgrade_mail"].headers),
        404,
        "not-found",
    )
    assert heard_by(coe, order, "belgrade_mail") == []
    assert heard_by(coe, order, "belgrade") == ["order.issued"]
    # A 24/7 point of contact is not the competent authority of Art. 8, and sees nothing.
    problem(act(coe, "belgrade_247", order, "receive"), 404, "not-found")


def test_the_authority_takes_delivery_serves_and_the_provider_answers(coe, drafts, clock):
    """CETS 224 Art. 8: receipt starts the time to serve; service starts the provider's 20 days."""
    order = issued(coe, drafts, "art8")
    received = clock()
    taken = step(coe, "belgrade", order, "receive")
    assert taken["state"] == "awaiting_service"
    service = coe.clock_of(order, Clock.SERVICE)
    assert service is not None and service.status == RUNNING
    assert service.due_at == received + timedelta(days=45)
    assert step(coe, "belgrade", order, "receive")["state"] == "awaiting_service", (
        "taking delivery again changes nothing"
    )
    problem(act(coe, "belgrade_mail", order, "receive"), 404, "not-found")

    clock.advance(days=3)
    serving = clock()
    done = step(coe, "belgrade", order, "serve")
    assert done["state"] == "served" and done["served_at"] is not None
    assert coe.clock_of(order, Clock.SERVICE).status == STOPPED
    production = coe.clock_of(order, Clock.PRODUCTION)
    assert production.status == RUNNING
    assert production.due_at == serving + timedelta(days=20), "from service, not from issuing (Art. 8)"
    assert coe.clocks(order) == {"service": "stopped", "production": "running"}

    clock.advance(hours=2)
    assert coe.exchange.receive(order, provider="belgrade_mail")["state"] == "received"
    assert coe.clock_of(order, Clock.PRODUCTION).due_at == serving + timedelta(days=20), (
        "receipt moves nothing"
    )
    answer = coe.post("belgrade_mail", order, "response", PRODUCED)
    assert answer.status_code == 201, answer.get_json()
    assert coe.state(order) == "produced"
    actions = coe.actions(order)
    for action in (
        "order.issued",
        "order.received_for_service",
        "order.served",
        "order.received",
        "order.response",
    ):
        assert actions.count(action) == 1, (action, actions)
    assert actions.index("order.served") < actions.index("order.received")
    assert heard_by(coe, order, "belgrade_mail")[0] == "order.served", "the provider hears of it when served"


def test_traffic_data_have_45_days_from_service(coe, drafts, clock):
    """CETS 224 Art. 8: traffic data within 45 days of service (UNCONFIRMED in routes.ART8_TRAFFIC)."""
    order = served(coe, drafts, "art8", data_categories=["subscriber", "traffic"])
    production = coe.clock_of(order, Clock.PRODUCTION)
    assert production.due_at == production.started_at + timedelta(days=45)
    assert routes.ART8_TRAFFIC.runs_from is routes.Event.SERVICE


def test_only_the_requested_partys_authority_serves_and_only_once(coe, drafts, network):
    order = issued(coe, drafts, "art8")
    problem(act(coe, "belgrade", order, "serve"), 409, "transition-not-allowed")  # take delivery first
    step(coe, "belgrade", order, "receive")
    problem(act(coe, "tokyo", order, "serve"), 403, "forbidden")  # the issuer serves nothing
    problem(act(coe, "enforcing", order, "serve"), 404, "not-found")  # Ireland is no party to it
    step(coe, "belgrade", order, "serve")
    document = problem(act(coe, "belgrade", order, "serve"), 409, "transition-not-allowed")
    assert "served" in document["detail"]


def test_an_order_that_goes_to_the_provider_directly_is_not_served(flow):
    """The Regulation's orders (and CETS 224 Art. 7's) reach the provider without an authority."""
    order = flow.notified()
    answer = flow.client.post(
        f"/api/v1/orders/{order['id']}/serve", headers=flow.network["enforcing"].headers
    )
    document = problem(answer, 409, "transition-not-allowed")
    assert "directly" in document["detail"]
    taking = flow.client.post(
        f"/api/v1/orders/{order['id']}/receive", headers=flow.network["enforcing"].headers
    )
    problem(taking, 403, "forbidden")


def test_without_a_competent_authority_of_the_requested_party_the_order_cannot_be_issued(
    flow, drafts, network
):
    """CETS 224 Art. 8: no authority registered for Serbia, nobody to give effect to the order."""
    network.add(
        "tokyo",
        "Tokyo District Public Prosecutors Office",
        OrganisationKind.ISSUING_AUTHORITY,
        "JP",
        Role.CASEWORKER,
        AuthorityType.PUBLIC_PROSECUTOR,
    )
    network.add(
        "belgrade_mail",
        "Belgrade Mail",
        OrganisationKind.PROVIDER,
        "RS",
        Role.LEGAL_OFFICER,
        addressee_country="RS",
    )
    certificate = drafts.epoc(network.addressees["belgrade_mail"], instrument="cets-224-art8")
    draft = flow.client.post(
        "/api/v1/orders",
        json={"order_type": "epoc", "certificate": certificate},
        headers=network["tokyo"].headers,
    ).get_json()
    party = network["tokyo"]
    jws = party.sign("epoc", draft["certificate"], draft["provider"]["id"])
    answer = flow.client.post(
        f"/api/v1/orders/{draft['id']}/issue",
        data=jws,
        content_type="application/jose",
        headers=party.headers,
    )
    document = problem(answer, 422, "invalid-reference")
    assert "RS" in document["detail"]


@pytest.mark.parametrize(
    ("name", "length", "action", "breached"),
    [("service", timedelta(days=45), "service.overdue", False)],
)
def test_the_time_to_serve_before_at_and_after_its_end(
    coe, drafts, clock, work, name, length, action, breached
):
    """CETS 224 Art. 8: the requested Party's 45 days to serve; late, the issuer may ask why. Nothing
    ends, and the provider is not in breach of anything it has not received."""
    order = issued(coe, drafts, "art8")
    step(coe, "belgrade", order, "receive")
    row = coe.clock_of(order, Clock.SERVICE)
    assert row.due_at == row.started_at + length
    for moment in (row.due_at - TICK, row.due_at):
        travel_to(clock, moment)
        assert not [line for line in work() if line.startswith(action)]
    travel_to(clock, row.due_at + TICK)
    assert [line.split(":")[0] for line in work() if line.startswith(action)] == [action]
    after = coe.clock_of(order, Clock.SERVICE)
    assert after.status == FIRED and after.breached is breached
    assert coe.state(order) == "awaiting_service"
    assert action in heard_by(coe, order, "belgrade")
    assert heard_by(coe, order, "belgrade_mail") == []


def test_the_providers_20_days_from_service_before_at_and_after_their_end(coe, drafts, clock, work):
    order = served(coe, drafts, "art8")
    row = coe.clock_of(order, Clock.PRODUCTION)
    for moment in (row.due_at - TICK, row.due_at):
        travel_to(clock, moment)
        assert not [line for line in work() if line.startswith("deadline.missed")]
    travel_to(clock, row.due_at + TICK)
    assert [line.split(":")[0] for line in work() if line.startswith("deadline.missed")] == [
        "deadline.missed"
    ]
    assert coe.clock_of(order, Clock.PRODUCTION).breached is True


def test_the_regulations_own_steps_stay_refused_on_an_art8_order(coe, drafts):
    """Regulation Art. 12 is EU law: the requested Party does not review under it."""
    order = served(coe, drafts, "art8")
    coe.exchange.receive(order, provider="belgrade_mail")
    refused = coe.refuse("belgrade", order, "enforcing-review", status=409, problem="transition-not-allowed")
    assert "Art. 12" in refused["detail"]


def test_the_issuer_may_withdraw_before_service_and_the_provider_never_hears_of_it(coe, drafts):
    order = issued(coe, drafts, "art8")
    step(coe, "belgrade", order, "receive")
    answer = coe.post("tokyo", order, "withdrawal", to=order["provider"]["id"])
    assert answer.status_code == 201, answer.get_json()
    assert coe.state(order) == "withdrawn"
    assert coe.clocks(order) == {"service": "stopped"}
    assert heard_by(coe, order, "belgrade_mail") == []
    problem(act(coe, "belgrade", order, "serve"), 409, "transition-not-allowed")


# Art. 9: through the 24/7 point of contact ------------------------------------------------------------


def test_an_art9_request_goes_to_the_24_7_point_of_contact(coe, drafts, clock):
    """CETS 224 Art. 9(1): the point of contact receives it; the provider's time runs from that receipt."""
    order = issued(coe, drafts, "art9")
    assert order["enforcing_authority"]["id"] == coe.network["belgrade_247"].organisation_id
    assert heard_by(coe, order, "belgrade_mail") == [] and heard_by(coe, order, "belgrade") == []
    problem(act(coe, "belgrade", order, "receive"), 404, "not-found")
    received = clock()
    assert step(coe, "belgrade_247", order, "receive")["state"] == "awaiting_service"
    disclosure = coe.clock_of(order, Clock.PRODUCTION)
    assert disclosure.due_at == received + timedelta(hours=8)
    assert coe.clock_of(order, Clock.SERVICE) is None, "Art. 9 has no time to serve of its own"
    clock.advance(minutes=20)
    assert step(coe, "belgrade_247", order, "serve")["state"] == "served"
    assert coe.clock_of(order, Clock.PRODUCTION).due_at == received + timedelta(hours=8), (
        "service moves nothing"
    )
    assert heard_by(coe, order, "belgrade_mail")[0] == "order.served"
    coe.exchange.receive(order, provider="belgrade_mail")
    assert coe.post("belgrade_mail", order, "response", PRODUCED).status_code == 201
    assert coe.state(order) == "produced"


def test_the_providers_people_are_mailed_when_served_not_when_issued(coe, drafts, database):
    """An order arrives at the provider when served: its people are mailed then, not at issue."""

    def mails(to: str) -> list[str]:
        with database.transaction() as session:
            return list(
                session.scalars(
                    sa.select(MailMessage.event).where(
                        MailMessage.order_id == uuid.UUID(order["id"]), MailMessage.to_address == to
                    )
                )
            )

    with database.transaction() as session:  # people who can sign in to the portal receive mail
        for handle in ("belgrade_mail", "belgrade_247"):
            user = session.scalar(sa.select(User).where(User.email == f"{handle}@example.test"))
            set_password(session, coe.clock, user, "correct horse battery staple 42")
    order = issued(coe, drafts, "art9")
    assert mails("belgrade_mail@example.test") == []
    assert mails("belgrade_247@example.test") == ["order.issued"]
    step(coe, "belgrade_247", order, "receive")
    step(coe, "belgrade_247", order, "serve")
    assert mails("belgrade_mail@example.test") == ["order.served"]


def test_without_a_24_7_point_of_contact_an_art9_request_cannot_be_issued(flow, drafts, network):
    network.add_serbian_route()
    certificate = drafts.epoc(network.addressees["belgrade_mail"], instrument="cets-224-art9", **ART9)
    draft = flow.client.post(
        "/api/v1/orders",
        json={"order_type": "epoc", "certificate": certificate},
        headers=network["tokyo"].headers,
    ).get_json()
    party = network["tokyo"]
    jws = party.sign("epoc", draft["certificate"], draft["provider"]["id"])
    answer = flow.client.post(
        f"/api/v1/orders/{draft['id']}/issue",
        data=jws,
        content_type="application/jose",
        headers=party.headers,
    )
    document = problem(answer, 422, "invalid-reference")
    assert "24/7" in document["detail"] and "--treaty-role point_of_contact_24_7" in document["detail"]


def test_the_art9_disclosure_clock_before_at_and_after_its_end(coe, drafts, clock, work):
    order = issued(coe, drafts, "art9")
    step(coe, "belgrade_247", order, "receive")
    row = coe.clock_of(order, Clock.PRODUCTION)
    for moment in (row.due_at - TICK, row.due_at):
        travel_to(clock, moment)
        assert not [line for line in work() if line.startswith("deadline.missed")]
    travel_to(clock, row.due_at + TICK)
    assert [line.split(":")[0] for line in work() if line.startswith("deadline.missed")] == [
        "deadline.missed"
    ]


# A certificate of version 3: none of the members only the Regulation's form asks for ------------------


def test_an_art8_order_without_the_regulations_form_members_travels_its_route(coe, drafts, client, sealed):
    """CETS 224 Art. 8 asks for no EU purpose, Art. 13 decision or domestic-order attestation (FORM_ONLY):
    the order is drafted, signed at version 3, issued, served, answered, and its PDF still renders."""
    order = issued(
        coe,
        drafts,
        "art8",
        purpose=None,
        user_information=None,
        similar_domestic_order_possible=None,
        necessity_and_proportionality=None,
    )
    certificate = next(m for m in order["messages"] if m["type"] == "epoc")
    assert certificate["sender"] == coe.network["tokyo"].organisation_id
    step(coe, "belgrade", order, "receive")
    step(coe, "belgrade", order, "serve")
    coe.exchange.receive(order, provider="belgrade_mail")
    assert coe.post("belgrade_mail", order, "response", PRODUCED).status_code == 201
    pdf = sealed.test_client().get(f"/api/v1/orders/{order['id']}/pdf", headers=coe.network["tokyo"].headers)
    assert pdf.status_code == 200, pdf.get_json()

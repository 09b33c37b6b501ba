"""Orders on their own routes in the portal (broker.legal.routes): the authority that serves the order takes
delivery and serves it from the order page, and every party reads the route, who serves and its clocks.

A CETS 224 Art. 8 order from Tokyo is issued through the API, as Tokyo's own system would; Serbia's
competent authority (the requested Party's, Art. 8) takes delivery and serves it on Belgrade Mail with the
page's buttons, as the API's POST /orders/{id}/receive and /serve do.
"""

from typing import Any

import pytest
from test_portal_actions import text
from test_portal_lifecycle_actions import send


@pytest.fixture
def tokyo(exchange: Any, network: Any, drafts: Any) -> Any:
    """issue(**changes) -> an Art. 8 order from Tokyo's prosecutor to Belgrade Mail, through Serbia's authority."""
    network.add_serbian_route()

    def issue(**changes: Any) -> dict[str, Any]:
        certificate = drafts.epoc(network.addressees["belgrade_mail"], instrument="cets-224-art8", **changes)
        answer = exchange.client.post(
            "/api/v1/orders",
            json={"order_type": "epoc", "certificate": certificate},
            headers=network["tokyo"].headers,
        )
        assert answer.status_code == 201, answer.get_json()
        return exchange.issue(answer.get_json(), author="tokyo")

    return issue


def test_the_requested_party_takes_delivery_and_serves_the_order(
    tokyo, signed_in, form_token, log_entries, network
):
    """CETS 224 Art. 8(5)(a) (UNCONFIRMED): the requested Party receives, then serves within 45 days."""
    order = tokyo()
    authority = signed_in("belgrade")
    page = authority.get(f"/orders/{order['id']}")
    shown = text(page)
    assert "Take delivery" in shown and "Serve on the provider" not in shown
    assert "Through the requested Party&#39;s competent authority, which serves it" in shown
    assert "Authority that serves it" in shown and "Higher Public Prosecutor" in shown
    assert "Starts when the authority takes delivery" in shown
    assert "45 days, from receipt by the first recipient" in shown
    assert "20 days, from service on the provider" in shown  # subscriber information only
    assert "Unconfirmed in the treaty's text" in shown

    taken = authority.post(f"/orders/{order['id']}/receive", data={"csrf_token": form_token(page)})
    assert taken.status_code == 303 and taken.headers["Location"] == f"/orders/{order['id']}?done=receive"
    page = authority.get(taken.headers["Location"])
    shown = text(page)
    assert '<span class="tag">With the authority that serves it</span>' in shown
    assert "Serve on the provider" in shown and "Take delivery" not in shown
    assert "Due by " in shown and "Service on the provider" in shown  # the clock in the deadlines table

    served = authority.post(f"/orders/{order['id']}/serve", data={"csrf_token": form_token(page)})
    assert served.status_code == 303 and served.headers["Location"] == f"/orders/{order['id']}?done=serve"
    shown = text(authority.get(served.headers["Location"]))
    assert "You have served the order on the provider, which can now see it and take delivery." in shown
    assert '<span class="tag">Served on the provider</span>' in shown and "Served on " in shown
    assert "Serve on the provider" not in shown
    (entry,) = log_entries("order.served")
    assert entry["actor"]["organisation"] == network["belgrade"].organisation_id

    provider = signed_in("belgrade_mail", authority.application.test_client())
    page = provider.get(f"/orders/{order['id']}")
    assert page.status_code == 200 and "Take delivery" in text(page)
    assert "Serve on the provider" not in text(page)


def test_only_the_route_authority_serves_and_only_once_it_has_the_order(
    tokyo, signed_in, form_token, browser
):
    order = tokyo()
    issuer = signed_in("tokyo")
    page = issuer.get(f"/orders/{order['id']}")
    assert "Serve on the provider" not in text(page) and "Through the requested Party" in text(page)
    assert (
        issuer.post(f"/orders/{order['id']}/serve", data={"csrf_token": form_token(page)}).status_code == 403
    )

    provider = signed_in("belgrade_mail", browser.application.test_client())
    token = form_token(provider.get("/account"))
    assert provider.get(f"/orders/{order['id']}").status_code == 404, (
        "not served: the provider does not see it"
    )
    assert provider.post(f"/orders/{order['id']}/serve", data={"csrf_token": token}).status_code == 403

    authority = signed_in("belgrade", browser.application.test_client())
    page = authority.get(f"/orders/{order['id']}")
    early = authority.post(f"/orders/{order['id']}/serve", data={"csrf_token": form_token(page)})
    assert early.status_code == 409, "served before the authority took delivery"


def test_a_regulation_order_shows_no_route(signed_in, caseload):
    order = caseload.issued("PARQUET-NO-ROUTE")
    page = text(signed_in("provider").get(f"/orders/{order['id']}"))
    assert 'id="route"' not in page and "Enforcing authority" in page


def test_the_route_is_told_in_french(tokyo, signed_in, form_token):
    order = tokyo()
    authority = signed_in("belgrade")
    token = form_token(authority.get("/account"))
    assert authority.post("/language", data={"csrf_token": token, "language": "fr"}).status_code == 303
    shown = text(authority.get(f"/orders/{order['id']}"))
    assert "Par l&#39;autorité compétente de la Partie requise, qui la signifie" in shown
    assert "45 jours, à compter de la réception par le premier destinataire" in shown


def test_the_requested_party_refuses_on_the_page_with_its_registered_key(
    tokyo, signed_in, form_token, network, database
):
    """CETS 224 Art. 8(7) (UNCONFIRMED): the refusal is signed and sent to Tokyo; the order is refused."""
    order = tokyo()
    authority = signed_in("belgrade")
    page = authority.get(f"/orders/{order['id']}")
    assert "refuse-to-give-effect" not in text(page), "take delivery first"
    authority.post(f"/orders/{order['id']}/receive", data={"csrf_token": form_token(page)})
    page = text(authority.get(f"/orders/{order['id']}"))
    assert f'href="/orders/{order["id"]}/refuse-to-give-effect"' in page
    assert "Refuse to give effect to the order" in page

    wrong = authority.post(
        f"/orders/{order['id']}/refuse-to-give-effect",
        data={
            "csrf_token": form_token(authority.get(f"/orders/{order['id']}/refuse-to-give-effect")),
            "kid": network["belgrade"].kid,
            "grounds": "ne_bis_in_idem",
            "explanation": "",
        },
    )
    assert wrong.status_code == 422
    assert "Enter political_offence, essential_interests, mutual_assistance_law or dual_criminality" in text(
        wrong
    )

    envelope = send(
        authority,
        order,
        network["belgrade"],
        "refuse-to-give-effect",
        {"grounds": "essential_interests", "explanation": "A state security inquiry."},
        form_token,
    )
    assert envelope["type"] == "requested-party-refusal"
    assert envelope["body"] == {
        "grounds": ["essential_interests"],
        "explanation": "A state security inquiry.",
    }
    assert envelope["recipient"]["organisation"] == order["issuing_authority"]["id"]
    shown = text(authority.get(f"/orders/{order['id']}?done=refuse-to-give-effect"))
    assert "Your signed refusal was sent to the issuing authority." in shown
    assert "Refusal by the requested Party" in shown and "Serve on the provider" not in shown
    assert "Not served: the requested Party refused to give effect to it" in shown


def test_a_budapest_request_shows_its_minimum_and_no_time_to_serve(
    tokyo, signed_in, exchange, network, drafts, form_token
):
    """Budapest Art. 29(3), (7): the requested Party preserves; at least 60 days from its receipt."""
    tokyo()  # registers Belgrade Mail and Serbia's authority
    certificate = drafts.epoc_pr(
        network.addressees["belgrade_mail"],
        instrument="cets-185-art29",
        subsequent_request="mla",
        data_categories=["traffic"],
    )
    answer = exchange.client.post(
        "/api/v1/orders",
        json={"order_type": "epoc-pr", "certificate": certificate},
        headers=network["prosecutor"].headers,
    )
    assert answer.status_code == 201, answer.get_json()
    order = exchange.issue(answer.get_json(), author="prosecutor")
    authority = signed_in("belgrade")
    page = authority.get(f"/orders/{order['id']}")
    shown = text(page)
    assert "at least 60 days, from receipt by the first recipient" in shown
    assert "Not served yet; the treaty sets no time to serve" in shown
    assert "Unconfirmed in the treaty's text" not in shown  # Art. 29(7) was read
    authority.post(f"/orders/{order['id']}/receive", data={"csrf_token": form_token(page)})
    shown = text(authority.get(f"/orders/{order['id']}"))
    assert "Serve on the provider" in shown and "Preservation" in shown
    assert f'href="/orders/{order["id"]}/refuse-to-give-effect"' in shown

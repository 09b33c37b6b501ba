"""Europol's portal: the DSA Art. 18(2) notifications addressed to it, a page at a time, and no order.

Europol receives a notification only when the provider could not identify the Member State concerned
(Regulation (EU) 2022/2065, Art. 18(2)); its dashboard lists them newest first with the same summary an
authority's banner shows, tells it that it answers none with an order, and it sees no order at all.
"""

import re
from typing import Any

import pytest
from flask import Flask
from portal_helpers import portal_settings

from broker.app import create_app
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role
from tests.removal.examples import threat_notification

REFERENCE = re.compile(r'<span class="hint">([^<]+)</span>')
NEXT_PAGE = re.compile(r'<a class="link" rel="next" href="([^"]+)">')
UNKNOWN = {"member_states_concerned": [], "fallback_reason": "The uploader hides behind a VPN."}


@pytest.fixture
def europol(network: Any) -> Any:
    return network.add("europol", "Europol", OrganisationKind.EUROPOL, "NL", Role.CASEWORKER)


def notify(client: Any, network: Any, reference: str, to: str = "europol", **members: Any) -> str:
    """Example Mail (designated establishment in Ireland) notifies `to`; the notification's id."""
    body = {**threat_notification(), **UNKNOWN, "provider_reference": reference, **members}
    jws = network["provider"].sign("threat-notification", body, network[to].organisation_id)
    sent = client.post(
        "/api/v1/threat-notifications",
        data=jws,
        content_type="application/jose",
        headers=network["provider"].headers,
    )
    assert sent.status_code == 201, sent.get_json()
    notification: str = sent.get_json()["id"]
    return notification


def test_europol_signs_in_to_the_notifications_addressed_to_it(
    client, network, europol, signed_in, clock, exchange
):
    first = notify(client, network, "DSA18-FIRST")
    clock.advance(minutes=1)
    second = notify(client, network, "DSA18-SECOND")
    notify(client, network, "DSA18-TO-IRELAND", to="enforcing")  # Art. 18(2) "or both": not Europol's
    order = exchange.issue(exchange.draft())
    browser = signed_in("europol")
    page = browser.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<h1 class="heading-l">Threat notifications</h1>' in html
    assert REFERENCE.findall(html) == ["DSA18-SECOND", "DSA18-FIRST"], "its own, newest first"
    assert html.index(second) < html.index(first)
    assert "None identified: sent to Europol (Art. 18(2))" in html and UNKNOWN["fallback_reason"] in html
    assert "Europol answers no notification with an order" in html
    assert html.count('<strong class="tag tag--red">Emergency</strong>') == 2
    assert "Answer each with an emergency EPOC" not in html
    assert ">Orders</a>" not in html and ">Drafts</a>" not in html
    assert browser.get(f"/orders/{order['id']}").status_code == 404
    assert browser.get("/drafts").status_code == 403


def test_europol_with_no_notification_is_told_so(europol, signed_in):
    html = signed_in("europol").get("/").get_data(as_text=True)
    assert "No notification has been addressed to Europol." in html
    assert "<article>" not in html


def test_europol_pages_through_its_notifications(
    database, clock, broker_key_file, tmp_path, client, network, europol, people
):
    for number in range(3):
        notify(client, network, f"DSA18-{number}")
        clock.advance(minutes=1)
    app: Flask = create_app(
        portal_settings(broker_key_file, tmp_path, PORTAL_PAGE_SIZE=2), clock=clock, database=database
    )
    browser = people.sign_in(app.test_client(), people.add("europol"))
    seen, path = [], "/"
    while path:
        html = browser.get(path).get_data(as_text=True)
        seen.append(REFERENCE.findall(html))
        following = NEXT_PAGE.search(html)
        path = following.group(1).replace("&amp;", "&") if following else None
    assert seen == [["DSA18-2", "DSA18-1"], ["DSA18-0"]]

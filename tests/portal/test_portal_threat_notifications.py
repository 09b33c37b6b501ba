"""Notifications of threats to life or safety (Regulation (EU) 2022/2065, DSA Art. 18) in the portal.

The video host's legal officer notifies the Parquet de Paris of a threat to a school in Lyon through the
pages, signing with its organisation's key (in Python here, over exactly the signing input the page renders,
as the browser or an HSM would: browser/test_browser_threats.py signs in chromium); the prosecutor opens it
from the dashboard's banner and answers it with an emergency EPOC drafted from it. Each case names what it
checks: Art. 18(1) (the States concerned), the recital on the contents, and who may see a notification.
"""

import html
import re
import uuid
from typing import Any

import pytest
from removal_helpers import video_host
from test_portal_actions import HIDDEN
from test_portal_actions import SIGNING_INPUT
from test_portal_actions import sign
from test_portal_actions import text
from test_portal_drafting import Walk
from test_portal_drafting import epoc_answers
from test_portal_drafting import hidden

from broker.orders.models import Order
from broker.orders.models import ThreatNotification
from tests.removal.conftest import Removals
from tests.removal.examples import threat_notification

NEW = "/threat-notifications/new"
ANSWERS = {  # the page's answers for tests.removal.examples.threat_notification()
    "content_description": "A video announcing an attack with a weapon on a named school in Lyon tomorrow morning.",
    "content_urls": "https://video.example.test/watch/3e9c1a",
    "published_at": "2026-11-24T07:45",
    "offence_timing": "is_likely",
    "suspicion": "The uploader shows a firearm, names the school and the time, and repeats it in comments.",
    "recipient_identification": "Account vh-88213, registered 2026-10-02; last login from 192.0.2.44.",
    "member_states_concerned": "fr",
    "provider_reference": "EV-DSA18-0042",
}
URGENT = "An attack on a school is announced for tomorrow."


@pytest.fixture
def removals(exchange: Any, network: Any, clock: Any, database: Any) -> Removals:
    return video_host(exchange, network, clock, database)


def sign_page(browser: Any, form_token: Any, **answers: Any) -> Any:
    page = browser.get(NEW)
    assert page.status_code == 200, text(page)
    return browser.post(NEW, data={**answers, "csrf_token": form_token(page)})


def carried(page: Any) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in HIDDEN.findall(text(page))}


def signed(page: Any, party: Any) -> str:
    """The compact JWS the party's key makes over the page's signing input."""
    return sign(html.unescape(SIGNING_INPUT.search(text(page)).group(1)), party.private_key, party.kid)


def notified(removals: Removals) -> str:
    """The host's notification to the prosecutor, sent through the API; its id."""
    host, prosecutor = removals.network["host"], removals.network["prosecutor"]
    sent = removals.client.post(
        "/api/v1/threat-notifications",
        data=host.sign("threat-notification", threat_notification(), prosecutor.organisation_id),
        content_type="application/jose",
        headers=host.headers,
    )
    assert sent.status_code == 201, sent.get_json()
    return str(sent.get_json()["id"])


def stored(database: Any, model: Any, ident: str) -> Any:
    with database.transaction() as session:
        found = session.get(model, uuid.UUID(ident))
        if found is not None:
            session.expunge(found)
        return found


def test_a_legal_officer_notifies_the_authority_signed_with_its_organisation_s_key(
    removals, network, signed_in, form_token, database, log_entries, portal_app
):
    host, prosecutor = network["host"], network["prosecutor"]
    browser = signed_in("host")
    assert "Threat notifications" in text(browser.get("/"))
    page = sign_page(browser, form_token, **ANSWERS, recipient=prosecutor.organisation_id, kid=host.kid)
    assert page.status_code == 200, text(page)
    shown = text(page)
    assert "Check and sign: Notify a threat to life or safety" in shown
    assert "Parquet de Paris (FR)" in shown and "Suspected to be likely to take place" in shown

    sent = browser.post(NEW, data={**carried(page), "jws": signed(page, host)})
    assert sent.status_code == 303, text(sent)
    location = sent.headers["Location"]
    notification_id = re.fullmatch(r"/threat-notifications/([0-9a-f-]{36})\?sent=yes", location).group(1)
    assert "Your signed notification was sent." in text(browser.get(location))
    notification = stored(database, ThreatNotification, notification_id)
    assert notification.recipient_id == uuid.UUID(prosecutor.organisation_id)
    assert notification.published_at.isoformat() == "2026-11-24T07:45:00+00:00"
    (entry,) = log_entries("threat_notification.received")
    assert (
        entry["actor"]["organisation"] == host.organisation_id and entry["actor"]["role"] == "legal_officer"
    )

    listed = text(browser.get("/threat-notifications"))
    assert "Threats to life or safety you notified" in listed and "Not answered yet" in listed
    banner = text(signed_in("prosecutor", portal_app.test_client()).get("/"))
    assert f'href="/threat-notifications/{notification_id}"' in banner


def test_an_authority_of_a_state_not_concerned_is_refused_before_signing(
    removals, network, signed_in, form_token, rows
):
    """Art. 18(1): a threat in France goes to France's authorities, not to Ireland's."""
    browser = signed_in("host")
    before = rows("threat_notifications")
    page = sign_page(
        browser,
        form_token,
        **ANSWERS,
        recipient=network["enforcing"].organisation_id,
        kid=network["host"].kid,
    )
    assert page.status_code == 422
    assert "not of a Member State concerned" in text(page) and '<a href="#recipient">' in text(page)
    assert "data-signing-input" not in text(page), "nothing to sign"
    assert rows("threat_notifications") == before


def test_the_questions_say_what_is_missing_in_the_words_of_art_18(removals, network, signed_in, form_token):
    browser = signed_in("host")
    page = sign_page(
        browser,
        form_token,
        **{
            **ANSWERS,
            "member_states_concerned": "",
            "content_description": "",
            "published_at": "2099-01-01T00:00",
        },
        recipient=network["prosecutor"].organisation_id,
        kid=network["host"].kid,
    )
    assert page.status_code == 422
    shown = text(page)
    assert '<a href="#content-description">Describe the content concerned</a>' in shown
    assert "Enter a time that has passed" in shown
    assert "Name a Member State concerned, or say why none can be identified" in shown


def test_a_tampered_notification_is_refused_on_the_signing_page_and_nothing_is_kept(
    removals, network, signed_in, form_token, rows
):
    host = network["host"]
    browser = signed_in("host")
    page = sign_page(
        browser, form_token, **ANSWERS, recipient=network["prosecutor"].organisation_id, kid=host.kid
    )
    header, payload, signature = signed(page, host).split(".")
    before = rows("threat_notifications")
    answer = browser.post(NEW, data={**carried(page), "jws": f"{header}.{payload[:-4]}AAAA.{signature}"})
    assert answer.status_code == 422
    assert "Nothing was sent." in text(answer) and 'aria-invalid="true"' in text(answer)
    assert rows("threat_notifications") == before


def test_the_authority_answers_with_an_emergency_epoc_drafted_from_the_notification(
    removals, network, signed_in, database, portal_app
):
    notification_id = notified(removals)
    browser = signed_in("prosecutor")
    page = text(browser.get(f"/threat-notifications/{notification_id}"))
    assert "Example Video" in page and "EV-DSA18-0042" in page and "FR" in page
    assert "No issued order answers this notification yet." in page
    start = f"/drafts/new?threat_notification={notification_id}"
    assert f'href="{html.escape(start)}"' in page

    walk = Walk(browser, "/drafts/new")
    walk.page = browser.get(start)
    preset = hidden(walk.page)
    assert preset["threat_notification"] == notification_id and preset["emergency"] == "yes"
    assert 'value="epoc" checked' in text(walk.page)
    walk.answer(order_type="epoc", instrument="reg-2023-1543")
    assert f'value="{removals.addressee}" checked' in text(walk.page), "the notifying provider's addressee"
    pages = epoc_answers(
        network,
        addressee={"addressee": removals.addressee},
        emergency={"emergency": "yes", "emergency_justification": URGENT},
    )
    for fields in list(pages.values())[1:]:
        walk.answer(**fields)
        assert walk.page.status_code == 200, text(walk.page)
    check = text(walk.page)
    assert "This order answers a threat to life or safety notified to you" in check
    assert f'href="/threat-notifications/{notification_id}"' in check

    saved = walk.answer(go="save")
    assert saved.status_code == 303, text(saved)
    order_id = saved.headers["Location"].partition("?")[0].rsplit("/", 1)[1]
    assert stored(database, Order, order_id).threat_notification_id == uuid.UUID(notification_id)

    prosecutor = network["prosecutor"]
    drafted = removals.client.get(f"/api/v1/orders/{order_id}", headers=prosecutor.headers).get_json()
    issued = removals.client.post(
        f"/api/v1/orders/{order_id}/issue",
        data=prosecutor.sign("epoc", drafted["certificate"], drafted["provider"]["id"]),
        content_type="application/jose",
        headers=prosecutor.headers,
    )
    assert issued.status_code == 200, issued.get_json()
    assert f'href="/orders/{order_id}"' in text(browser.get(f"/threat-notifications/{notification_id}"))
    host = signed_in("host", portal_app.test_client())
    assert "Answered by 1 order" in text(host.get("/threat-notifications"))
    assert "Answer with an emergency EPOC" not in text(host.get(f"/threat-notifications/{notification_id}"))


def test_an_answer_that_is_no_emergency_is_refused_on_the_check_page(removals, network, signed_in, rows):
    notification_id = notified(removals)
    browser = signed_in("prosecutor")
    walk = Walk(browser, "/drafts/new")
    walk.page = browser.get(f"/drafts/new?threat_notification={notification_id}")
    walk.answer(order_type="epoc", instrument="reg-2023-1543")
    for fields in list(epoc_answers(network, addressee={"addressee": removals.addressee}).values())[1:]:
        walk.answer(**fields)  # the emergency page answered "no"
    before = rows("orders")
    refused = walk.answer(go="save")
    assert refused.status_code == 422, text(refused)
    assert "is an emergency order" in text(refused) and '<a href="#change-emergency">' in text(refused)
    assert rows("orders") == before


@pytest.mark.parametrize(
    "who", ["other_authority", "enforcing", "provider", "oversight"], ids=lambda who: f"not to {who}"
)
def test_only_the_recipient_and_the_sender_see_a_notification(removals, signed_in, who):
    notification_id = notified(removals)
    browser = signed_in(who)
    assert browser.get(f"/threat-notifications/{notification_id}").status_code == 404
    if who != "oversight":
        assert notification_id not in text(browser.get("/threat-notifications"))
    if who == "other_authority":
        assert browser.get(f"/drafts/new?threat_notification={notification_id}").status_code == 404

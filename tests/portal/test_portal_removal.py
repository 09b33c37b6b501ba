"""Removal orders (Regulation (EU) 2021/784) in the portal: the hour as the provider reads it, Annex I in
words, and every answer a person sends, asked, signed with the party's registered key and sent.

Orders are issued and taken through the API, as the parties' own systems would (tests/removal); the
answers under test go through the pages, signed in Python over exactly the signing input the page
renders (as the browser or an HSM would), and the test reads the signed body and the order's state.
"""

import html
import uuid
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from removal_helpers import URL
from removal_helpers import received
from removal_helpers import video_host
from test_portal_actions import HIDDEN
from test_portal_actions import SIGNING_INPUT
from test_portal_actions import prepare
from test_portal_actions import sign
from test_portal_actions import text
from test_portal_lifecycle_actions import send

from broker.clock import to_rfc3339
from broker.clocks.models import OrderClock
from broker.lifecycle import Clock
from broker.orders.models import Order
from broker.workflow.operations.due import fire_next
from tests.conftest import epoc_draft
from tests.removal.conftest import Removals
from tests.removal.examples import threat_notification

NOW = "now"  # in a case's answers: the broker's time when the form is sent


@pytest.fixture
def removals(exchange: Any, network: Any, clock: Any, database: Any) -> Removals:
    return video_host(exchange, network, clock, database)


def hour(database: Any, order: dict[str, Any]) -> OrderClock:
    with database.transaction() as session:
        row = session.scalars(
            sa.select(OrderClock).where(
                OrderClock.order_id == uuid.UUID(order["id"]), OrderClock.kind == Clock.REMOVAL
            )
        ).one()
        session.expunge(row)
        return row


def state(database: Any, order: dict[str, Any]) -> str:
    with database.transaction() as session:
        return session.get_one(Order, uuid.UUID(order["id"])).state.value


def test_the_provider_sees_the_hour_in_minutes_and_the_url_to_remove(removals, signed_in):
    order = received(removals)
    browser = signed_in("host")  # signing in takes the 30 seconds of a code step
    inbox = text(browser.get("/"))
    assert "Removal order: one hour" in inbox and URL in inbox
    assert "59 minutes left" in inbox and "table__row--emergency" in inbox

    page = text(browser.get(f"/orders/{order['id']}"))
    assert "Removal order: one hour to remove the content" in page
    assert '<strong class="time-left time-left--large">59 minutes left</strong>' in page
    assert f'<code translate="no">{URL}</code>' in page and f'href="{URL}"' not in page, "never a link"
    assert "Removal order (Annex I)" in page and "Certificate" not in page
    assert "Instruction on explosives, firearms, other weapons or hazardous substances" in page
    assert "Contact point (Art. 15)" in page and "Data requested" not in page
    assert "Download as a sealed PDF form" not in page, "a removal order has no EPOC form"
    for slug in ("confirm-removal", "report-impossibility", "request-removal-clarification"):
        assert f'href="/orders/{order["id"]}/{slug}"' in page
    assert "/acknowledge" not in page and "/respond" not in page


def test_the_hour_missed_is_shown_late(removals, signed_in, clock, database):
    order = received(removals)
    clock.advance(hours=1, minutes=2)
    with database.transaction() as session:
        while fire_next(session, clock) is not None:
            pass
    page = text(signed_in("host").get(f"/orders/{order['id']}"))
    assert '<strong class="tag tag--red">Missed</strong>' in page
    assert '<strong class="time-left time-left--large time-left--late">2 minutes late</strong>' in page


CASES = [
    pytest.param(
        "received",
        "host",
        "confirm-removal",
        {"action": "removed", "done_at": NOW, "provider_file_number": "EV-TCO-1"},
        {"action": "removed", "done_at": NOW, "provider_file_number": "EV-TCO-1"},
        "removed",
        id="confirmation (Annex II)",
    ),
    pytest.param(
        "impossible",
        "host",
        "confirm-removal",
        {"action": "disabled", "done_at": NOW, "provider_file_number": ""},
        {"action": "disabled", "done_at": NOW},
        "removed",
        id="confirmation while the hour is held",
    ),
    pytest.param(
        "received",
        "host",
        "report-impossibility",
        {"reason": "technical_or_operational", "explanation": "The cluster is offline.", "expected_end": ""},
        {"reason": "technical_or_operational", "explanation": "The cluster is offline."},
        "impossible",
        id="impossibility (Annex III)",
    ),
    pytest.param(
        "impossible",
        "host",
        "end-impossibility",
        {"ceased_at": NOW},
        {"ceased_at": NOW},
        "received",
        id="impossibility ceased",
    ),
    pytest.param(
        "received",
        "host",
        "request-removal-clarification",
        {
            "reason": "insufficient_information",
            "explanation": "Which video?",
            "fields": " content.0.url \n\n",
        },
        {"reason": "insufficient_information", "explanation": "Which video?", "fields": ["content.0.url"]},
        "clarification_requested",
        id="clarification request (Annex III)",
    ),
    pytest.param(
        "clarification_requested",
        "prosecutor",
        "clarify-removal",
        {
            "explanation": "It was moved.",
            "content": f"{URL}d  the video at  02:10\n\nhttps://video.example.test/x",
        },
        {
            "explanation": "It was moved.",
            "content": [
                {"url": f"{URL}d", "identification": "the video at  02:10"},
                {"url": "https://video.example.test/x"},
            ],
        },
        "received",
        id="clarification",
    ),
    # Cross-border scrutiny (Art. 4(4)-(7)): the order went to Ireland's contact point, so Ireland scrutinises.
    pytest.param(
        "removed",
        "host",
        "request-removal-scrutiny",
        {"requested_by": "content_provider", "reasons": "A news report.", "information_received_at": NOW},
        {"requested_by": "content_provider", "reasons": "A news report.", "information_received_at": NOW},
        "removed",
        id="request for scrutiny, the content provider's",
    ),
    pytest.param(
        "removed",
        "enforcing",
        "intend-removal-infringement",
        {"grounds": "charter\nregulation", "reasons": "Journalism (Art. 1(3))."},
        {"grounds": ["charter", "regulation"], "reasons": "Journalism (Art. 1(3))."},
        "removed",
        id="intention to find an infringement",
    ),
    pytest.param(
        "intended",
        "enforcing",
        "decide-removal-scrutiny",
        {"finding": "infringement", "grounds": "charter", "reasons": "Journalism (Art. 1(3))."},
        {"finding": "infringement", "grounds": ["charter"], "reasons": "Journalism (Art. 1(3))."},
        "ceased",
        id="decision: infringement",
    ),
    pytest.param(
        "received",
        "enforcing",
        "decide-removal-scrutiny",
        {"finding": "no_infringement", "grounds": "charter", "reasons": "Instruction for an attack."},
        {"finding": "no_infringement", "reasons": "Instruction for an attack."},
        "received",
        id="decision: no infringement (grounds left out)",
    ),
    pytest.param(
        "ceased",
        "host",
        "confirm-reinstatement",
        {"action": "content_reinstated", "done_at": NOW},
        {"action": "content_reinstated", "done_at": NOW},
        "reinstated",
        id="reinstatement",
    ),
    pytest.param(
        "removed",
        "prosecutor",
        "extend-content-preservation",
        {
            "requested_by": "court",
            "until": "2028-01-31T23:59:59+01:00",
            "proceedings": "TJ Paris RG 26/1",
            "reasons": "Hearing in 2028.",
        },
        {
            "requested_by": "court",
            "until": "2028-01-31T22:59:59Z",  # the portal sends every instant in UTC
            "proceedings": "TJ Paris RG 26/1",
            "reasons": "Hearing in 2028.",
        },
        "removed",
        id="extension of the preservation (Art. 6(2))",
    ),
    # The content provider's rights (Arts. 10-11).
    pytest.param(
        "removed",
        "host",
        "inform-content-provider",
        {
            "informed_at": NOW,
            "means": "A notice in the account.",
            "on_request": "order_copy",
            "requested_at": NOW,
        },
        {
            "informed_at": NOW,
            "means": "A notice in the account.",
            "on_request": "order_copy",
            "requested_at": NOW,
        },
        "removed",
        id="information to the content provider (Art. 11(1)-(2))",
    ),
    pytest.param(
        "received",
        "prosecutor",
        "withhold-from-content-provider",
        {"decision": "withhold", "until": "2026-12-01T10:00:00+01:00", "reasons": "An investigation."},
        {"decision": "withhold", "until": "2026-12-01T09:00:00Z", "reasons": "An investigation."},
        "received",
        id="withholding from the content provider (Art. 11(3))",
    ),
    pytest.param(
        "removed",
        "host",
        "record-removal-complaint",
        {"received_at": NOW, "grounds": "A news report.", "complaint_reference": ""},
        {"received_at": NOW, "grounds": "A news report."},
        "removed",
        id="complaint (Art. 10(1))",
    ),
    pytest.param(
        "complained",
        "host",
        "decide-removal-complaint",
        {"outcome": "reinstated", "decided_at": NOW, "reasons": "Journalism.", "remedies": "Courts."},
        {"outcome": "reinstated", "decided_at": NOW, "reasons": "Journalism."},
        "removed",
        id="complaint's outcome, remedies left out (Art. 10(2))",
    ),
]


@pytest.mark.parametrize(("setup", "handle", "slug", "fields", "body", "after"), CASES)
def test_each_answer_is_asked_signed_and_sent(
    removals, signed_in, form_token, log_entries, clock, database, setup, handle, slug, fields, body, after
):
    order = received(removals, setup)
    party = removals.network[handle]
    browser = signed_in(handle)
    assert f'href="/orders/{order["id"]}/{slug}"' in text(browser.get(f"/orders/{order['id']}"))
    now = to_rfc3339(clock().replace(microsecond=0))
    answers = {name: now if value == NOW else value for name, value in fields.items()}

    envelope = send(browser, order, party, slug, answers, form_token)

    assert envelope["body"] == {name: now if value == NOW else value for name, value in body.items()}
    assert state(database, order) == after
    (entry,) = log_entries(f"order.{envelope['type']}")
    assert entry["actor"]["organisation"] == party.organisation_id
    assert "was sent" in text(browser.get(f"/orders/{order['id']}?done={slug}"))


def test_removal_within_the_hour_stops_it_and_the_page_says_so(
    removals, signed_in, form_token, clock, database, portal_app
):
    order = received(removals)
    browser = signed_in("host")
    clock.advance(minutes=20)
    page = browser.get(f"/orders/{order['id']}/confirm-removal")
    now = to_rfc3339(clock().replace(microsecond=0))
    assert f'value="{now}"' in text(page), "the time of removal starts as now"
    send(
        browser,
        order,
        removals.network["host"],
        "confirm-removal",
        {"action": "removed", "done_at": now},
        form_token,
    )
    stopped = hour(database, order)
    assert stopped.status == "stopped" and not stopped.breached
    shown = text(browser.get(f"/orders/{order['id']}"))
    assert "The provider confirmed the removal within the hour." in shown
    assert "Content removed or disabled" in shown and "Confirmation of removal" in shown
    issuer = text(signed_in("prosecutor", portal_app.test_client()).get("/"))
    assert "Content removed or disabled" in issuer and "Removal order: one hour" in issuer


def test_the_hour_held_is_said_with_its_reason(removals, signed_in):
    order = received(removals, "impossible")
    page = text(signed_in("host").get(f"/orders/{order['id']}"))
    assert "The hour is on hold: the provider reported that it cannot comply (Art. 3(7))" in page
    assert "Removal impossible for now" in page and "minutes left" not in page
    assert f'href="/orders/{order["id"]}/end-impossibility"' in page


def test_a_clarification_shows_its_addresses_as_text(removals, signed_in, form_token):
    order = received(removals, "clarification_requested")
    browser = signed_in("prosecutor")
    fields = {"explanation": "Moved.", "content": "https://video.example.test/y the clip"}
    send(browser, order, removals.network["prosecutor"], "clarify-removal", fields, form_token)
    page = text(browser.get(f"/orders/{order['id']}"))
    assert (
        '<code translate="no">https://video.example.test/y</code> <span class="hint">the clip</span>' in page
    )
    assert "&#34;url&#34;" not in page, "not as JSON"


@pytest.mark.parametrize(
    ("setup", "handle", "slug", "fields", "errors"),
    [
        pytest.param(
            "received",
            "host",
            "confirm-removal",
            {"done_at": "2026-12-07T14:30"},
            ["Select what you did", "Enter a date and time with its offset from UTC"],
            id="a confirmation without its action and with a time without offset",
        ),
        pytest.param(
            "received",
            "host",
            "report-impossibility",
            {"explanation": ""},
            ["Select why", "Explain why you cannot comply"],
            id="an impossibility without its reason",
        ),
        pytest.param(
            "received",
            "host",
            "request-removal-clarification",
            {"reason": "propaganda", "explanation": "Which?", "fields": "The URL"},
            ["Select what is wrong", "Name each part as the order does, for example content.0.url"],
            id="a clarification request with an unknown reason and a part that is not a path",
        ),
        pytest.param(
            "clarification_requested",
            "prosecutor",
            "clarify-removal",
            {"explanation": "Here.", "content": "ftp://video.example.test/x"},
            ["Start each line with an address beginning with http:// or https://"],
            id="a clarification with an address that is not http",
        ),
    ],
)
def test_answers_are_checked_before_signing(
    removals, signed_in, form_token, rows, setup, handle, slug, fields, errors
):
    order = received(removals, setup)
    browser = signed_in(handle)
    page = browser.get(f"/orders/{order['id']}/{slug}")
    messages = rows("messages")
    answer = browser.post(
        f"/orders/{order['id']}/{slug}",
        data={"kid": removals.network[handle].kid, **fields, "csrf_token": form_token(page)},
    )
    assert answer.status_code == 422
    shown = text(answer)
    assert '<div class="error-summary"' in shown
    for error in errors:
        assert error in shown
    assert rows("messages") == messages


def test_a_removal_in_the_future_is_refused_after_signing(
    removals, signed_in, form_token, clock, rows, database
):
    order = received(removals)
    party = removals.network["host"]
    browser = signed_in("host")
    later = to_rfc3339(clock() + timedelta(minutes=5))
    hidden, signing_input, _ = prepare(
        browser,
        order["id"],
        "confirm-removal",
        {"kid": party.kid, "action": "removed", "done_at": later},
        form_token,
    )
    messages = rows("messages")
    answer = browser.post(
        f"/orders/{order['id']}/confirm-removal",
        data={**hidden, "jws": sign(signing_input, party.private_key, party.kid)},
    )
    assert answer.status_code == 422
    assert "The broker does not accept this message as it is" in text(answer)
    assert rows("messages") == messages and state(database, order) == "received"


def test_each_family_keeps_its_own_forms(removals, signed_in, caseload, portal_app):
    """A certificate's forms are never offered on a removal order, nor a removal order's on an EPOC."""
    order = received(removals)
    assert signed_in("host").get(f"/orders/{order['id']}/acknowledge").status_code == 409
    epoc = caseload.received("PARQUET-EPOC")
    provider = signed_in("provider", portal_app.test_client())
    assert provider.get(f"/orders/{epoc['id']}/confirm-removal").status_code == 409


def test_another_provider_finds_no_removal_order(removals, signed_in):
    order = received(removals)
    browser = signed_in("other_provider")
    assert browser.get(f"/orders/{order['id']}").status_code == 404
    assert browser.get(f"/orders/{order['id']}/confirm-removal").status_code == 404


def test_a_removal_order_drafted_through_the_api_is_signed_and_issued_in_the_portal(
    removals, signed_in, form_token, log_entries, database
):
    """The guided pages draft certificates only: they send a removal draft to its own draft page."""
    drafted = removals.draft(emergency=True, emergency_justification="An attack is being streamed.")
    order = drafted.get_json()
    browser = signed_in("prosecutor")
    assert browser.get(f"/drafts/{order['id']}").headers["Location"] == f"/drafts/removal/{order['id']}"
    page = text(browser.get(f"/orders/{order['id']}"))
    assert "Removal order (Annex I)" in page and "The hour starts when the provider takes delivery" in page
    assert f'href="/drafts/removal/{order["id"]}">Check, change, sign and issue the draft</a>' in page

    party = removals.network["prosecutor"]
    keys = browser.get(f"/drafts/{order['id']}/issue")
    sign_page = browser.post(
        f"/drafts/{order['id']}/issue", data={"kid": party.kid, "csrf_token": form_token(keys)}
    )
    assert sign_page.status_code == 200, text(sign_page)
    hidden = {name: html.unescape(value) for name, value in HIDDEN.findall(text(sign_page))}
    signing_input = html.unescape(SIGNING_INPUT.search(text(sign_page)).group(1))
    issued = browser.post(
        f"/drafts/{order['id']}/issue",
        data={**hidden, "jws": sign(signing_input, party.private_key, party.kid)},
    )
    assert issued.status_code == 303, text(issued)
    assert state(database, order) == "issued"
    (entry,) = log_entries("order.issued")
    assert entry["actor"]["organisation"] == party.organisation_id


def test_a_threat_notification_is_an_emergency_above_the_authority_s_orders(removals, signed_in, portal_app):
    """Regulation (EU) 2022/2065, Art. 18: the notification tops the recipient's dashboard until an issued
    emergency EPOC answers it; nobody else sees it there."""
    network, client = removals.network, removals.client
    host, prosecutor = network["host"], network["prosecutor"]
    jws = host.sign("threat-notification", threat_notification(), prosecutor.organisation_id)
    sent = client.post(
        "/api/v1/threat-notifications", data=jws, content_type="application/jose", headers=host.headers
    )
    assert sent.status_code == 201, sent.get_json()
    page = text(signed_in("prosecutor").get("/"))
    assert "Threats to life or safety notified to you (Digital Services Act, Art. 18)" in page
    assert "A video announcing an attack with a weapon on a named school in Lyon" in page
    assert '<code translate="no">https://video.example.test/watch/3e9c1a</code>' in page, "never a link"
    assert "Suspected to be likely to take place" in page and sent.get_json()["id"] in page
    assert "Threats to life or safety" not in text(
        signed_in("other_authority", portal_app.test_client()).get("/")
    )
    certificate = epoc_draft(
        removals.addressee, emergency=True, emergency_justification="An attack on a school is announced."
    )
    drafted = client.post(
        "/api/v1/orders",
        json={"order_type": "epoc", "certificate": certificate, "threat_notification": sent.get_json()["id"]},
        headers=prosecutor.headers,
    ).get_json()
    issued = client.post(
        f"/api/v1/orders/{drafted['id']}/issue",
        data=prosecutor.sign("epoc", drafted["certificate"], drafted["provider"]["id"]),
        content_type="application/jose",
        headers=prosecutor.headers,
    )
    assert issued.status_code == 200, issued.get_json()
    assert "Threats to life or safety" not in text(signed_in("prosecutor", portal_app.test_client()).get("/"))

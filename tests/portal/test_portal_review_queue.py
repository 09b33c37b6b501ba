"""The enforcing authority's review queue: notified orders by the end of their review window, and its reviews."""

import re
from typing import Any

import pytest
from flask import Flask
from portal_helpers import portal_settings
from portal_world import NOTIFIED

from broker.app import create_app
from broker.audit.operations import integrate_all
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role
from broker.workflow.operations.due import fire_next

ROW = re.compile(r'<tr(?: class="([^"]*)")?>\s*<td><a href="/orders/([0-9a-f-]+)" class="link">([^<]+)</a>')
NEXT_PAGE = re.compile(r'<a class="link" rel="next" href="([^"]+)">')
EMERGENCY = {"emergency": True, "emergency_justification": "A threat to life."}


def listed(page: Any) -> list[str]:
    """The orders a page lists, by file number, in the order shown."""
    return [number for _, _, number in ROW.findall(page.get_data(as_text=True))]


def marked(page: Any) -> list[str]:
    return [
        number for classes, _, number in ROW.findall(page.get_data(as_text=True)) if "emergency" in classes
    ]


def row_of(page: Any, number: str) -> str:
    """The HTML of one order's row."""
    html = page.get_data(as_text=True)
    start = html.index(f">{number}</a>")
    return html[html.rindex("<tr", 0, start) : html.index("</tr>", start)]


@pytest.fixture
def notify(caseload):
    """notify(number, **changes) -> an EPOC of the judge's notified to Ireland's enforcing authority (Art. 8)."""
    return lambda number, **changes: caseload.issued(number, author="judge", **NOTIFIED, **changes)


def review(client, network, order: dict[str, Any], **body: Any) -> None:
    """The enforcing authority's signed review, sent through the API as its own system would."""
    enforcing = network["enforcing"]
    certificate = next(m for m in order["messages"] if m["type"] == order["order_type"])
    jws = enforcing.sign(
        "enforcing-review",
        body or {"decision": "no_objection"},
        order["issuing_authority"]["id"],
        in_reply_to=certificate["id"],
    )
    answer = client.post(
        f"/api/v1/orders/{order['id']}/messages",
        data=jws,
        content_type="application/jose",
        headers=enforcing.headers,
    )
    assert answer.status_code == 201, answer.get_json()


def test_the_queue_lists_notified_orders_by_the_end_of_their_window_with_the_time_left(
    signed_in, caseload, notify, clock, log_entries
):
    ten_days = notify("JUGE-TEN-DAYS")
    clock.advance(hours=1)
    urgent = notify("JUGE-URGENT", **EMERGENCY)
    caseload.received("PARQUET-NOT-NOTIFIED")
    page = signed_in("enforcing").get("/review")
    assert page.status_code == 200
    assert listed(page) == ["JUGE-URGENT", "JUGE-TEN-DAYS"], "96 hours end before 10 days"
    assert marked(page) == ["JUGE-URGENT"]
    urgent_row = row_of(page, "JUGE-URGENT")
    assert "Emergency: 96 hours" in urgent_row
    assert re.search(r'<strong class="time-left">\d+ days left</strong>', urgent_row)
    assert f'href="/orders/{urgent["id"]}/review"' in urgent_row
    assert re.search(r'<strong class="time-left">9 days left</strong>', row_of(page, "JUGE-TEN-DAYS"))
    (entry,) = log_entries("orders.listed")
    assert entry["object"] == {"type": "listing", "id": "portal-review-queue"}
    assert entry["details"]["orders"] == [urgent["id"], ten_days["id"]]


def test_the_inbox_and_the_menu_lead_an_enforcing_authority_to_its_queue(signed_in, notify, portal_app):
    notify("JUGE-1")
    html = signed_in("enforcing").get("/").get_data(as_text=True)
    assert html.count('href="/review"') == 2
    provider = signed_in("provider", portal_app.test_client())
    assert 'href="/review"' not in provider.get("/").get_data(as_text=True)


def test_a_window_that_ended_is_unmistakable_and_offers_no_review(signed_in, notify, clock):
    ended = notify("JUGE-ENDED", **EMERGENCY)
    clock.advance(hours=96, minutes=30)  # past the window; no worker has fired it yet
    notify("JUGE-OPEN")
    page = signed_in("enforcing").get("/review")
    assert listed(page) == ["JUGE-ENDED", "JUGE-OPEN"]
    row = row_of(page, "JUGE-ENDED")
    assert "Window ended" in row and 'class="time-left time-left--late">' in row and " late</strong>" in row
    assert "A review can no longer be recorded" in row
    assert f"/orders/{ended['id']}/review" not in row
    assert marked(page) == ["JUGE-ENDED"]


def test_an_order_with_a_missed_deadline_is_marked_overdue(signed_in, notify, exchange, clock, database):
    exchange.receive(notify("JUGE-LATE", **EMERGENCY))
    notify("JUGE-IN-TIME")
    clock.advance(hours=8, minutes=1)  # the provider's 8 hours pass; the 96-hour review window runs on
    with database.transaction() as session:
        while fire_next(session, clock) is not None:
            pass
    integrate_all(database)
    page = signed_in("enforcing").get("/review")
    assert listed(page) == ["JUGE-LATE", "JUGE-IN-TIME"]
    assert '<strong class="tag tag--red">Overdue</strong>' in row_of(page, "JUGE-LATE")
    assert "Overdue" not in row_of(page, "JUGE-IN-TIME")


def test_reviewed_orders_leave_the_queue_and_show_their_decision(
    signed_in, notify, client, network, log_entries, clock
):
    cleared = notify("JUGE-CLEARED")
    refused = notify("JUGE-REFUSED")
    notify("JUGE-WAITING")
    review(client, network, cleared, decision="no_objection", conditions="Only for this case.")
    clock.advance(minutes=1)
    review(
        client,
        network,
        refused,
        decision="refusal",
        ground="ne_bis_in_idem",
        explanation="The person was tried for the same acts.",
    )
    browser = signed_in("enforcing")
    assert listed(browser.get("/review")) == ["JUGE-WAITING"]
    page = browser.get("/review?show=reviewed")
    assert listed(page) == ["JUGE-REFUSED", "JUGE-CLEARED"], "newest first"
    assert "Refused</strong> Ne bis in idem (Art. 12(1)(c))" in row_of(page, "JUGE-REFUSED")
    cleared_row = row_of(page, "JUGE-CLEARED")
    assert "No objection" in cleared_row and "Only for this case." in cleared_row
    assert log_entries("orders.listed")[-1]["object"]["id"] == "portal-reviewed"


@pytest.mark.parametrize("show", [None, "reviewed"])
def test_both_lists_are_paged_by_cursor_without_repeating_or_losing_an_order(
    database, clock, broker_key_file, tmp_path, people, notify, client, network, show
):
    for number in range(5):
        order = notify(f"JUGE-{number}")
        if show:
            review(client, network, order)
        clock.advance(minutes=1)
    app: Flask = create_app(
        portal_settings(broker_key_file, tmp_path, PORTAL_PAGE_SIZE=2), clock=clock, database=database
    )
    browser = people.sign_in(app.test_client(), people.add("enforcing"))
    seen, path = [], "/review" + (f"?show={show}" if show else "")
    while path:
        page = browser.get(path)
        seen.append(listed(page))
        following = NEXT_PAGE.search(page.get_data(as_text=True))
        path = following.group(1).replace("&amp;", "&") if following else None
    expected = [["JUGE-0", "JUGE-1"], ["JUGE-2", "JUGE-3"], ["JUGE-4"]]
    assert seen == (
        expected if show is None else [[f"JUGE-{n}" for n in (4, 3)], ["JUGE-2", "JUGE-1"], ["JUGE-0"]]
    )
    again = listed(browser.get(f"/review?show={show or ''}&cursor=not-a-cursor"))
    assert again == seen[0], "a bad cursor starts again"


def test_another_enforcing_authority_never_sees_these_orders(
    signed_in, notify, client, network, drafts, exchange
):
    # Malta accepts English, as Ireland does, so the judge's certificate may be notified there too (EE-26).
    enforcing, provider = OrganisationKind.ENFORCING_AUTHORITY, OrganisationKind.PROVIDER
    network.add(
        "maltese_court", "Court of Magistrates of Malta", enforcing, "MT", Role.REVIEWER, AuthorityType.COURT
    )
    network.add("island_host", "Island Host", provider, "US", Role.LEGAL_OFFICER, addressee_country="MT")
    irish = notify("JUGE-IRISH")
    review(client, network, notify("JUGE-IRISH-REVIEWED"))
    certificate = drafts.epoc(
        network.addressees["island_host"], **NOTIFIED, issuing_authority={"file_number": "JUGE-MALTESE"}
    )
    answer = client.post(
        "/api/v1/orders",
        json={"order_type": "epoc", "certificate": certificate},
        headers=network["judge"].headers,
    )
    assert answer.status_code == 201, answer.get_json()
    exchange.issue(answer.get_json(), author="judge")
    browser = signed_in("maltese_court")
    queue = browser.get("/review")
    assert listed(queue) == ["JUGE-MALTESE"]
    assert irish["id"] not in queue.get_data(as_text=True)
    assert listed(browser.get("/review?show=reviewed")) == []


@pytest.mark.parametrize("who", ["judge", "provider", "oversight"])
def test_only_enforcing_authorities_have_a_review_queue(signed_in, notify, who):
    notify("JUGE-1")
    answer = signed_in(who).get("/review")
    assert answer.status_code == 403
    assert "JUGE-1" not in answer.get_data(as_text=True)

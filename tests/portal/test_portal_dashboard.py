"""The dashboards: each party's orders, overdue first then by deadline, a page at a time, and only its own."""

import re

from flask import Flask
from portal_helpers import portal_settings

from broker.app import create_app

ROW = re.compile(r'<tr(?: class="([^"]*)")?>\s*<td><a href="/orders/([0-9a-f-]+)" class="link">([^<]+)</a>')
NEXT_PAGE = re.compile(r'<a class="link" rel="next" href="([^"]+)">')


def listed(page) -> list[str]:
    """The orders a dashboard page lists, by file number, in the order shown."""
    return [number for _, _, number in ROW.findall(page.get_data(as_text=True))]


def pages(browser, path: str | None = "/") -> list[list[str]]:
    """Every page of a list, following "Next page" to the end: the orders of each."""
    seen = []
    while path:
        page = browser.get(path)
        seen.append(listed(page))
        following = NEXT_PAGE.search(page.get_data(as_text=True))
        path = following.group(1).replace("&amp;", "&") if following else None
    return seen


def emergency_rows(page) -> list[str]:
    return [
        number for classes, _, number in ROW.findall(page.get_data(as_text=True)) if "emergency" in classes
    ]


def test_a_caseworker_sees_the_office_orders_overdue_first_then_by_deadline(signed_in, caseload, log_entries):
    late = caseload.overdue("PARQUET-LATE")
    caseload.received("PARQUET-TEN-DAYS")
    caseload.emergency("PARQUET-URGENT")
    caseload.draft("PARQUET-DRAFT")
    caseload.issued("LYON-1", author="other_authority")
    page = signed_in("prosecutor").get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert listed(page) == ["PARQUET-LATE", "PARQUET-URGENT", "PARQUET-TEN-DAYS", "PARQUET-DRAFT"]
    assert emergency_rows(page) == ["PARQUET-URGENT"]
    assert re.search(
        r"Production deadline: <time[^>]*>[^<]*</time><br><strong class=\"time-left\">7 hours, \d+ minutes left",
        html,
    )
    assert "9 days left" in html
    assert 'href="/?state=draft">Draft <span class="count">1</span>' in html
    assert 'href="/?state=received">Received <span class="count">3</span>' in html
    (entry,) = log_entries("orders.listed")
    assert entry["object"] == {"type": "listing", "id": "portal-dashboard"}
    assert len(entry["details"]["orders"]) == 4 and late["id"] in entry["details"]["orders"]


def test_a_state_narrows_the_dashboard(signed_in, caseload):
    caseload.received("PARQUET-RECEIVED")
    caseload.draft("PARQUET-DRAFT")
    browser = signed_in("prosecutor")
    assert listed(browser.get("/?state=draft")) == ["PARQUET-DRAFT"]
    assert listed(browser.get("/?state=no-such-state")) == ["PARQUET-RECEIVED", "PARQUET-DRAFT"]


def test_the_dashboard_is_paged_by_cursor_without_repeating_or_losing_an_order(
    database, clock, broker_key_file, tmp_path, people, caseload
):
    for number in range(5):
        caseload.received(f"PARQUET-{number}")
        clock.advance(minutes=1)  # each deadline a minute after the last
    app: Flask = create_app(
        portal_settings(broker_key_file, tmp_path, PORTAL_PAGE_SIZE=2), clock=clock, database=database
    )
    browser = people.sign_in(app.test_client(), people.add("prosecutor"))
    assert pages(browser) == [["PARQUET-0", "PARQUET-1"], ["PARQUET-2", "PARQUET-3"], ["PARQUET-4"]]
    assert listed(browser.get("/?cursor=not-a-cursor")) == ["PARQUET-0", "PARQUET-1"], (
        "a bad cursor starts again"
    )


def test_another_authority_sees_none_of_the_office_orders(signed_in, caseload, log_entries):
    caseload.received("PARQUET-1")
    caseload.draft("PARQUET-2")
    page = signed_in("other_authority").get("/")
    assert listed(page) == []
    assert "There are no orders to show here." in page.get_data(as_text=True)
    assert log_entries("orders.listed") == [], "an empty page names no order"


def test_a_provider_inbox_puts_emergencies_first_then_sorts_by_due_time(signed_in, caseload):
    caseload.overdue("PARQUET-LATE")
    caseload.received("PARQUET-TEN-DAYS")
    caseload.emergency("PARQUET-URGENT")
    caseload.issued("PARQUET-NOT-TAKEN")  # issued, not yet received: no deadline runs
    caseload.issued("PARQUET-URGENT-NEW", emergency=True, emergency_justification="A threat to life.")
    caseload.draft("PARQUET-DRAFT")  # a draft exists only for its author
    page = signed_in("provider").get("/")
    html = page.get_data(as_text=True)
    assert '<h1 class="heading-l">Inbox</h1>' in html
    assert listed(page) == [
        "PARQUET-URGENT",
        "PARQUET-URGENT-NEW",  # an emergency comes first even before its clock runs
        "PARQUET-LATE",
        "PARQUET-TEN-DAYS",
        "PARQUET-NOT-TAKEN",
    ]
    assert emergency_rows(page) == ["PARQUET-URGENT", "PARQUET-URGENT-NEW"]
    assert '<strong class="tag tag--red">Emergency</strong>' in html
    assert re.search(r"7 hours, \d+ minutes left", html)


def test_the_inbox_is_paged_across_emergencies_and_the_others(
    database, clock, broker_key_file, tmp_path, people, caseload
):
    for number in range(3):
        caseload.emergency(f"URGENT-{number}")
        caseload.received(f"NORMAL-{number}")
        clock.advance(minutes=1)
    app: Flask = create_app(
        portal_settings(broker_key_file, tmp_path, PORTAL_PAGE_SIZE=2), clock=clock, database=database
    )
    browser = people.sign_in(app.test_client(), people.add("provider"))
    assert pages(browser) == [["URGENT-0", "URGENT-1"], ["URGENT-2", "NORMAL-0"], ["NORMAL-1", "NORMAL-2"]]


def test_the_inbox_filters_unread_and_overdue_orders(signed_in, caseload):
    late = caseload.overdue("PARQUET-LATE")
    caseload.received("PARQUET-TEN-DAYS")
    browser = signed_in("provider")
    assert listed(browser.get("/?show=overdue")) == ["PARQUET-LATE"]
    assert browser.get(f"/orders/{late['id']}").status_code == 200
    assert listed(browser.get("/?show=unread")) == ["PARQUET-TEN-DAYS"], "the order just read is read"


def test_another_provider_inbox_shows_none_of_them(signed_in, caseload):
    caseload.received("PARQUET-1")
    caseload.emergency("PARQUET-2")
    page = signed_in("other_provider").get("/")
    assert listed(page) == []


def test_an_enforcing_authority_sees_the_orders_notified_to_it_with_the_review_window_left(
    signed_in, caseload
):
    notified = {
        "data_categories": ["traffic"],
        "offence_committed_in_issuing_state": True,
        "person_resides_in_issuing_state": False,
    }
    caseload.issued("JUGE-NOTIFIED", author="judge", **notified)
    caseload.received("PARQUET-NOT-NOTIFIED")
    page = signed_in("enforcing").get("/")
    assert listed(page) == ["JUGE-NOTIFIED"]
    review = r"Enforcing authority&#39;s review: <time[^>]*>[^<]*</time><br><strong class=\"time-left\">9 days left"
    assert re.search(review, page.get_data(as_text=True))


def test_an_oversight_body_sees_every_order_newest_first(signed_in, caseload, clock):
    caseload.draft("PARQUET-DRAFT")
    clock.advance(minutes=1)
    caseload.issued("LYON-1", author="other_authority")
    page = signed_in("oversight").get("/")
    assert "All orders" in page.get_data(as_text=True)
    assert listed(page) == ["LYON-1", "PARQUET-DRAFT"]


def test_the_dashboard_is_for_signed_in_people_only(browser, caseload):
    caseload.received("PARQUET-1")
    answer = browser.get("/")
    assert answer.status_code == 303 and answer.headers["Location"] == "/login"

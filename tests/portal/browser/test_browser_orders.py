"""From the dashboard to an order in a real browser, for each side; another organisation's order is not found."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)


def test_a_caseworker_walks_from_the_dashboard_to_an_order(sign_in, caseload, live_portal, accessible):
    caseload.overdue("PARQUET-LATE")
    urgent = caseload.emergency("PARQUET-URGENT")
    caseload.draft("PARQUET-DRAFT")
    tab = sign_in("prosecutor")
    rows = tab.get_by_role("table", name="Open orders").get_by_role("row")
    expect(rows).to_have_count(4)  # the header, then overdue first, then by deadline
    expect(rows.nth(1)).to_contain_text("Overdue")
    expect(rows.nth(2)).to_contain_text("Emergency")
    expect(rows.nth(2)).to_contain_text("left")
    accessible(tab)

    tab.get_by_role("link", name="PARQUET-URGENT").click()
    expect(tab).to_have_url(f"{live_portal}/orders/{urgent['id']}")
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Order PARQUET-URGENT")
    expect(tab.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(tab.get_by_role("cell", name="Production order certificate")).to_be_visible()
    accessible(tab)

    tab.get_by_role("link", name="Back to the orders").click()
    expect(tab).to_have_url(f"{live_portal}/")


def test_a_provider_opens_an_emergency_from_its_inbox(sign_in, caseload, live_portal, accessible):
    caseload.received("PARQUET-TEN-DAYS")
    urgent = caseload.emergency("PARQUET-URGENT")
    tab = sign_in("provider")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Inbox")
    first = tab.get_by_role("table", name="Open orders").get_by_role("row").nth(1)
    expect(first).to_contain_text("PARQUET-URGENT")
    expect(first).to_contain_text("Emergency")
    accessible(tab)
    first.get_by_role("link", name="PARQUET-URGENT").click()
    expect(tab).to_have_url(f"{live_portal}/orders/{urgent['id']}")
    accessible(tab)


def test_another_organisation_order_is_page_not_found(sign_in, caseload, accessible):
    order = caseload.received("PARQUET-1")
    tab = sign_in("other_provider")
    answer = tab.goto(f"/orders/{order['id']}")
    assert answer is not None and answer.status == 404
    expect(tab.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(tab.locator("main")).not_to_contain_text("PARQUET-1")
    accessible(tab)


def test_the_accessibility_check_fails_on_a_serious_violation(tab, accessible):
    tab.goto("/login")
    tab.evaluate("document.querySelector('label[for=email]').remove()")  # an input without a label
    try:
        accessible(tab)
    except AssertionError as failure:
        assert "label" in str(failure)
    else:
        raise AssertionError("axe-core found nothing wrong with an unlabelled input")

"""The enforcing authority's reviews in a real browser, each signed in chromium: from the inbox to the queue,
no objection from the queue's link, then the order among the reviewed with its decision; and a refusal
on an Art. 12 ground from the order's page, its form checked before anything is signed. axe on each page.
"""

import pytest
from playwright.sync_api import expect
from test_browser_lifecycle import NOTIFIED
from test_browser_lifecycle import registered_key

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)

EMERGENCY = {"emergency": True, "emergency_justification": "A threat to life."}


def test_the_enforcing_authority_reviews_from_its_queue_then_refuses_on_an_art_12_ground(
    sign_in, admin, caseload, clock, live_portal, accessible, log_entries
):
    ten_days = caseload.issued("JUGE-TEN-DAYS", author="judge", **NOTIFIED)
    clock.advance(hours=1)
    urgent = caseload.issued("JUGE-URGENT", author="judge", **NOTIFIED, **EMERGENCY)
    tab = sign_in(admin("enforcing"))
    kid = registered_key(tab)

    tab.goto("/")
    accessible(tab)
    tab.get_by_role("region", name="Orders notified to you for review (Art. 12)").get_by_role("link").click()
    expect(tab).to_have_url(f"{live_portal}/review")
    rows = tab.get_by_role("table", name="Orders awaiting your review").get_by_role("row")
    expect(rows).to_have_count(3)  # the header and two orders, the emergency's window ending first
    expect(rows.nth(1)).to_contain_text("JUGE-URGENT")
    expect(rows.nth(1)).to_contain_text("Emergency: 96 hours")
    expect(rows.nth(1)).to_contain_text("days left")
    expect(rows.nth(2)).to_contain_text("JUGE-TEN-DAYS")
    accessible(tab)

    tab.get_by_role("link", name="Record your review of order JUGE-URGENT").click()
    expect(tab).to_have_url(f"{live_portal}/orders/{urgent['id']}/review")
    tab.get_by_label("No objection").check()
    tab.get_by_role("button", name="Continue").click()
    tab.get_by_role("button", name="Sign and send").click()
    expect(tab.get_by_role("region", name="Important")).to_contain_text("Your signed review was sent.")

    tab.get_by_role("navigation", name="Menu").get_by_role("link", name="Review queue").click()
    expect(tab.get_by_role("table", name="Orders awaiting your review").get_by_role("row")).to_have_count(2)
    tab.get_by_role("link", name="Reviewed").click()
    reviewed = tab.get_by_role("table", name="Your recorded reviews").get_by_role("row")
    expect(reviewed).to_have_count(2)
    expect(reviewed.nth(1)).to_contain_text("JUGE-URGENT")
    expect(reviewed.nth(1)).to_contain_text("No objection")
    accessible(tab)

    tab.goto(f"/orders/{ten_days['id']}")
    tab.get_by_role("link", name="Record your review (Art. 12)").click()
    expect(tab.get_by_label(kid)).to_be_checked()
    accessible(tab)
    tab.get_by_label("Refuse on a ground for refusal").check()
    tab.get_by_role("button", name="Continue").click()
    expect(tab.get_by_role("alert")).to_contain_text("Select the ground for refusal")
    accessible(tab)

    tab.get_by_label("Ne bis in idem (Art. 12(1)(c))").check()
    tab.get_by_label("Your reasons").fill("The person was tried for the same acts in Ireland.")
    tab.get_by_role("button", name="Continue").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Check and sign: Record your review (Art. 12)")
    expect(tab.get_by_role("main")).to_contain_text("Ne bis in idem (Art. 12(1)(c))")
    accessible(tab)
    tab.get_by_role("button", name="Sign and send").click()

    expect(tab).to_have_url(f"{live_portal}/orders/{ten_days['id']}?done=review")
    expect(tab.get_by_role("region", name="Important")).to_contain_text("Your signed review was sent.")
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Refused by the enforcing authority")
    accessible(tab)
    (refusal,) = [
        entry for entry in log_entries("order.enforcing-review") if entry["object"]["id"] == ten_days["id"]
    ]
    assert refusal["details"]["state"] == {"from": "issued", "to": "refused"}

"""Lifecycle messages signed in a real browser: the provider asks for clarification with a key made and
kept by chromium (the enforcing authority's refusal on an Art. 12 ground is in test_browser_review_queue.py).

The forms are checked before anything is signed (error summary linking to each field), the answers
shown for checking, and the JWS made by Web Crypto is verified by the broker as an API message.
"""

import re

import pytest
from playwright.sync_api import expect
from test_browser_signing import make_key

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)

NOTIFIED = {  # traffic data, the person living elsewhere: Ireland's enforcing authority is notified (Art. 8)
    "data_categories": ["traffic"],
    "offence_committed_in_issuing_state": True,
    "person_resides_in_issuing_state": False,
}


def registered_key(tab) -> str:
    """A key made in this browser and registered by the administrator signed in on `tab`."""
    kid = make_key(tab)
    tab.get_by_role("button", name="Register the key").click()
    expect(tab.get_by_role("region", name="Important")).to_contain_text(f"The key {kid} is registered.")
    return kid


def test_the_provider_asks_for_clarification_signed_in_the_browser(
    sign_in, admin, caseload, live_portal, accessible, log_entries
):
    order = caseload.received("PARQUET-CLARIFY")
    tab = sign_in(admin("provider"))
    kid = registered_key(tab)

    tab.goto(f"/orders/{order['id']}")
    tab.get_by_role("link", name="Ask for clarification").click()
    expect(tab.get_by_label(kid)).to_be_checked()
    accessible(tab)
    tab.get_by_label("Which fields of the certificate? (optional)").fill("Targets, all of them")
    tab.get_by_role("button", name="Continue").click()
    summary = tab.get_by_role("alert")
    expect(summary).to_contain_text("Explain what is missing or wrong")
    expect(summary).to_contain_text("Name each field as the certificate does")
    expect(tab).to_have_title(re.compile(r"^Error: Ask for clarification"))
    accessible(tab)
    summary.get_by_role("link", name="Explain what is missing or wrong").click()
    expect(tab.get_by_label("What is missing or wrong?")).to_be_focused()

    tab.get_by_label("What is missing or wrong?").fill("Two accounts match the address; which one?")
    tab.get_by_label("Which fields of the certificate? (optional)").fill("targets.0.value")
    tab.get_by_role("button", name="Continue").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Check and sign: Ask for clarification")
    expect(tab.get_by_role("main")).to_contain_text("Two accounts match the address; which one?")
    accessible(tab)
    tab.get_by_role("button", name="Sign and send").click()

    expect(tab).to_have_url(f"{live_portal}/orders/{order['id']}?done=request-clarification")
    expect(tab.get_by_role("region", name="Important")).to_contain_text(
        "Your signed request for clarification was sent."
    )
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Clarification requested")
    accessible(tab)
    (entry,) = log_entries("order.clarification-request")
    assert entry["details"]["state"] == {"from": "received", "to": "clarification_requested"}

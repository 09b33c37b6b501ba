"""A provider notifies a threat to life or safety (DSA Art. 18), signed in a real browser.

The key is made with Web Crypto and registered on the signing keys page; the notification's questions,
"check and sign" and the signature are the portal's own pages and script, and the broker verifies the JWS
the page sends exactly as one POSTed to /api/v1/threat-notifications.
"""

import re

import pytest
from playwright.sync_api import expect
from test_browser_signing import make_key

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)


def test_a_provider_signs_and_sends_a_notification_in_the_browser(
    sign_in, admin, network, live_portal, accessible, log_entries
):
    tab = sign_in(admin("provider"))
    kid = make_key(tab)
    tab.get_by_role("button", name="Register the key").click()
    expect(tab.get_by_role("region", name="Important")).to_contain_text(f"The key {kid} is registered.")

    tab.get_by_role("link", name="Threat notifications").click()
    tab.get_by_role("link", name="Notify a threat to life or safety").click()
    tab.get_by_label("The content concerned").fill("A video announcing an attack on a named school in Lyon.")
    tab.get_by_label("Where it was published (optional)").fill("https://video.example.test/watch/3e9c1a")
    tab.get_by_label("When it was published (UTC)").fill("2026-11-24T07:45")
    tab.get_by_label("Suspected to be likely to take place").check()
    tab.get_by_label("Why the information gives rise to the suspicion").fill("The uploader shows a firearm.")
    tab.get_by_label("What you know to locate and identify who posted it").fill("Account vh-88213.")
    tab.get_by_label("Member States concerned").fill("FR")
    tab.get_by_label("Parquet de Paris (FR)").check()
    expect(tab.get_by_label(kid)).to_be_checked()  # this browser's key, chosen for the person
    accessible(tab)
    tab.get_by_role("button", name="Continue").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text(
        "Check and sign: Notify a threat to life or safety"
    )
    accessible(tab)
    tab.get_by_role("button", name="Sign and send").click()

    expect(tab).to_have_url(
        re.compile(rf"^{re.escape(live_portal)}/threat-notifications/[0-9a-f-]{{36}}\?sent=yes$")
    )
    expect(tab.get_by_role("region", name="Important")).to_contain_text("Your signed notification was sent.")
    expect(tab.get_by_role("main")).to_contain_text("Parquet de Paris (FR)")
    accessible(tab)
    (entry,) = log_entries("threat_notification.received")
    assert entry["details"]["recipient"] == network["prosecutor"].organisation_id

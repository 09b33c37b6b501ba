"""A removal order (Regulation (EU) 2021/784) in a real browser: the host's legal team reads the hour in
minutes and the URL to remove, then confirms the removal with a key made and kept by chromium.

The JWS made by Web Crypto is verified by the broker as an API message; every page is scanned by axe.
"""

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect
from removal_helpers import URL
from removal_helpers import received
from removal_helpers import video_host
from test_browser_lifecycle import registered_key

from broker.orders.models import Message
from tests.removal.conftest import Removals

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)


@pytest.fixture
def removals(exchange: Any, network: Any, clock: Any, database: Any) -> Removals:
    return video_host(exchange, network, clock, database)


def test_the_host_confirms_a_removal_signed_in_the_browser(
    removals, sign_in, admin, live_portal, accessible, log_entries, database
):
    order = received(removals)
    tab = sign_in(admin("host"))
    kid = registered_key(tab)

    tab.goto("/")
    row = tab.get_by_role("row").filter(has_text=URL)
    expect(row).to_contain_text("Removal order: one hour")
    expect(row).to_contain_text("minutes left")
    accessible(tab)

    tab.goto(f"/orders/{order['id']}")
    hour = tab.get_by_role("region", name="Removal order: one hour to remove the content")
    expect(hour).to_contain_text("minutes left")
    expect(hour).to_contain_text(URL)
    accessible(tab)

    tab.get_by_role("link", name="Confirm the removal").click()
    expect(tab.get_by_label(kid)).to_be_checked()
    expect(tab.get_by_label("When was the content removed or access to it disabled?")).not_to_be_empty()
    accessible(tab)
    tab.get_by_role("button", name="Continue").click()
    expect(tab.get_by_role("alert")).to_contain_text("Select what you did")
    accessible(tab)
    tab.get_by_label("Removed the content").check()
    tab.get_by_label("Your file number (optional)").fill("EV-TCO-9")
    tab.get_by_role("button", name="Continue").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Check and sign: Confirm the removal")
    expect(tab.get_by_role("main")).to_contain_text("Removed the content")
    accessible(tab)
    tab.get_by_role("button", name="Sign and send").click()

    expect(tab).to_have_url(f"{live_portal}/orders/{order['id']}?done=confirm-removal")
    expect(tab.get_by_role("region", name="Important")).to_contain_text(
        "Your signed confirmation of removal was sent."
    )
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Content removed or disabled")
    expect(hour).to_contain_text("The provider confirmed the removal within the hour.")
    accessible(tab)
    (entry,) = log_entries("order.removal-confirmation")
    assert entry["details"]["state"] == {"from": "received", "to": "removed"}
    with database.transaction() as session:
        assert session.get_one(Message, uuid.UUID(entry["details"]["message"]["id"])).sender_kid == kid

"""Choosing one's e-mails in a real browser, the page checked by axe-core (issue 13, item 6)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)


def test_a_legal_officer_chooses_the_e_mails_they_receive_on_an_accessible_page(sign_in, accessible):
    tab = sign_in("provider")
    tab.get_by_role("link", name="Your account").click()
    tab.get_by_role("link", name="Choose the e-mails you receive").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("E-mails you receive")
    arrivals = tab.get_by_role("checkbox", name="An order arrives")
    expect(arrivals).to_be_checked()
    expect(arrivals).to_have_accessible_description(
        "Addressed to your organisation, notified to it for review, or sent to it for enforcement."
    )
    accessible(tab)

    tab.get_by_role("checkbox", name="A deadline nears").uncheck()
    tab.get_by_role("button", name="Save choices").click()
    expect(tab.get_by_role("region", name="Important")).to_contain_text(
        "Your choice of e-mails has been saved."
    )
    accessible(tab)

    tab.get_by_role("link", name="Choose the e-mails you receive").click()
    expect(tab.get_by_role("checkbox", name="A deadline nears")).not_to_be_checked()
    expect(tab.get_by_role("checkbox", name="A deadline passes")).to_be_checked()

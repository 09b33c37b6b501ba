"""Every other page in a real browser, each checked by axe-core: enrolling, the account, French, recovery.

The oversight body's pages are in test_browser_oversight.py.
"""

import pytest
from playwright.sync_api import expect

from broker.parties.people import totp

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)


def test_a_new_person_enrols_and_manages_the_account_on_accessible_pages(
    tab, live_portal, people, accessible
):
    person = people.add("judge", enrolled=False)
    tab.goto("/login")
    tab.get_by_label("E-mail address").fill(person.email)
    tab.get_by_label("Password").fill(person.password)
    tab.get_by_role("button", name="Continue").click()
    expect(tab).to_have_url(f"{live_portal}/account/two-factor")
    accessible(tab)
    secret = tab.locator("code.secret").inner_text().replace(" ", "")
    people.clock.advance(seconds=totp.STEP_SECONDS)
    tab.get_by_label("Code from your authenticator app").fill(totp.code_at(secret, people.clock()))
    tab.get_by_role("button", name="Confirm and continue").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Your authenticator app is set up")
    accessible(tab)

    tab.get_by_role("button", name="Continue to your orders").click()
    expect(tab).to_have_url(f"{live_portal}/")
    tab.get_by_role("link", name="Your account").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Your account")
    accessible(tab)
    tab.get_by_role("link", name="Change password").click()
    accessible(tab)
    tab.get_by_role("button", name="Change password").click()
    expect(tab.get_by_role("alert")).to_contain_text("Enter your current password")
    accessible(tab)

    tab.get_by_role("button", name="Français").click()
    expect(tab.locator("html")).to_have_attribute("lang", "fr")
    accessible(tab)

    tab.get_by_role("button", name="Se déconnecter").click()
    expect(tab).to_have_url(f"{live_portal}/login?notice=signed-out")
    accessible(tab)


def test_the_recovery_page_is_accessible(tab, live_portal, people, accessible):
    person = people.add("provider")
    tab.goto("/login")
    tab.get_by_label("E-mail address").fill(person.email)
    tab.get_by_label("Password").fill(person.password)
    tab.get_by_role("button", name="Continue").click()
    tab.get_by_role("link", name="I cannot use my authenticator app: use a recovery code").click()
    expect(tab).to_have_url(f"{live_portal}/login/recovery")
    accessible(tab)
    tab.get_by_label("Enter a recovery code").fill(person.recovery_codes[0])
    tab.get_by_role("button", name="Sign in").click()
    expect(tab).to_have_url(f"{live_portal}/")

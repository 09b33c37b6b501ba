"""Signing in, in a real browser: password, then the authenticator's code (a wrong one first), to the dashboard."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from broker.parties.people import totp

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)


def not_a_code_of(secret: str, people) -> str:
    """Six digits that no step within the out-of-sync window accepts: wrong, not merely late."""
    now = people.clock()
    near = {
        totp.code_at(secret, now + timedelta(seconds=totp.STEP_SECONDS * step)) for step in range(-10, 11)
    }
    return next(f"{guess:06d}" for guess in range(1_000_000) if f"{guess:06d}" not in near)


def test_a_wrong_code_is_told_on_the_page_then_the_right_one_lands_on_the_dashboard(
    tab, live_portal, people, accessible
):
    person = people.add("prosecutor")
    tab.goto("/")
    expect(tab).to_have_url(f"{live_portal}/login")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Sign in")
    accessible(tab)
    tab.get_by_label("E-mail address").fill(person.email)
    tab.get_by_label("Password").fill(person.password)
    tab.get_by_role("button", name="Continue").click()

    expect(tab).to_have_url(f"{live_portal}/login/code")
    accessible(tab)
    tab.get_by_label("Enter the code from your authenticator app").fill(not_a_code_of(person.secret, people))
    tab.get_by_role("button", name="Sign in").click()

    summary = tab.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text(
        "The code is not right. Enter the code your authenticator app shows now"
    )
    expect(tab).to_have_title("Error: Enter the code from your authenticator app \u2013 e-Evidence broker")
    code_input = tab.get_by_label("Enter the code from your authenticator app")
    expect(code_input).to_have_attribute("aria-invalid", "true")
    accessible(tab)
    summary.get_by_role("link").click()
    expect(code_input).to_be_focused()

    tab.goto("/")  # the wrong code signed nobody in
    expect(tab).to_have_url(f"{live_portal}/login/code")
    tab.get_by_label("Enter the code from your authenticator app").fill(people.code(person))
    tab.get_by_role("button", name="Sign in").click()

    expect(tab).to_have_url(f"{live_portal}/")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Your organisation's orders")
    expect(tab.get_by_role("navigation", name="Menu")).to_contain_text("Parquet de Paris")
    accessible(tab)

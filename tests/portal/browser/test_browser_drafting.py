"""Drafting in a real browser: the guided form, a finding appearing and clearing as the person answers
(an answer given before the page's script ran included), check your answers, then the certificate
signed with the browser's own key and the order issued.

Every page is scanned with axe-core.
"""

import re

import pytest
from playwright.sync_api import expect
from test_browser_signing import make_key

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)


def go_on(tab, accessible):
    accessible(tab)
    tab.get_by_role("button", name="Continue").click()


def test_a_caseworker_drafts_watches_a_finding_come_and_go_signs_and_issues(
    sign_in, admin, live_portal, accessible, log_entries
):
    tab = sign_in(admin("prosecutor"))
    make_key(tab)
    tab.get_by_role("button", name="Register the key").click()
    expect(tab.get_by_role("region", name="Important")).to_contain_text("is registered.")

    tab.goto("/")
    tab.get_by_role("link", name="Draft an order").first.click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("What do you want to order?")
    tab.get_by_label("European Production Order (EPOC)").check()
    tab.get_by_label("Regulation (EU) 2023/1543 (e-Evidence)").check()
    go_on(tab, accessible)

    tab.get_by_label(re.compile(r"^Example Mail: ")).check()
    go_on(tab, accessible)
    tab.get_by_label("Subscriber data").check()
    go_on(tab, accessible)
    tab.get_by_label("Kind of identifier 1").select_option("email_address")
    tab.get_by_label("Identifier 1", exact=True).fill("suspect@examplemail.test")
    go_on(tab, accessible)
    tab.get_by_label("From (UTC)").fill("2026-09-01T00:00")
    tab.get_by_label("Until (UTC)").fill("2026-11-01T00:00")
    go_on(tab, accessible)
    tab.get_by_label("Description of the offence").fill("Online investment fraud")
    tab.get_by_label("Criminal-law provisions").fill("Code pénal, art. 313-1")
    tab.get_by_label("Maximum custodial sentence, in months").fill("60")
    go_on(tab, accessible)
    tab.get_by_label("Criminal proceedings").check()
    go_on(tab, accessible)
    tab.get_by_label("Summary of the case").fill("Victims paid into accounts advertised from this address.")
    tab.get_by_label("Why the order is necessary and proportionate (Art. 5(2))").fill("The only lead.")
    go_on(tab, accessible)
    tab.get_by_label("No", exact=True).check()
    go_on(tab, accessible)
    go_on(tab, accessible)  # validated by no one else: a prosecutor may order subscriber data alone
    tab.get_by_role("group", name="Could a similar order be issued in a similar domestic case?").get_by_label(
        "Yes", exact=True
    ).check()
    go_on(tab, accessible)
    tab.get_by_label("Delay informing the person").check()
    tab.get_by_label("Why the person is not informed now").fill("Would alert the suspect.")
    go_on(tab, accessible)
    tab.get_by_label("Your file number").fill("PARQUET-BROWSER-1")
    tab.get_by_label("Language of the certificate").select_option("en")
    go_on(tab, accessible)

    expect(tab.get_by_role("heading", level=1)).to_have_text("Check your answers")
    panel = tab.locator("[data-findings-panel]")
    expect(panel).to_contain_text("No rule of the legal instrument is broken.")
    accessible(tab)

    # The box is ticked before the page's script has run (held back here; a slow network does the
    # same): once it runs it sees the answer differs from the page as sent and asks the broker.
    tab.route("**/drafting.js", lambda route: route.abort())
    tab.get_by_role("button", name="Change Which data do you ask for?").click()
    tab.get_by_label("Content data").check()
    tab.unroute("**/drafting.js")
    tab.add_script_tag(url=tab.locator("script[src*='drafting.js']").get_attribute("src"))
    expect(panel.locator('[data-rule="EE-06"]')).to_contain_text("Art. 4(2)")
    expect(panel).to_contain_text("add a validating authority")
    accessible(tab)
    tab.get_by_label("Content data").uncheck()
    expect(panel.locator('[data-rule="EE-06"]')).to_have_count(0)
    expect(panel).to_contain_text("No rule of the legal instrument is broken.")
    go_on(tab, accessible)

    expect(tab.get_by_role("heading", level=1)).to_have_text("Check your answers")
    tab.get_by_role("button", name="Save the draft").click()
    expect(tab.get_by_role("region", name="Important")).to_contain_text("Your draft is saved.")
    accessible(tab)
    tab.get_by_role("link", name="Sign and issue").click()
    go_on(tab, accessible)  # this browser's key is chosen for the person
    expect(tab.get_by_role("heading", level=1)).to_have_text("Check and sign: Issue the order")
    accessible(tab)
    tab.get_by_role("button", name="Sign and issue").click()

    expect(tab).to_have_url(re.compile(re.escape(live_portal) + r"/orders/[0-9a-f-]{36}\?done=issue$"))
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Issued")
    accessible(tab)
    (entry,) = log_entries("order.issued")
    assert entry["details"]["state"] == {"from": "draft", "to": "issued"}

    tab.goto("/drafts")
    expect(tab.get_by_role("main")).to_contain_text("Your organisation has no draft.")
    accessible(tab)

"""The oversight body's pages in a real browser, each checked by axe-core: every order, search, case file and
statistics, in one session (the signed log's check is the last step of the walk, test_browser_walk.py).
"""

import json
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)


def test_an_auditor_sees_every_order_searches_reads_a_case_file_and_the_statistics(
    sign_in, caseload, accessible
):
    caseload.received("PARQUET-1")
    caseload.emergency("PARQUET-URGENT")
    caseload.issued("LYON-1", author="other_authority")
    tab = sign_in("oversight")
    expect(tab.get_by_role("heading", level=1)).to_have_text("All orders")
    # The header, then the orders of both issuing authorities.
    expect(tab.get_by_role("table", name="Orders").get_by_role("row")).to_have_count(4)
    accessible(tab)

    tab.get_by_role("navigation", name="Menu").get_by_role("link", name="Search orders").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Search orders")
    expect(tab.get_by_role("table", name="Orders found").get_by_role("row")).to_have_count(4)
    accessible(tab)

    tab.get_by_label("Emergency").select_option("yes")
    tab.get_by_role("button", name="Search").click()
    expect(tab).to_have_url(re.compile(r"/orders/search\?.*emergency=yes"))
    expect(tab.get_by_role("table", name="Orders found").get_by_role("row")).to_have_count(2)

    tab.get_by_label("Created on or after").fill("2026-02-30")
    tab.get_by_role("button", name="Search").click()
    expect(tab.get_by_role("alert")).to_contain_text("Enter a real date, such as 2026-03-31")
    expect(tab).to_have_title(re.compile(r"^Error: Search orders"))
    accessible(tab)

    tab.get_by_label("Created on or after").fill("")
    tab.get_by_role("button", name="Search").click()
    tab.get_by_role("link", name="Case file of order PARQUET-URGENT").click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Case file of order")
    expect(tab.get_by_role("status")).to_contain_text("Verified")
    accessible(tab)

    with tab.expect_download() as download:
        tab.get_by_role("link", name="Download the case file (JSON)").click()
    case_file = json.loads(download.value.path().read_text())
    assert case_file["order"]["emergency"] is True and case_file["checkpoint"]["note"]

    tab.get_by_role("navigation", name="Menu").get_by_role("link", name="Statistics").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Statistics (Art. 28)")
    expect(tab.get_by_role("img", name="Orders issued by data category")).to_be_visible()
    expect(tab.get_by_role("table", name="Orders issued", exact=True)).to_be_visible()
    accessible(tab)

    tab.get_by_label("Year").fill("1999")
    tab.get_by_role("button", name="Show the statistics").click()
    expect(tab.get_by_role("alert")).to_contain_text("Enter a year from 2000 to 2100")
    accessible(tab)

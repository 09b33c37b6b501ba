"""The oversight body's pages: search every order, a case file, the signed log, Art. 28 statistics.

Each is authorised as its API route is (one table for every party), read-only, and recorded in
the audit trail as the API's reads are.
"""

import json
import re

import pytest
import sqlalchemy as sa
from portal_helpers import portal_settings

from broker.app import create_app
from broker.audit import verify
from broker.audit.models import AuditCheckpoint
from broker.audit.models import AuditSubtree
from broker.audit.signer import LogSigner
from broker.crypto import load_private_key
from broker.portal import charts

ROW = re.compile(r'<td><a href="/orders/([0-9a-f-]+)" class="link">([^<]+)</a>')
NEXT_PAGE = re.compile(r'<a class="link" rel="next" href="([^"]+)">')
ORDER = "00000000-0000-4000-8000-000000000000"

# (path, party) -> status; "{order}" is an order every party may know of. Unlisted parties: 403.
ACCESS = {
    "/orders/search": {"oversight": 200},
    "/orders/{order}/case-file": {"oversight": 200},
    "/orders/{order}/case-file.json": {"oversight": 200},
    "/log": {"oversight": 200, "prosecutor": 200, "provider": 200, "enforcing": 200},
    "/statistics": {"oversight": 200, "prosecutor": 200},
}
PARTIES = ("oversight", "prosecutor", "provider", "enforcing")


def found(page) -> list[str]:
    """The file numbers of the orders a search page lists, in the order shown."""
    return [number for _, number in ROW.findall(page.get_data(as_text=True))]


def every_page(browser, path: str | None) -> list[list[str]]:
    seen = []
    while path:
        page = browser.get(path)
        assert page.status_code == 200
        seen.append(found(page))
        following = NEXT_PAGE.search(page.get_data(as_text=True))
        path = following.group(1).replace("&amp;", "&") if following else None
    return seen


@pytest.fixture
def vkey(broker_key_file) -> str:
    return LogSigner("broker.test/log", load_private_key(broker_key_file.read_bytes())).vkey


@pytest.mark.parametrize("path", list(ACCESS))
def test_each_page_admits_exactly_the_parties_its_api_route_admits(path, portal_app, people, caseload):
    order = caseload.received("PARQUET-1")
    for party in PARTIES:
        browser = people.sign_in(portal_app.test_client(), people.add(party))
        answer = browser.get(path.format(order=order["id"]))
        assert answer.status_code == ACCESS[path].get(party, 403), (path, party)
    anonymous = portal_app.test_client().get(path.format(order=order["id"]))
    assert anonymous.status_code == 303 and anonymous.headers["Location"].startswith("/login")


def test_the_search_narrows_by_each_filter(signed_in, caseload, clock, network):
    caseload.overdue("PARQUET-LATE")
    clock.advance(days=1)
    caseload.emergency("PARQUET-URGENT")
    clock.advance(minutes=1)
    caseload.draft("PARQUET-DRAFT")
    clock.advance(minutes=1)
    caseload.issued("LYON-1", author="other_authority")
    browser = signed_in("oversight")
    lyon = network["other_authority"].organisation_id
    assert found(browser.get("/orders/search")) == [
        "LYON-1",
        "PARQUET-DRAFT",
        "PARQUET-URGENT",
        "PARQUET-LATE",
    ]
    assert found(browser.get("/orders/search?state=draft")) == ["PARQUET-DRAFT"]
    assert found(browser.get(f"/orders/search?issuing_authority={lyon}")) == ["LYON-1"]
    assert found(browser.get("/orders/search?emergency=yes")) == ["PARQUET-URGENT"]
    assert "PARQUET-URGENT" not in found(browser.get("/orders/search?emergency=no"))
    assert found(browser.get("/orders/search?overdue=yes")) == ["PARQUET-LATE"]
    assert found(browser.get("/orders/search?created_to=2026-11-24")) == ["PARQUET-LATE"]
    assert "PARQUET-LATE" not in found(browser.get("/orders/search?created_from=2026-12-05"))
    other = network["other_provider"].organisation_id
    assert found(browser.get(f"/orders/search?provider={other}")) == []


def test_each_search_page_is_recorded_with_the_orders_it_showed(signed_in, caseload, log_entries):
    order = caseload.received("PARQUET-1")
    signed_in("oversight").get("/orders/search?state=received")
    (entry,) = log_entries("orders.listed")
    assert entry["object"] == {"type": "listing", "id": "portal-search"}
    assert entry["details"]["orders"] == [order["id"]]
    assert entry["actor"]["kind"] == "oversight_body"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("state=lost", "state", "Choose a state from the list"),
        (f"provider={ORDER}", "provider", "Choose a service provider from the list"),
        ("issuing_authority=paris", "issuing-authority", "Choose an issuing authority from the list"),
        ("created_from=2026-02-30", "created-from", "Enter a real date, such as 2026-03-31"),
        ("created_to=9999-12-31", "created-to", "Enter a real date, such as 2026-03-31"),
        (
            "created_from=2026-03-02&created_to=2026-03-01",
            "created-to",
            "The last day must be the same as or after the first day",
        ),
        ("emergency=perhaps", "emergency", "Choose whether the orders are emergencies"),
    ],
)
def test_a_filter_that_does_not_parse_is_said_on_its_field(
    signed_in, caseload, log_entries, query, field, message
):
    caseload.received("PARQUET-1")
    page = signed_in("oversight").get(f"/orders/search?{query}")
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert f'<a href="#{field}">{message}</a>' in html
    assert f'id="{field}-error"' in html and found(page) == []
    assert log_entries("orders.listed") == []


def test_the_search_pages_by_keyset_keeping_its_filters(
    database, clock, broker_key_file, tmp_path, people, caseload
):
    app = create_app(
        portal_settings(broker_key_file, tmp_path, PORTAL_PAGE_SIZE=2), clock=clock, database=database
    )
    for number in range(5):
        caseload.received(f"PARQUET-{number}")
        clock.advance(minutes=1)
    caseload.draft("PARQUET-DRAFT")
    browser = people.sign_in(app.test_client(), people.add("oversight"))
    pages = every_page(browser, "/orders/search?state=received")
    assert pages == [["PARQUET-4", "PARQUET-3"], ["PARQUET-2", "PARQUET-1"], ["PARQUET-0"]]
    assert every_page(browser, "/orders/search?state=received&cursor=not-a-cursor")[0] == pages[0]


def test_the_case_file_page_shows_the_history_proved_against_a_signed_checkpoint(
    signed_in, caseload, log_entries
):
    order = caseload.received("PARQUET-1")
    page = signed_in("oversight").get(f"/orders/{order['id']}/case-file")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Verified" in html and "each is about the order and in the signed log" in html
    assert "Production order certificate" in html and "Parquet de Paris" in html
    assert "Issued (signed certificate sent)" in html and "Received by the provider" in html
    assert html.count("Case file exported") == 1, (
        "the export this page made is the last entry of its own file"
    )
    assert re.search(r"<td>Case file exported</td>\s*<td>Oversight Body</td>", html), "actors are named"
    assert re.search(r"<dt class=\"summary-list__key\">Issued</dt><dd [^>]*>Nov 24, 2026", html)
    (exported,) = log_entries("order.case_file_exported")
    assert exported["object"] == {"type": "order", "id": order["id"]}


def test_the_downloaded_case_file_verifies_with_nothing_but_the_published_key(signed_in, caseload, vkey):
    order = caseload.received("PARQUET-1")
    answer = signed_in("oversight").get(f"/orders/{order['id']}/case-file.json")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert answer.headers["Content-Disposition"] == f'attachment; filename="case-file-{order["id"]}.json"'
    case_file = json.loads(answer.get_data())
    proved = verify.verify_case_file(case_file, vkey)
    assert proved.checked == f"{len(case_file['entries'])} timeline entries of order {order['id']}"
    case_file["order"]["messages"][0]["sha256"] = "0" * 64
    with pytest.raises(verify.AuditVerificationError):
        verify.verify_case_file(case_file, vkey)


def test_the_case_file_of_no_order_is_not_found(signed_in):
    assert signed_in("oversight").get(f"/orders/{ORDER}/case-file").status_code == 404


def test_the_log_page_checks_the_newest_checkpoint_against_the_one_before(signed_in, caseload):
    first = caseload.received("PARQUET-1")
    browser = signed_in("oversight")
    assert "No checkpoint has been signed yet." in browser.get("/log").get_data(as_text=True)
    browser.get(f"/orders/{first['id']}/case-file")  # signs a checkpoint, as the API's export does
    html = browser.get("/log").get_data(as_text=True)
    assert "every step below passed" in html and "Nothing to compare" in html
    browser.get(f"/orders/{caseload.received('PARQUET-2')['id']}/case-file")
    html = browser.get("/log").get_data(as_text=True)
    assert "every step below passed" in html
    assert html.count('<strong class="tag tag--green">Passed</strong>') == 4
    assert "broker.test/log+" in html, "the page names the key it checked with"


def test_the_log_page_says_which_step_fails_when_the_tables_were_edited(signed_in, caseload, database):
    order = caseload.received("PARQUET-1")
    browser = signed_in("oversight")
    browser.get(f"/orders/{order['id']}/case-file")
    with database.transaction() as session:
        session.execute(sa.update(AuditSubtree).where(AuditSubtree.level == 0).values(hash=bytes(32)))
    html = browser.get("/log").get_data(as_text=True)
    assert "Verification failed" in html
    assert "the log&#39;s stored hashes give another root than the signed one" in html
    with database.transaction() as session:
        latest = session.scalars(sa.select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc())).first()
        latest.note = latest.note.replace(f"\n{latest.size}\n", f"\n{latest.size - 1}\n", 1)
    html = browser.get("/log").get_data(as_text=True)
    assert "Verification failed" in html and html.count("Not checked") == 3


def test_the_statistics_of_a_year_are_tables_and_accessible_charts(signed_in, caseload, log_entries):
    caseload.received("PARQUET-1")
    caseload.emergency("PARQUET-URGENT")
    page = signed_in("oversight").get("/statistics?year=2026")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    issued = re.search(r'<th scope="row">All orders issued</th><td class="numeric">(\d+)</td>', html)
    assert issued and issued.group(1) == "2"
    assert '<th scope="row">Emergency</th><td class="numeric">1</td>' in html
    chart = re.search(
        r'<svg class="chart" id="chart-issued" role="img" aria-labelledby="chart-issued-title chart-issued-desc"',
        html,
    )
    assert chart
    assert '<title id="chart-issued-title">Orders issued by data category</title>' in html
    assert '<desc id="chart-issued-desc">Subscriber data: EPOC 2, EPOC-PR 0;' in html
    assert "Not recorded by the broker" in html, "(h) and (j) are not 0"
    (read,) = log_entries("report.read")
    assert read["object"] == {"type": "report", "id": "art28"} and read["details"]["country"] is None


def test_an_issuing_authority_reads_its_own_state_and_chooses_no_other(signed_in, log_entries):
    page = signed_in("prosecutor").get("/statistics?country=DE")
    assert page.status_code == 200 and 'name="country"' not in page.get_data(as_text=True)
    (read,) = log_entries("report.read")
    assert read["details"]["country"] == "FR"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("year=1999", "year", "Enter a year from 2000 to 2100"),
        ("year=twenty", "year", "Enter a year from 2000 to 2100"),
        ("year=%C2%B2%E2%81%B0%C2%B2%E2%81%B6", "year", "Enter a year from 2000 to 2100"),  # ²⁰²⁶
        ("year=2" + "0" * 5000, "year", "Enter a year from 2000 to 2100"),
        ("country=France", "country", "Enter a country as its two-letter code, such as FR"),
    ],
)
def test_a_wrong_year_or_country_is_said_on_its_field(signed_in, log_entries, query, field, message):
    page = signed_in("oversight").get(f"/statistics?{query}")
    assert page.status_code == 400
    assert f'<a href="#{field}">{message}</a>' in page.get_data(as_text=True)
    assert log_entries("report.read") == []


def test_the_oversight_menu_leads_to_each_page(signed_in):
    html = signed_in("oversight").get("/").get_data(as_text=True)
    for path in ("/orders/search", "/log", "/statistics"):
        assert f'href="{path}" class="navigation__link"' in html


def test_a_chart_escapes_its_text_and_draws_a_missing_figure_as_a_dash_not_a_bar():
    svg = charts.bar_chart("c", "<b>Orders</b>", ("EPOC", "EPOC-PR"), [charts.Bar("A & B", (3, None))])
    assert '<title id="c-title">&lt;b&gt;Orders&lt;/b&gt;</title>' in svg
    assert '<desc id="c-desc">A &amp; B: EPOC 3, EPOC-PR \u2014</desc>' in svg
    assert svg.count("<rect") == 2 + 2, "two legend keys, two bars (the missing one zero wide)"
    assert 'width="0.0"' in svg and "EPOC-PR: \u2014</text>" in svg
    with pytest.raises(ValueError, match="one value for each"):
        charts.bar_chart("c", "t", ("EPOC",), [charts.Bar("A", (1, 2))])


def test_the_costly_pages_count_against_the_limit_of_the_api_s_expensive_routes(
    database, clock, broker_key_file, tmp_path, people, caseload
):
    settings = portal_settings(broker_key_file, tmp_path, RATE_LIMIT_EXPENSIVE="2/minute")
    app = create_app(settings, clock=clock, database=database)
    order = caseload.received("PARQUET-1")
    browser = people.sign_in(app.test_client(), people.add("oversight"))
    for path in ("/orders/search", f"/orders/{order['id']}/case-file", "/statistics"):
        assert [browser.get(path).status_code for _ in range(3)] == [200, 200, 429], path
    assert browser.get("/log").status_code == 200


def test_a_search_page_costs_the_same_statements_however_many_orders_it_shows(signed_in, caseload, database):
    def statements(path: str) -> int:
        sent: list[str] = []
        listen = lambda *args: sent.append(args[2])  # noqa: E731 - the statement is the third argument
        sa.event.listen(database.engine, "before_cursor_execute", listen)
        try:
            assert browser.get(path).status_code == 200
        finally:
            sa.event.remove(database.engine, "before_cursor_execute", listen)
        return len(sent)

    caseload.received("PARQUET-1")
    browser = signed_in("oversight")
    one = statements("/orders/search")
    caseload.received("PARQUET-2")
    caseload.issued("JUGE-1", author="judge")
    caseload.issued("LYON-1", author="other_authority")
    assert statements("/orders/search") == one, (
        "the deadlines come in one query per page, and the parties with the lists' organisations, never one per row"
    )

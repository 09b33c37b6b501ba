"""The portal in a real browser: Debian's chromium driven by Playwright, the broker served on a socket.

One chromium per test process (launching takes about a second), a fresh browser context per test
(its own cookies), and per test the portal app of tests/portal/conftest.py, on the test database and
the frozen clock, served by waitress on a free loopback port (broker/demo/server.py, as the demo
serves it). Nothing is skipped: without chromium every test here fails and says how to install it.

`tab` is the test's page; `accessible(tab)` runs the vendored axe-core (axe/README.md) on what it
shows and fails on any serious or critical violation. `sign_in` signs a person in outside the
browser and hands it the session cookie, for tests whose subject is not signing in.
"""

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import Playwright
from playwright.sync_api import expect
from playwright.sync_api import sync_playwright
from portal_helpers import session_cookie

from broker.demo.server import serving
from broker.portal.sessions import SESSION_COOKIE

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "axe" / "axe.min.js"
# What axe-core checks: WCAG 2.0, 2.1 and 2.2, levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = frozenset({"serious", "critical"})
CSRF_VALUE = re.compile(r'name="csrf_token" value="[^"]*"')
# What `accessible` reads of a page before running axe: its markup, its choices, whether axe is loaded.
PAGE_STATE = """() => [
  document.documentElement.outerHTML,
  [...document.querySelectorAll("input, select")].map(
    field => field.tagName === "SELECT" ? field.selectedIndex : field.checked
  ),
  typeof window.axe !== "undefined",
]"""
# Milliseconds a step may take before Playwright gives up (default 30 s: a failure would be slow to show).
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    """Debian's chromium, headless, once per test process."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"the browser tests need Debian's chromium at {CHROMIUM}: `apt-get install chromium` "
            "(.ci/run installs it; Playwright's own browser download cannot work here)",
            pytrace=False,
        )
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
    yield browser
    browser.close()


@pytest.fixture
def live_portal(portal_app: Flask) -> Iterator[str]:
    """The base URL of the test's portal app, served for real."""
    with serving(portal_app, threads=2) as url:
        yield url


@pytest.fixture
def tab(chromium: Browser, live_portal: str) -> Iterator[Page]:
    """A new page in a browser context of its own, addressed relative to the live portal."""
    context = chromium.new_context(base_url=live_portal, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def sign_in(tab: Page, live_portal: str, portal_app: Flask, people: Any) -> Any:
    """sign_in("prosecutor", page=tab) -> the page (`tab` unless given), signed in as that network
    party's person and on the dashboard.

    The person signs in through the portal's own pages, password then code, but in the Flask test
    client (tests/portal/conftest.py's People.sign_in), and the session cookie it was given is
    handed to the browser: two page loads and three fields less in chromium for every test whose
    subject is not signing in. Signing in within the browser is proven by test_browser_signin.py and
    by the walk (walk.py).
    """

    def step(handle: str, page: Page = tab) -> Page:
        client = people.sign_in(portal_app.test_client(), people.add(handle))
        token = session_cookie(client)
        assert token, "the sign-in set no session cookie"
        page.context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": live_portal}])
        page.goto("/")
        expect(page).to_have_url(f"{live_portal}/")
        return page

    return step


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def axe_checked() -> dict[str, dict[str, Any]]:
    """axe-core's results on each markup already checked in this test process, by its fingerprint."""
    return {}


@pytest.fixture
def accessible(axe_source: str, axe_checked: dict[str, dict[str, Any]]) -> Any:
    """accessible(page) -> axe-core's results on the page; fails on a serious or critical violation.

    axe is evaluated through the DevTools protocol, which the page's Content-Security-Policy does
    not govern: the policy stays exactly as the portal sends it. A page axe already passed in this
    process, the same markup with the same boxes ticked (the sign-in page of each person of the walk,
    say), is not checked again: with the same style sheets it gives the same results, and a run costs
    a quarter of a second.
    """

    def check(page: Page) -> dict[str, Any]:
        markup, choices, loaded = page.evaluate(PAGE_STATE)
        seen = fingerprint(markup, choices)
        if seen in axe_checked:
            return axe_checked[seen]
        if not loaded:
            page.evaluate(axe_source)
        results: dict[str, Any] = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS,
        )
        failing = [found for found in results["violations"] if found["impact"] in FAILING_IMPACTS]
        assert not failing, f"accessibility violations on {page.url}:\n" + json.dumps(
            [_summary(found) for found in failing], indent=2
        )
        axe_checked[seen] = results
        return results

    return check


def fingerprint(markup: str, choices: list[Any]) -> str:
    """The SHA-256 of a page's markup as it stands and of its boxes ticked and options chosen.

    The choices count because they show or hide parts of a page without a change to its markup; the
    forms' CSRF tokens, new on every page, do not.
    """
    state = [CSRF_VALUE.sub('name="csrf_token" value=""', markup), choices]
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()


def _summary(violation: dict[str, Any]) -> dict[str, Any]:
    return {
        "rule": violation["id"],
        "impact": violation["impact"],
        "help": violation["help"],
        "where": [node["target"] for node in violation["nodes"]][:5],
    }

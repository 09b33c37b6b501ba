"""The portal in a real browser: Debian's chromium driven by Playwright, the broker served on a socket.

One chromium per test process (launching takes about a second), a fresh browser context per test
(its own cookies), and per test the portal app of tests/portal/conftest.py, on the test database and
the frozen clock, served by waitress on a free loopback port (broker/demo/server.py, as the demo
serves it). Nothing is skipped: without chromium every test here fails and says how to install it.

`tab` is the test's page; `accessible(tab)` runs the vendored axe-core (axe/README.md) on what it
shows and fails on any serious or critical violation.
"""

import json
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

from broker.demo.server import serving

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "axe" / "axe.min.js"
# What axe-core checks: WCAG 2.0, 2.1 and 2.2, levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = frozenset({"serious", "critical"})
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
def sign_in(tab: Page, live_portal: str, people: Any) -> Any:
    """sign_in("prosecutor") -> `tab`, signed in through the pages as that network party's person."""

    def step(handle: str) -> Page:
        person = people.add(handle)
        tab.goto("/login")
        tab.get_by_label("E-mail address").fill(person.email)
        tab.get_by_label("Password").fill(person.password)
        tab.get_by_role("button", name="Continue").click()
        tab.get_by_label("Enter the code from your authenticator app").fill(people.code(person))
        tab.get_by_role("button", name="Sign in").click()
        expect(tab).to_have_url(f"{live_portal}/")
        return tab

    return step


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def accessible(axe_source: str) -> Any:
    """accessible(page) -> axe-core's results on the page; fails on a serious or critical violation.

    axe is evaluated through the DevTools protocol, which the page's Content-Security-Policy does
    not govern: the policy stays exactly as the portal sends it.
    """

    def check(page: Page) -> dict[str, Any]:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(axe_source)
        results: dict[str, Any] = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS,
        )
        failing = [found for found in results["violations"] if found["impact"] in FAILING_IMPACTS]
        assert not failing, f"accessibility violations on {page.url}:\n" + json.dumps(
            [_summary(found) for found in failing], indent=2
        )
        return results

    return check


def _summary(violation: dict[str, Any]) -> dict[str, Any]:
    return {
        "rule": violation["id"],
        "impact": violation["impact"],
        "help": violation["help"],
        "where": [node["target"] for node in violation["nodes"]][:5],
    }

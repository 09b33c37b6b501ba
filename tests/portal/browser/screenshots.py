"""The pictures of docs/portal.md: the walk of test_browser_walk.py on the demo's network, photographed.

    .venv/bin/python tests/portal/browser/screenshots.py [docs/portal]

Not a test (pytest collects only test_*.py): run it by hand after changing a page, then look at the
pictures and commit them. It builds the demo network (`broker demo`'s people, on a throw-away SQLite
database, on the real clock), runs the demo's narrated exchange so the oversight body has more than
one order to count, puts an emergency in Example Mail's inbox, then drives Debian's chromium through
walk.py with one browser context per person and saves each picture walk.py asks for as a PNG 1280
pixels wide, reduced to a 256-colour palette when larger than MAX_BYTES.
"""

import io
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import expect
from playwright.sync_api import sync_playwright
from walk import Walk
from walk import deliver_evidence

from broker import crypto
from broker import migrate
from broker.app import create_app
from broker.certificates.seal import CERTIFICATE_FILE
from broker.certificates.seal import KEY_FILE
from broker.certificates.seal import Seal
from broker.client import BrokerClient
from broker.client import KeySigner
from broker.clock import system_clock
from broker.db import Database
from broker.demo import evidence
from broker.demo.lifecycle import emergency_traffic_epoc
from broker.demo.network import Party
from broker.demo.network import build_network
from broker.demo.people import DemoLogin
from broker.demo.people import give_logins
from broker.demo.scenario import Demo
from broker.demo.server import serving

CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT = 1280, 900
MAX_BYTES = 200_000
# Pages shown whole (down to MAX_HEIGHT); the others as the screenful the walk shows.
WHOLE = frozenset({"order-page", "statistics", "log-check", "check-your-answers"})
# The tallest a whole page is kept, in pixels: below that come only more rows of the same kind.
MAX_HEIGHT = 2000
TIMEOUT_MS = 15_000


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="broker-screenshots-"))
    try:
        database = Database(f"sqlite:///{folder / 'broker.sqlite3'}")
        migrate.upgrade(database)
        parties = build_network(database, system_clock, folder)
        app = create_app(_settings(folder), database=database)
        with serving(app) as url, sync_playwright() as driver:
            _demo_orders(app, url, parties, folder)
            logins = {login.role: login for login in give_logins(database, system_clock)}
            browser = driver.chromium.launch(executable_path=CHROMIUM)
            try:
                _walk(browser, url, parties, logins, folder, out)
            finally:
                browser.close()
        database.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _settings(folder: Path) -> dict[str, Any]:
    key_file = folder / "broker-key.pem"
    key_file.write_bytes(crypto.private_key_pem(crypto.generate_private_key("EdDSA")))
    seal = folder / "seal"
    Seal.kept_in(seal, "e-evidence broker screenshots (development seal)")
    return {
        "KEY_FILE": str(key_file),
        "SEAL_KEY_FILE": str(seal / KEY_FILE),
        "SEAL_CERT_FILE": str(seal / CERTIFICATE_FILE),
        "LOG_ORIGIN": "broker.demo/screenshots",
        "EVIDENCE_FOLDER": str(folder / "evidence"),
        "PORTAL_COOKIE_SECURE": False,  # plain http on 127.0.0.1
    }


def _demo_orders(app: Any, url: str, parties: dict[str, Party], folder: Path) -> None:
    """The demo's exchange (an order answered, its evidence delivered) and an emergency just received."""

    def deliver(order: dict[str, Any]) -> dict[str, Any]:
        return evidence.deliver(url, order, parties["provider"], parties["prosecutor"], folder, _quiet)

    Demo(app.test_client(), parties, system_clock, _quiet, deliver).run()
    judge = BrokerClient(url, parties["judge"].token)
    addressees = judge.json("GET", "/addressees", params={"country": "IE"})["items"]
    addressee = next(a for a in addressees if a["provider_id"] == parties["provider"].organisation_id)
    draft = judge.draft_order({"order_type": "epoc", "certificate": emergency_traffic_epoc(addressee["id"])})
    judge.sign_and_issue(draft["id"], KeySigner(parties["judge"].private_key))
    BrokerClient(url, parties["provider"].token).receive(draft["id"])


def _walk(
    browser: Browser,
    url: str,
    parties: dict[str, Party],
    logins: dict[str, DemoLogin],
    folder: Path,
    out: Path,
) -> None:
    walk = Walk(check=_unchecked, shoot=_camera(out))

    def signed_in(role: str) -> Page:
        context = browser.new_context(
            base_url=url, locale="en-GB", viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=1
        )
        context.set_default_timeout(TIMEOUT_MS)
        login = logins[role]
        return walk.sign_in(context.new_page(), login.email, login.password, login.code)

    caseworker, legal_team, reviewer = signed_in("judge"), signed_in("provider"), signed_in("enforcing")
    walk.browser_key(caseworker, signed_in("judge administrator"))
    walk.browser_key(legal_team, signed_in("provider administrator"))
    walk.browser_key(reviewer, signed_in("enforcing administrator"))
    order_id = walk.draft_and_issue(caseworker, "JI-2026-1207", finding=True)
    walk.take_and_acknowledge(legal_team, order_id, "EM-LR-4471")
    walk.no_objection(reviewer, order_id)
    walk.answer_produced(legal_team, order_id)
    judge = parties["judge"]
    assert judge.identity_file is not None
    deliver_evidence(
        url,
        order_id,
        parties["provider"].token,
        parties["provider"].private_key,
        judge.token,
        judge.identity_file.read_text(),
        folder / "walk-evidence",
    )
    walk.evidence_verified(caseworker, order_id, "mailbox.mbox")
    auditor = signed_in("oversight")
    walk.oversee(auditor, "JI-2026-1207")
    auditor.get_by_role("navigation", name="Menu").get_by_role("link", name="Statistics").click()
    expect(auditor.get_by_role("img", name="Orders issued by data category")).to_be_visible()
    walk.shoot(auditor, "statistics")


def _unchecked(page: Page) -> None:
    """The script takes pictures; test_browser_walk.py runs axe-core on the very same pages."""


def _camera(out: Path) -> Callable[[Page, str], None]:
    """shoot(page, name): out/<name>.png, once per name (the first sign-in is the one kept)."""
    taken: set[str] = set()

    def shoot(page: Page, name: str) -> None:
        if name in taken:
            return
        taken.add(name)
        page.mouse.move(0, 0)  # no hover state in the picture
        if name in WHOLE:
            height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
            png = page.screenshot(clip={"x": 0, "y": 0, "width": WIDTH, "height": height}, full_page=True)
        else:
            png = page.screenshot()  # the screenful the walk scrolled to
        path = out / f"{name}.png"
        path.write_bytes(png if len(png) <= MAX_BYTES else _palette(png))
        print(f"{path}: {path.stat().st_size // 1000} kB")

    return shoot


def _palette(png: bytes) -> bytes:
    """The picture in 256 colours, which the portal's flat colours survive unchanged to the eye."""
    reduced = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256).save(reduced, "PNG", optimize=True)
    return reduced.getvalue()


def _quiet(line: str) -> None:
    """The demo's narration is not wanted here."""


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/portal"))

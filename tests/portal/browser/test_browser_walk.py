"""The whole life of one production order, as the four parties live it in their browsers (walk.py).

A caseworker of an investigating judge's office drafts an EPOC for traffic data that is notified to
Ireland's enforcing authority, signs it with a key made in the browser and issues it; Example Mail's
legal team takes delivery and acknowledges, signing in its browser; the District Court of Ireland
records no objection (Art. 12); the legal team answers "produced"; the caseworker sees the evidence
delivered and verified; the oversight body finds the order, reads its verified case file and checks
the signed log. Each person has a browser context of their own (cookies apart) and each signing key
is made in that person's browser and registered by their organisation's administrator in another.

Only the evidence goes outside the pages, because the product has no page for it: it is encrypted
end to end to the issuing authority's age recipient by the provider's own system and decrypted by
the authority's own system (walk.deliver_evidence, broker.client as `broker evidence send|fetch`).
So the broker's clock starts at the real time here: those systems sign with the system clock.

A tampered signature is refused on the page below; a forged one is in test_browser_signing.py
(test_a_forged_signature_is_refused_on_the_page), and another organisation's order answering "Page
not found" in test_browser_orders.py (test_another_organisation_order_is_page_not_found).
"""

import base64
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl
from urllib.parse import urlencode

import pyrage
import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import Route
from playwright.sync_api import expect
from walk import Walk
from walk import deliver_evidence

from broker.audit.operations import integrate_all
from broker.clock import FrozenClock
from broker.db import Database
from broker.parties import operations
from broker.parties.models import Organisation

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)

TIMEOUT_MS = 10_000  # as conftest.py's: a failing step shows at once


@pytest.fixture
def clock() -> FrozenClock:
    """Now: the provider's and the authority's systems sign with the system clock, which the broker checks."""
    return FrozenClock(datetime.now(UTC))


@pytest.fixture
def browsers(chromium: Browser, live_portal: str) -> Iterator[Callable[[], Page]]:
    """browsers() -> a page in a browser context of its own (its own cookies and storage), signed out."""
    contexts = []

    def open_one() -> Page:
        context = chromium.new_context(base_url=live_portal, locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_one
    for context in contexts:
        context.close()


@pytest.fixture
def identity(database: Database, clock: FrozenClock, network: Any) -> str:
    """The judge's office's age identity; only its recipient is published with the broker (by the operator)."""
    generated = pyrage.x25519.Identity.generate()
    with database.transaction() as session:
        office = session.get_one(Organisation, uuid.UUID(network["judge"].organisation_id))
        operations.register_recipient(
            session, clock, organisation=office, recipient=str(generated.to_public())
        )
    integrate_all(database)
    return str(generated)


def test_one_order_lives_its_whole_life_in_four_browsers(
    browsers, people, admin, sign_in, network, identity, live_portal, accessible, log_entries, tmp_path
):
    walk = Walk(check=accessible)

    def signed_in(handle: str) -> Page:
        person = people.add(handle)
        return walk.sign_in(browsers(), person.email, person.password, lambda: people.code(person))

    caseworker, legal_team, reviewer = signed_in("judge"), signed_in("provider"), signed_in("enforcing")
    # The administrators only register keys: their session is made outside the browser (conftest.py).
    walk.browser_key(caseworker, sign_in(admin("judge"), browsers()))
    walk.browser_key(legal_team, sign_in(admin("provider"), browsers()))
    walk.browser_key(reviewer, sign_in(admin("enforcing"), browsers()))

    order_id = walk.draft_and_issue(caseworker, "JUGE-WALK-1", finding=True)
    walk.take_and_acknowledge(legal_team, order_id, "LR-WALK-1")
    refuse_a_tampered_signature(walk, reviewer, order_id)
    walk.no_objection(reviewer, order_id)
    walk.answer_produced(legal_team, order_id)
    produced = deliver_evidence(
        live_portal,
        order_id,
        network["provider"].token,
        network["provider"].private_key,
        network["judge"].token,
        identity,
        tmp_path / "evidence",
    )
    walk.evidence_verified(caseworker, order_id, produced.name)
    walk.oversee(signed_in("oversight"), "JUGE-WALK-1")

    changes = [
        (entry["action"], entry["details"]["state"]["to"])
        for entry in log_entries()
        if "state" in entry.get("details", {})
    ]
    assert changes == [
        ("order.issued", "issued"),
        ("order.received", "received"),
        ("order.acknowledgement", "acknowledged"),
        ("order.enforcing-review", "acknowledged"),  # once: the tampered review changed nothing
        ("order.response", "produced"),
        ("order.evidence-manifest", "produced"),
    ], changes


def refuse_a_tampered_signature(walk: Walk, page: Page, order_id: str) -> None:
    """The browser's signature is altered on its way to the broker: refused on the page, nothing changed."""

    def tamper(route: Route) -> None:
        fields = dict(parse_qsl(route.request.post_data or ""))
        header, payload, signature = fields["jws"].split(".")
        raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
        raw[0] ^= 0x01
        fields["jws"] = ".".join(
            (header, payload, base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode())
        )
        route.continue_(post_data=urlencode(fields))

    page.goto(f"/orders/{order_id}/review")
    page.get_by_label("No objection").check()
    page.get_by_role("button", name="Continue").click()
    path = f"**/orders/{order_id}/review"
    page.route(path, lambda route: tamper(route) if route.request.method == "POST" else route.continue_())
    page.get_by_role("button", name="Sign and send").click()
    expect(page.get_by_role("alert")).to_contain_text("The signature does not match the message")
    walk.check(page)
    page.unroute(path)
    page.goto(f"/orders/{order_id}")
    expect(page.get_by_role("link", name="Record your review (Art. 12)")).to_be_visible()

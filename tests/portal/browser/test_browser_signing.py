"""Signing in a real browser: an Ed25519 key made with Web Crypto, registered, then an order acknowledged with it.

The private key never leaves chromium (non-extractable, in IndexedDB); the broker verifies the JWS
the page sends exactly as an API message. A forged signature is refused on the page.
"""

import base64
import json
import re
import uuid

import pytest
from playwright.sync_api import expect

from broker import crypto
from broker.orders.models import Message

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)


def make_key(tab) -> str:
    """Make a key in the browser on the signing keys page; its kid, as the page tells it."""
    tab.goto("/account/signing-keys")
    tab.get_by_role("button", name="Make a signing key in this browser").click()
    status = tab.get_by_role("status")
    expect(status).to_contain_text("This browser holds the key ")
    return status.inner_text().removeprefix("This browser holds the key ").removesuffix(".")


def test_an_administrator_makes_an_ed25519_key_registers_it_takes_an_order_and_acknowledges_it(
    sign_in, admin, caseload, live_portal, accessible, log_entries, database
):
    """Debian's chromium makes Ed25519 keys with Web Crypto (the ES256 fallback is in test_browser_keys.py)."""
    order = caseload.issued("PARQUET-SIGNED")
    tab = sign_in(admin("provider"))
    kid = make_key(tab)
    jwk = json.loads(tab.get_by_label("Public key (JWK)").input_value())  # filled in by the page
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519"
    assert set(jwk) == {"kty", "crv", "x"}, "only the public members leave the browser"
    assert crypto.jwk_thumbprint(jwk) == kid, "the browser's kid is the RFC 8037 / RFC 7638 thumbprint"
    accessible(tab)
    tab.get_by_role("button", name="Register the key").click()
    expect(tab.get_by_role("region", name="Important")).to_contain_text(f"The key {kid} is registered.")
    expect(tab.get_by_role("cell", name=kid, exact=True)).to_be_visible()
    expect(tab.get_by_role("row", name=kid).get_by_role("cell", name="EdDSA", exact=True)).to_be_visible()
    accessible(tab)

    tab.goto(f"/orders/{order['id']}")
    tab.get_by_role("button", name="Take delivery").click()
    expect(tab.get_by_role("region", name="Important")).to_contain_text(
        "You have taken delivery of the order."
    )
    tab.get_by_role("link", name="Acknowledge the order").click()
    expect(tab.get_by_label(kid)).to_be_checked()  # this browser's key, chosen for the person
    tab.get_by_label("Your file number (optional)").fill("LR-2026-9")
    accessible(tab)
    tab.get_by_role("button", name="Continue").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Check and sign: Acknowledge the order")
    accessible(tab)
    tab.get_by_role("button", name="Sign and send").click()

    expect(tab).to_have_url(f"{live_portal}/orders/{order['id']}?done=acknowledge")
    expect(tab.get_by_role("region", name="Important")).to_contain_text(
        "Your signed acknowledgement was sent."
    )
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Acknowledged")
    expect(tab.get_by_role("main")).to_contain_text("LR-2026-9")
    accessible(tab)
    (entry,) = log_entries("order.acknowledgement")
    assert entry["details"]["state"] == {"from": "received", "to": "acknowledged"}
    with database.transaction() as session:
        assert session.get_one(Message, uuid.UUID(entry["details"]["message"]["id"])).sender_kid == kid


def test_a_forged_signature_is_refused_on_the_page(sign_in, caseload, es256_key, accessible):
    order = caseload.received("PARQUET-FORGED")
    _, kid = es256_key("provider")
    tab = sign_in("provider")
    tab.goto(f"/orders/{order['id']}/acknowledge")
    tab.get_by_label(kid).check()
    tab.get_by_role("button", name="Continue").click()

    tab.get_by_role("button", name="Sign and send").click()  # this browser holds no key of its own
    expect(tab.get_by_role("status")).to_contain_text(
        "This browser holds no signing key of your organisation"
    )

    signing_input = tab.locator("[data-signing]").get_attribute("data-signing-input")
    payload = signing_input.split(".")[1]
    forged = crypto.sign_jws(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)),
        crypto.generate_private_key("ES256"),  # not the registered key, though it names it
        kid,
    )
    tab.get_by_label("Signed message (compact JWS)").fill(forged)
    tab.get_by_role("button", name="Send the signed message").click()
    summary = tab.get_by_role("alert")
    expect(summary).to_contain_text("The signature does not match the message")
    expect(tab).to_have_title(re.compile(r"^Error: Check and sign: Acknowledge the order"))
    accessible(tab)
    tab.goto(f"/orders/{order['id']}")
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Received")

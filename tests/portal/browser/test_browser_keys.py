"""Keys in a real browser: Ed25519 where chromium makes it, ES256 where it does not, replacing and revoking.

Debian's chromium makes Ed25519 keys with Web Crypto; a browser without them is played by an init
script that makes `generateKey` refuse the name, as such a browser does (NotSupportedError), so the
page's fallback to ES256 is tested too, on the key that replaces an Ed25519 one. Either way the
broker verifies the message the page signs (the Ed25519 key's, in test_browser_signing.py).
"""

import json
import uuid

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect
from portal_world import held_key

from broker import crypto
from broker.orders.models import Message

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)

# What a browser without Ed25519 in Web Crypto answers when asked for a key of that name.
NO_ED25519 = """
const generateKey = SubtleCrypto.prototype.generateKey;
SubtleCrypto.prototype.generateKey = function (algorithm, ...rest) {
  if ((algorithm.name || algorithm) === "Ed25519") {
    return Promise.reject(new DOMException("Algorithm: Unrecognized name", "NotSupportedError"));
  }
  return generateKey.call(this, algorithm, ...rest);
};
"""


def make_key(tab: Page) -> str:
    """Make a key in this browser on the page shown (replacing one it holds); its kid, as the page tells it."""
    tab.once("dialog", lambda dialog: dialog.accept())
    status = tab.get_by_role("status")
    before = status.inner_text()
    tab.get_by_role("button", name="Make a signing key in this browser").click()
    expect(status).not_to_have_text(before)
    expect(status).to_contain_text("This browser holds the key ")
    return status.inner_text().removeprefix("This browser holds the key ").removesuffix(".")


def register_made_key(tab: Page) -> tuple[str, dict[str, str]]:
    """Make a key on the keys page and register it as the administrator's own; its kid and public JWK."""
    tab.goto("/account/signing-keys")
    kid = make_key(tab)
    jwk = json.loads(tab.get_by_label("Public key (JWK)").input_value())
    tab.get_by_role("button", name="Register the key").click()
    expect(tab.get_by_role("region", name="Important")).to_contain_text(f"The key {kid} is registered.")
    return kid, jwk


def signed_with(database, log_entries) -> str:
    """The kid that signed the acknowledgement the broker accepted."""
    (entry,) = log_entries("order.acknowledgement")
    assert entry["details"]["state"] == {"from": "received", "to": "acknowledged"}
    with database.transaction() as session:
        return session.get_one(Message, uuid.UUID(entry["details"]["message"]["id"])).sender_kid


def acknowledge(tab: Page, order_id: str, kid: str) -> None:
    """Take delivery of the order and acknowledge it, signed in this browser with the key `kid`."""
    tab.goto(f"/orders/{order_id}")
    tab.get_by_role("button", name="Take delivery").click()
    tab.get_by_role("link", name="Acknowledge the order").click()
    expect(tab.get_by_label(kid)).to_be_checked()
    tab.get_by_role("button", name="Continue").click()
    tab.get_by_role("button", name="Sign and send").click()
    expect(tab.get_by_role("region", name="Important")).to_contain_text(
        "Your signed acknowledgement was sent."
    )


def test_an_administrator_replaces_their_browser_key_in_a_browser_without_ed25519_then_signs_with_it(
    sign_in, admin, caseload, accessible, log_entries, database
):
    """The first key is chromium's Ed25519; the browser then loses Ed25519, so the new key is ES256."""
    order = caseload.issued("PARQUET-ROTATED")
    tab = sign_in(admin("provider"))
    old, _ = register_made_key(tab)
    tab.add_init_script(NO_ED25519)  # from the next page on
    tab.get_by_role("link", name=f"Replace the key {old}").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Replace a signing key")
    expect(tab.get_by_label("New public key (JWK)")).to_have_value("")  # the old key is not offered as new
    accessible(tab)
    tab.get_by_role("button", name="Register the new key and revoke the old one").click()
    expect(tab.get_by_role("alert")).to_contain_text("Enter the new public key, as JSON")
    accessible(tab)

    new = make_key(tab)
    jwk = json.loads(tab.get_by_label("New public key (JWK)").input_value())
    assert jwk["kty"] == "EC" and jwk["crv"] == "P-256" and crypto.jwk_thumbprint(jwk) == new
    assert set(jwk) == {"kty", "crv", "x", "y"}, "only the public members leave the browser"
    tab.get_by_role("button", name="Register the new key and revoke the old one").click()
    expect(tab.get_by_role("region", name="Important")).to_contain_text(
        f"The key {new} is registered in place of {old}, which is revoked."
    )
    expect(tab.get_by_role("row", name=old)).to_contain_text(f"replaced by the key {new}; not compromised")
    accessible(tab)
    acknowledge(tab, order["id"], new)
    assert signed_with(database, log_entries) == new
    assert [entry["object"]["id"] for entry in log_entries("key.revoked")] == [old]


def test_a_person_revokes_the_key_they_hold_on_a_confirmation_page(sign_in, caseload, tab, accessible):
    kid = held_key(caseload, "provider")
    sign_in("provider")
    tab.goto("/account/signing-keys")
    tab.get_by_role("link", name=f"Revoke the key {kid}").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Revoke a signing key")
    expect(tab.get_by_role("main")).to_contain_text("You cannot undo this.")
    accessible(tab)
    tab.get_by_role("button", name="Revoke the key").click()
    expect(tab.get_by_role("alert")).to_contain_text("Say why the key is revoked")
    accessible(tab)
    tab.get_by_role("alert").get_by_role("link", name="Say why the key is revoked").click()
    expect(tab.get_by_label("Why is the key revoked?")).to_be_focused()
    tab.get_by_label("Why is the key revoked?").fill("the laptop that held it was lost")
    tab.get_by_role("button", name="Revoke the key").click()
    expect(tab.get_by_role("region", name="Important")).to_contain_text(f"The key {kid} is revoked.")
    row = tab.get_by_role("row", name=kid)
    expect(row).to_contain_text("Revoked on")
    expect(row).to_contain_text("the laptop that held it was lost")
    expect(row.get_by_role("link")).to_have_count(0)
    accessible(tab)

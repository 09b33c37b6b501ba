"""Signed actions from the order page: the server side of signing in the browser.

The browser's part (Web Crypto) is in browser/test_browser_signing.py; here the JWS is made in
Python over exactly the signing input the page renders, as the browser or an HSM would make it.
"""

import base64
import html
import re

from broker import crypto

HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')
SIGNING_INPUT = re.compile(r'data-signing-input="([^"]+)"')


def text(page) -> str:
    return page.get_data(as_text=True)


def prepare(browser, order_id, slug, fields, token):
    """The fields posted, then the signing page: (its hidden fields, its signing input, the page)."""
    page = browser.get(f"/orders/{order_id}/{slug}")
    assert page.status_code == 200, text(page)
    answer = browser.post(f"/orders/{order_id}/{slug}", data={**fields, "csrf_token": token(page)})
    assert answer.status_code == 200, text(answer)
    hidden = {name: html.unescape(value) for name, value in HIDDEN.findall(text(answer))}
    return hidden, html.unescape(SIGNING_INPUT.search(text(answer)).group(1)), answer


def sign(signing_input: str, private_key, kid: str) -> str:
    """A compact JWS over the signing input's payload, made by the broker's own signing code."""
    payload = signing_input.split(".")[1]
    return crypto.sign_jws(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)), private_key, kid)


def test_a_provider_acknowledges_with_a_key_registered_to_its_organisation(
    signed_in, caseload, es256_key, form_token, log_entries
):
    order = caseload.received("PARQUET-ACK")
    private_key, kid = es256_key("provider")
    browser = signed_in("provider")
    assert "Acknowledge the order" in text(browser.get(f"/orders/{order['id']}"))
    hidden, signing_input, page = prepare(
        browser, order["id"], "acknowledge", {"kid": kid, "addressee_file_number": "LR-77"}, form_token
    )
    assert "Check and sign: Acknowledge the order" in text(page)
    jws = sign(signing_input, private_key, kid)
    assert jws.rsplit(".", 1)[0] == signing_input, "the page's signing input is byte for byte the library's"

    sent = browser.post(f"/orders/{order['id']}/acknowledge", data={**hidden, "jws": jws})
    assert sent.status_code == 303 and sent.headers["Location"] == f"/orders/{order['id']}?done=acknowledge"
    shown = text(browser.get(sent.headers["Location"]))
    assert "Your signed acknowledgement was sent." in shown
    assert '<span class="tag">Acknowledged</span>' in shown and "LR-77" in shown
    (entry,) = log_entries("order.acknowledgement")
    assert entry["details"]["state"] == {"from": "received", "to": "acknowledged"}
    assert entry["details"]["message"]["type"] == "acknowledgement"
    assert entry["actor"]["organisation"] == caseload.exchange.network["provider"].organisation_id
    assert entry["actor"]["role"] == "legal_officer"


def test_a_message_signed_elsewhere_is_pasted_and_accepted(signed_in, caseload, form_token, log_entries):
    order = caseload.received("PARQUET-HSM")
    party = caseload.exchange.network["provider"]  # its EdDSA key, in a file: as an HSM would sign
    browser = signed_in("provider")
    hidden, signing_input, _ = prepare(browser, order["id"], "acknowledge", {"kid": party.kid}, form_token)
    sent = browser.post(
        f"/orders/{order['id']}/acknowledge",
        data={**hidden, "jws": sign(signing_input, party.private_key, party.kid)},
    )
    assert sent.status_code == 303
    assert len(log_entries("order.acknowledgement")) == 1


def test_a_tampered_message_is_refused_on_the_page_and_changes_nothing(
    signed_in, caseload, es256_key, form_token, log_entries, rows
):
    order = caseload.received("PARQUET-TAMPER")
    private_key, kid = es256_key("provider")
    browser = signed_in("provider")
    hidden, signing_input, _ = prepare(
        browser, order["id"], "acknowledge", {"kid": kid, "addressee_file_number": "LR-1"}, form_token
    )
    header, payload, signature = sign(signing_input, private_key, kid).split(".")
    changed = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).replace(b"LR-1", b"LR-2")
    tampered = f"{header}.{base64.urlsafe_b64encode(changed).rstrip(b'=').decode()}.{signature}"
    messages = rows("messages")

    answer = browser.post(f"/orders/{order['id']}/acknowledge", data={**hidden, "jws": tampered})
    assert answer.status_code == 422
    page = text(answer)
    assert page.startswith("<!doctype html>") and "<title>Error: Check and sign" in page
    assert "The signature does not match the message" in page
    assert 'aria-invalid="true"' in page and "Nothing was sent." in page
    assert rows("messages") == messages and log_entries("order.acknowledgement") == []
    assert '<span class="tag">Received</span>' in text(browser.get(f"/orders/{order['id']}"))


def test_a_signature_forged_with_an_unregistered_key_is_refused(
    signed_in, caseload, es256_key, form_token, rows
):
    order = caseload.received("PARQUET-FORGED")
    _, kid = es256_key("provider")
    browser = signed_in("provider")
    hidden, signing_input, _ = prepare(browser, order["id"], "acknowledge", {"kid": kid}, form_token)
    forged = sign(signing_input, crypto.generate_private_key("ES256"), kid)  # names the registered kid
    messages = rows("messages")
    answer = browser.post(f"/orders/{order['id']}/acknowledge", data={**hidden, "jws": forged})
    assert answer.status_code == 422 and "The signature does not match the message" in text(answer)
    assert rows("messages") == messages


def test_an_empty_or_unreadable_jws_is_told_on_the_page(signed_in, caseload, form_token):
    order = caseload.received("PARQUET-EMPTY")
    party = caseload.exchange.network["provider"]
    browser = signed_in("provider")
    hidden, _, _ = prepare(browser, order["id"], "acknowledge", {"kid": party.kid}, form_token)
    empty = browser.post(f"/orders/{order['id']}/acknowledge", data={**hidden, "jws": " "})
    assert empty.status_code == 422 and "Sign the message, or paste a message signed elsewhere" in text(empty)
    garbage = browser.post(f"/orders/{order['id']}/acknowledge", data={**hidden, "jws": "not a jws"})
    assert garbage.status_code == 422 and "three parts separated by dots" in text(garbage)


def test_the_issuing_authority_withdraws_its_order(signed_in, caseload, form_token, log_entries):
    order = caseload.received("PARQUET-WITHDRAW")
    party = caseload.exchange.network["prosecutor"]
    browser = signed_in("prosecutor")
    fields = {
        "kid": party.kid,
        "reason": "The suspect was identified otherwise.",
        "delete_received_data": "yes",
    }
    hidden, signing_input, _ = prepare(browser, order["id"], "withdraw", fields, form_token)
    sent = browser.post(
        f"/orders/{order['id']}/withdraw",
        data={**hidden, "jws": sign(signing_input, party.private_key, party.kid)},
    )
    assert sent.status_code == 303
    assert "Your signed withdrawal was sent." in text(browser.get(sent.headers["Location"]))
    (entry,) = log_entries("order.withdrawal")
    assert entry["details"]["state"] == {"from": "received", "to": "withdrawn"}


def test_the_fields_are_checked_with_an_error_summary(signed_in, caseload, form_token):
    order = caseload.received("PARQUET-FIELDS")
    browser = signed_in("prosecutor")
    page = browser.get(f"/orders/{order['id']}/withdraw")
    answer = browser.post(f"/orders/{order['id']}/withdraw", data={"csrf_token": form_token(page)})
    assert answer.status_code == 422
    for message in (
        "Enter why the order is withdrawn",
        "Select whether data already received must be deleted",
        "Select the key to sign with",
    ):
        assert message in text(answer)
    assert '<a href="#delete-received-data">' in text(answer)


def test_another_organisation_order_is_not_found(signed_in, caseload, form_token):
    order = caseload.received("PARQUET-THEIRS")
    browser = signed_in("other_provider")
    assert browser.get(f"/orders/{order['id']}/acknowledge").status_code == 404
    token = form_token(browser.get("/account"))
    answer = browser.post(f"/orders/{order['id']}/acknowledge", data={"csrf_token": token, "jws": "x.y.z"})
    assert answer.status_code == 404 and "PARQUET-THEIRS" not in text(answer)


def test_sending_needs_the_form_token(signed_in, caseload, form_token, rows):
    order = caseload.received("PARQUET-CSRF")
    party = caseload.exchange.network["provider"]
    browser = signed_in("provider")
    hidden, signing_input, _ = prepare(browser, order["id"], "acknowledge", {"kid": party.kid}, form_token)
    del hidden["csrf_token"]
    messages = rows("messages")
    answer = browser.post(
        f"/orders/{order['id']}/acknowledge",
        data={**hidden, "jws": sign(signing_input, party.private_key, party.kid)},
    )
    assert answer.status_code == 400 and "The form could not be sent" in text(answer)
    assert rows("messages") == messages


def test_only_what_the_lifecycle_allows_is_offered(signed_in, caseload, people, browser):
    order = caseload.received("PARQUET-OFFER")
    page = text(signed_in("prosecutor").get(f"/orders/{order['id']}"))
    assert "Withdraw the order" in page and "Acknowledge the order" not in page
    assert signed_in("prosecutor").get(f"/orders/{order['id']}/acknowledge").status_code == 409
    oversight = people.sign_in(browser.application.test_client(), people.add("oversight"))
    assert "What you can do" not in text(oversight.get(f"/orders/{order['id']}"))


def test_the_provider_takes_delivery_and_the_clocks_start(signed_in, caseload, form_token, log_entries):
    order = caseload.issued("PARQUET-DELIVER")
    browser = signed_in("provider")
    page = browser.get(f"/orders/{order['id']}")
    assert "Take delivery" in text(page) and "Acknowledge the order" not in text(page)
    answer = browser.post(f"/orders/{order['id']}/receive", data={"csrf_token": form_token(page)})
    assert answer.status_code == 303 and answer.headers["Location"] == f"/orders/{order['id']}?done=receive"
    shown = text(browser.get(answer.headers["Location"]))
    assert "You have taken delivery of the order." in shown and '<span class="tag">Received</span>' in shown
    assert "Acknowledge the order" in shown and "Take delivery" not in shown
    (entry,) = log_entries("order.received")
    assert entry["actor"]["organisation"] == caseload.exchange.network["provider"].organisation_id


def test_only_the_provider_takes_delivery(signed_in, caseload, form_token, browser):
    order = caseload.issued("PARQUET-NOT-YOURS")
    prosecutor = signed_in("prosecutor")
    page = prosecutor.get(f"/orders/{order['id']}")
    assert "Take delivery" not in text(page)
    answer = prosecutor.post(f"/orders/{order['id']}/receive", data={"csrf_token": form_token(page)})
    assert answer.status_code == 403
    stranger = signed_in("other_provider", browser.application.test_client())
    token = form_token(stranger.get("/account"))
    assert stranger.post(f"/orders/{order['id']}/receive", data={"csrf_token": token}).status_code == 404

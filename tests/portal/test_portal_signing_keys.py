"""The signing keys page: an organisation's administrators register public keys and say who holds each;
everyone else is told to ask them, and sees whose name each key carries. Revoking a key (its
administrators, or the person who holds it) and replacing one (administrators), each confirmed on a
page of its own; an Ed25519 key registered and signing as an ES256 one does."""

import base64
import json
import re

import sqlalchemy as sa
from test_portal_actions import prepare
from test_portal_actions import sign

from broker import crypto
from broker.parties import operations
from broker.parties.models import SigningKey
from broker.parties.models import User


def text(page) -> str:
    return page.get_data(as_text=True)


def user_id(database, handle: str) -> str:
    with database.transaction() as session:
        return str(session.scalars(sa.select(User.id).where(User.email == f"{handle}@example.test")).one())


def held_by(page, kid: str) -> str:
    """The "Held by" cell of the key's row in the list."""
    row = re.search(
        rf'<code class="kid" translate="no">{kid}</code></td>\s*<td>(.*?)</td>', text(page), re.DOTALL
    )
    assert row, f"{kid} is not listed"
    return row.group(1).strip()


def test_a_person_who_is_not_an_administrator_is_told_to_ask_theirs(signed_in, form_token, rows):
    browser = signed_in("provider")
    page = browser.get("/account/signing-keys")
    assert page.status_code == 200
    assert "administrators can register signing keys" in text(page)
    assert 'name="jwk"' not in text(page)
    keys = rows("signing_keys")
    jwk = json.dumps(crypto.public_jwk(crypto.generate_private_key("ES256")))
    answer = browser.post("/account/signing-keys", data={"jwk": jwk, "csrf_token": form_token(page)})
    assert answer.status_code == 403 and "Ask your administrator" in text(answer)
    assert rows("signing_keys") == keys


def test_an_administrator_registers_a_public_key_for_their_organisation(
    signed_in, admin, form_token, database, caseload, log_entries
):
    browser = signed_in(admin("provider"))
    page = browser.get("/account/signing-keys")
    me = user_id(database, "provider_admin")
    assert re.search(rf'name="holder" type="radio" value="{me}" checked>', text(page)), (
        "their own, by default"
    )
    jwk = crypto.public_jwk(crypto.generate_private_key("ES256"))
    kid = crypto.jwk_thumbprint(jwk)
    answer = browser.post(
        "/account/signing-keys", data={"jwk": json.dumps(jwk), "holder": me, "csrf_token": form_token(page)}
    )
    assert (
        answer.status_code == 303 and answer.headers["Location"] == f"/account/signing-keys?registered={kid}"
    )
    listed = browser.get(answer.headers["Location"])
    assert f"The key {kid} is registered." in text(listed) and held_by(listed, kid) == "provider_admin"
    with database.transaction() as session:
        key = session.scalars(sa.select(SigningKey).where(SigningKey.kid == kid)).one()
        assert str(key.organisation_id) == caseload.exchange.network["provider"].organisation_id
        assert key.alg == "ES256" and str(key.user_id) == me
    (entry,) = [entry for entry in log_entries("key.registered") if entry["object"]["id"] == kid]
    assert entry["details"]["alg"] == "ES256" and entry["details"]["user"] == me
    assert entry["actor"]["role"] == "admin", "the log names who registered it"
    assert entry["actor"]["organisation"] == caseload.exchange.network["provider"].organisation_id


def test_what_is_not_a_public_key_is_refused_with_an_error_summary(signed_in, admin, form_token, rows):
    browser = signed_in(admin("provider"))
    token = form_token(browser.get("/account/signing-keys"))
    private = crypto.generate_private_key("ES256")
    with_d = {**crypto.public_jwk(private), "d": "AAAA"}
    keys = rows("signing_keys")
    for posted, message in [
        ("", "Enter the public key, as JSON"),
        ("[1, 2]", "Enter the public key as a JSON object (a JWK)"),
        (json.dumps(with_d), "This is not a public signing key the broker accepts"),
    ]:
        answer = browser.post(
            "/account/signing-keys", data={"jwk": posted, "holder": "none", "csrf_token": token}
        )
        assert answer.status_code == 422 and message in text(answer), posted
        assert '<a href="#jwk">' in text(answer)
    assert rows("signing_keys") == keys


def test_a_key_registered_twice_is_told_so(signed_in, admin, form_token, caseload):
    browser = signed_in(admin("provider"))
    token = form_token(browser.get("/account/signing-keys"))
    party = caseload.exchange.network["provider"]
    jwk = json.dumps(crypto.public_jwk(party.private_key))
    answer = browser.post("/account/signing-keys", data={"jwk": jwk, "holder": "none", "csrf_token": token})
    assert answer.status_code == 422 and "This key is already registered" in text(answer)


def test_registering_needs_the_form_token(signed_in, admin, rows):
    browser = signed_in(admin("provider"))
    keys = rows("signing_keys")
    jwk = json.dumps(crypto.public_jwk(crypto.generate_private_key("ES256")))
    answer = browser.post("/account/signing-keys", data={"jwk": jwk})
    assert answer.status_code == 400 and rows("signing_keys") == keys


def test_an_administrator_registers_a_colleagues_key_and_the_colleague_sees_it_carries_their_name(
    signed_in, admin, form_token, database, portal_app
):
    browser = signed_in(admin("provider"))
    jwk = crypto.public_jwk(crypto.generate_private_key("ES256"))
    kid = crypto.jwk_thumbprint(jwk)
    token = form_token(browser.get("/account/signing-keys"))
    colleague = user_id(database, "provider")
    answer = browser.post(
        "/account/signing-keys", data={"jwk": json.dumps(jwk), "holder": colleague, "csrf_token": token}
    )
    assert answer.status_code == 303
    theirs = signed_in("provider", portal_app.test_client()).get("/account/signing-keys")
    assert held_by(theirs, kid) == "provider"


def test_a_key_no_person_holds_is_registered_as_such(signed_in, admin, form_token, database, caseload):
    browser = signed_in(admin("provider"))
    token = form_token(browser.get("/account/signing-keys"))
    jwk = crypto.public_jwk(crypto.generate_private_key("ES256"))
    kid = crypto.jwk_thumbprint(jwk)
    answer = browser.post(
        "/account/signing-keys", data={"jwk": json.dumps(jwk), "holder": "none", "csrf_token": token}
    )
    listed = browser.get(answer.headers["Location"])
    assert held_by(listed, kid) == "No person"
    assert held_by(listed, caseload.exchange.network["provider"].kid) == "No person", "registered before"
    with database.transaction() as session:
        assert session.get_one(SigningKey, kid).user_id is None


def test_a_holder_who_cannot_sign_for_the_organisation_is_refused(
    signed_in, admin, form_token, database, clock, rows
):
    browser = signed_in(admin("provider"))
    token = form_token(browser.get("/account/signing-keys"))
    with database.transaction() as session:
        session.execute(
            sa.update(User).where(User.email == "provider@example.test").values(disabled_at=clock())
        )
    page = text(browser.get("/account/signing-keys"))
    assert user_id(database, "provider") not in page, "a disabled person is not offered"
    keys = rows("signing_keys")
    jwk = json.dumps(crypto.public_jwk(crypto.generate_private_key("ES256")))
    for holder, message in [
        ("", "Choose who holds the key"),
        ("someone", "Choose one of the people listed, or no one"),
        (
            user_id(database, "prosecutor"),
            "Choose one of the people listed, or no one",
        ),  # another organisation
        (user_id(database, "provider"), "Choose one of the people listed, or no one"),  # disabled
    ]:
        answer = browser.post(
            "/account/signing-keys", data={"jwk": jwk, "holder": holder, "csrf_token": token}
        )
        assert answer.status_code == 422 and message in text(answer), holder
        assert '<a href="#holder">' in text(answer)
    assert rows("signing_keys") == keys


def test_a_disabled_persons_keys_show_it_and_are_revoked_by_disabling(
    signed_in, admin, form_token, database, clock, caseload
):
    browser = signed_in(admin("provider"))
    token = form_token(browser.get("/account/signing-keys"))
    kids = []
    for _ in range(2):
        jwk = crypto.public_jwk(crypto.generate_private_key("ES256"))
        kids.append(crypto.jwk_thumbprint(jwk))
        data = {"jwk": json.dumps(jwk), "holder": user_id(database, "provider"), "csrf_token": token}
        assert browser.post("/account/signing-keys", data=data).status_code == 303
    with database.transaction() as session:  # disabled behind the broker's back: the list still tells
        session.execute(
            sa.update(User).where(User.email == "provider@example.test").values(disabled_at=clock())
        )
    assert (
        held_by(browser.get("/account/signing-keys"), kids[0])
        == 'provider <strong class="tag tag--red">Account disabled</strong>'
    )
    with database.transaction() as session:  # `broker user disable`: the keys are revoked
        operations.disable_user(
            session,
            clock,
            session.scalars(sa.select(User).where(User.email == "provider@example.test")).one(),
        )
    listed = text(browser.get("/account/signing-keys"))
    assert listed.count("Revoked on") == 2


def test_the_order_page_says_whose_key_signed_each_message(signed_in, caseload, database):
    order = caseload.received("PARQUET-12")
    prosecutor = caseload.exchange.network["prosecutor"]
    before = text(signed_in("provider").get(f"/orders/{order['id']}"))
    assert f"Signed by Parquet de Paris, key {prosecutor.kid}</p>" in before
    assert "<td>No person recorded</td>" in before
    with database.transaction() as session:
        holder = session.scalars(sa.select(User.id).where(User.email == "prosecutor@example.test")).one()
        session.execute(sa.update(SigningKey).where(SigningKey.kid == prosecutor.kid).values(user_id=holder))
    after = text(signed_in("provider").get(f"/orders/{order['id']}"))
    assert f"Signed by Parquet de Paris, key {prosecutor.kid} of prosecutor</p>" in after
    assert "<td>prosecutor</td>" in after


def register(browser, form_token, jwk, holder: str) -> str:
    """Register `jwk` on the keys page as `holder` holds it; its kid."""
    token = form_token(browser.get("/account/signing-keys"))
    answer = browser.post(
        "/account/signing-keys", data={"jwk": json.dumps(jwk), "holder": holder, "csrf_token": token}
    )
    assert answer.status_code == 303, text(answer)
    return crypto.jwk_thumbprint(jwk)


def revoked(database, kid: str) -> tuple[object, str | None]:
    with database.transaction() as session:
        key = session.get_one(SigningKey, kid)
        return key.revoked_at, key.revocation_reason


def test_an_administrator_revokes_a_key_after_confirming_with_a_reason(
    signed_in, admin, form_token, database, caseload, log_entries, clock
):
    browser = signed_in(admin("provider"))
    kid = caseload.exchange.network["provider"].kid  # the organisation's machine key
    listed = text(browser.get("/account/signing-keys"))
    assert f'href="/account/signing-keys/{kid}/revoke"' in listed
    page = browser.get(f"/account/signing-keys/{kid}/revoke")
    assert page.status_code == 200 and "Revoke a signing key" in text(page) and kid in text(page)
    assert "You cannot undo this." in text(page)
    for reason, message in [("  ", "Say why the key is revoked"), ("x" * 501, "in 500 characters or fewer")]:
        answer = browser.post(
            f"/account/signing-keys/{kid}/revoke", data={"reason": reason, "csrf_token": form_token(page)}
        )
        assert answer.status_code == 422 and message in text(answer) and '<a href="#reason">' in text(answer)
        assert revoked(database, kid) == (None, None)

    answer = browser.post(
        f"/account/signing-keys/{kid}/revoke",
        data={"reason": "the server that held it was lost", "csrf_token": form_token(page)},
    )
    assert answer.status_code == 303 and answer.headers["Location"] == f"/account/signing-keys?revoked={kid}"
    shown = text(browser.get(answer.headers["Location"]))
    assert f"The key {kid} is revoked. Messages signed with it are refused from now on." in shown
    assert "Revoked on" in shown and "the server that held it was lost" in shown
    assert f'href="/account/signing-keys/{kid}/revoke"' not in shown, "a revoked key is not offered again"
    assert revoked(database, kid) == (clock(), "the server that held it was lost")
    (entry,) = [entry for entry in log_entries("key.revoked") if entry["object"]["id"] == kid]
    assert entry["details"] == {"reason": "the server that held it was lost"}
    assert entry["actor"]["role"] == "admin", "the log names who revoked it"

    again = browser.get(f"/account/signing-keys/{kid}/revoke")
    assert again.status_code == 409 and "This cannot be done now" in text(again)


def test_a_message_signed_with_a_revoked_key_is_refused_in_the_portal_and_the_api(
    signed_in, admin, form_token, caseload, portal_app, rows
):
    order = caseload.received("PARQUET-REVOKED")
    party = caseload.exchange.network["provider"]
    legal_officer = signed_in("provider")
    hidden, signing_input, _ = prepare(
        legal_officer, order["id"], "acknowledge", {"kid": party.kid}, form_token
    )
    jws = sign(signing_input, party.private_key, party.kid)  # signed before the key is revoked

    administrator = signed_in(admin("provider"), portal_app.test_client())
    page = administrator.get(f"/account/signing-keys/{party.kid}/revoke")
    data = {"reason": "compromised", "csrf_token": form_token(page)}
    assert administrator.post(f"/account/signing-keys/{party.kid}/revoke", data=data).status_code == 303

    messages = rows("messages")
    answer = legal_officer.post(f"/orders/{order['id']}/acknowledge", data={**hidden, "jws": jws})
    assert answer.status_code == 422, "the signing page offers only keys usable now"
    assert f"The key {party.kid} has been revoked: select another key to sign with" in text(answer)
    api = caseload.exchange.client.post(
        f"/api/v1/orders/{order['id']}/messages",
        data=jws,
        content_type="application/jose",
        headers=party.headers,
    )
    assert api.status_code == 422 and api.get_json()["type"].endswith(":key-revoked")
    assert rows("messages") == messages


def test_a_person_revokes_a_key_they_hold_and_no_other(
    signed_in, admin, form_token, database, portal_app, caseload, log_entries
):
    administrator = signed_in(admin("provider"))
    theirs = register(
        administrator,
        form_token,
        crypto.public_jwk(crypto.generate_private_key("ES256")),
        user_id(database, "provider"),
    )
    person = signed_in("provider", portal_app.test_client())
    listed = text(person.get("/account/signing-keys"))
    machine = caseload.exchange.network["provider"].kid
    assert f'href="/account/signing-keys/{theirs}/revoke"' in listed
    assert f'href="/account/signing-keys/{machine}/revoke"' not in listed
    assert "/replace" not in listed, "replacing registers a key: administrators only"
    for path in (f"/account/signing-keys/{machine}/revoke", f"/account/signing-keys/{theirs}/replace"):
        assert person.get(path).status_code == 403, path
    token = form_token(person.get(f"/account/signing-keys/{theirs}/revoke"))
    refused = person.post(
        f"/account/signing-keys/{machine}/revoke", data={"reason": "mine?", "csrf_token": token}
    )
    assert refused.status_code == 403 and revoked(database, machine) == (None, None)

    answer = person.post(
        f"/account/signing-keys/{theirs}/revoke", data={"reason": "my laptop was stolen", "csrf_token": token}
    )
    assert answer.status_code == 303
    assert revoked(database, theirs)[1] == "my laptop was stolen"
    (entry,) = [entry for entry in log_entries("key.revoked") if entry["object"]["id"] == theirs]
    assert entry["actor"]["role"] == "legal_officer"


def test_another_organisations_key_is_not_found(signed_in, admin, form_token, caseload, rows):
    browser = signed_in(admin("provider"))
    token = form_token(browser.get("/account/signing-keys"))
    theirs = caseload.exchange.network["other_provider"].kid
    keys = rows("signing_keys")
    for action, data in (("revoke", {"reason": "no"}), ("replace", {"jwk": "{}"})):
        path = f"/account/signing-keys/{theirs}/{action}"
        assert browser.get(path).status_code == 404
        assert browser.post(path, data={**data, "csrf_token": token}).status_code == 404
    assert browser.get("/account/signing-keys/no-such-key/revoke").status_code == 404
    assert rows("signing_keys") == keys


def test_an_administrator_replaces_a_colleagues_key_which_is_revoked_at_once(
    signed_in, admin, form_token, database, log_entries
):
    browser = signed_in(admin("provider"))
    colleague = user_id(database, "provider")
    old = register(browser, form_token, crypto.public_jwk(crypto.generate_private_key("ES256")), colleague)
    page = browser.get(f"/account/signing-keys/{old}/replace")
    assert page.status_code == 200 and "Replace a signing key" in text(page) and old in text(page)
    assert f'data-replaces="{old}"' in text(page), "the script does not offer the old key as the new one"
    new_jwk = crypto.public_jwk(crypto.generate_private_key("EdDSA"))
    new = crypto.jwk_thumbprint(new_jwk)
    answer = browser.post(
        f"/account/signing-keys/{old}/replace",
        data={"jwk": json.dumps(new_jwk), "csrf_token": form_token(page)},
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/account/signing-keys?registered={new}&revoked={old}"
    listed = browser.get(answer.headers["Location"])
    assert f"The key {new} is registered in place of {old}, which is revoked." in text(listed)
    assert held_by(listed, new) == "provider", "the new key has the old one's holder"
    assert revoked(database, old)[1] == f"replaced by the key {new}; not compromised"
    with database.transaction() as session:
        assert session.get_one(SigningKey, new).alg == "EdDSA"
    (registered,) = [entry for entry in log_entries("key.registered") if entry["object"]["id"] == new]
    (revocation,) = [entry for entry in log_entries("key.revoked") if entry["object"]["id"] == old]
    assert registered["details"]["user"] == colleague and registered["actor"]["role"] == "admin"
    assert revocation["actor"]["role"] == "admin"


def test_a_replacement_that_is_not_a_new_public_key_changes_nothing(
    signed_in, admin, form_token, caseload, rows
):
    browser = signed_in(admin("provider"))
    party = caseload.exchange.network["provider"]
    token = form_token(browser.get(f"/account/signing-keys/{party.kid}/replace"))
    keys = rows("signing_keys")
    for posted, message in [
        ("", "Enter the new public key, as JSON"),
        ("not json", "Enter the public key as a JSON object (a JWK)"),
        (
            json.dumps({"kty": "RSA", "n": "AQAB", "e": "AQAB"}),
            "This is not a public signing key the broker accepts",
        ),
        (json.dumps(crypto.public_jwk(party.private_key)), "This key is already registered"),
    ]:
        answer = browser.post(
            f"/account/signing-keys/{party.kid}/replace", data={"jwk": posted, "csrf_token": token}
        )
        assert answer.status_code == 422 and message in text(answer), posted
        assert '<a href="#jwk">' in text(answer)
    assert rows("signing_keys") == keys


def test_an_ed25519_key_is_registered_and_signs_as_an_es256_key_does(
    signed_in, admin, form_token, database, caseload, log_entries
):
    order = caseload.received("PARQUET-EDDSA")
    private_key = crypto.generate_private_key("EdDSA")
    jwk = crypto.public_jwk(private_key)
    assert jwk["kty"] == "OKP"
    browser = signed_in(admin("provider"))
    kid = register(browser, form_token, jwk, user_id(database, "provider_admin"))
    assert '<td translate="no">EdDSA</td>' in text(browser.get("/account/signing-keys"))
    hidden, signing_input, _ = prepare(browser, order["id"], "acknowledge", {"kid": kid}, form_token)
    header = json.loads(base64.urlsafe_b64decode(signing_input.split(".")[0] + "=="))
    assert header == {"alg": "EdDSA", "kid": kid}
    sent = browser.post(
        f"/orders/{order['id']}/acknowledge", data={**hidden, "jws": sign(signing_input, private_key, kid)}
    )
    assert sent.status_code == 303, text(sent)
    (entry,) = log_entries("order.acknowledgement")
    assert entry["details"]["state"] == {"from": "received", "to": "acknowledged"}


def test_a_key_whose_holder_was_disabled_is_not_replaced_but_revoked(
    signed_in, admin, form_token, database, clock, rows
):
    browser = signed_in(admin("provider"))
    old = register(
        browser,
        form_token,
        crypto.public_jwk(crypto.generate_private_key("ES256")),
        user_id(database, "provider"),
    )
    with database.transaction() as session:  # disabled behind the broker's back: the key is not yet revoked
        session.execute(
            sa.update(User).where(User.email == "provider@example.test").values(disabled_at=clock())
        )
    page = browser.get(f"/account/signing-keys/{old}/replace")
    keys = rows("signing_keys")
    jwk = json.dumps(crypto.public_jwk(crypto.generate_private_key("EdDSA")))
    answer = browser.post(
        f"/account/signing-keys/{old}/replace", data={"jwk": jwk, "csrf_token": form_token(page)}
    )
    assert answer.status_code == 422
    assert "The person who holds this key can no longer sign for your organisation: revoke it" in text(answer)
    assert rows("signing_keys") == keys

"""The signing keys page: an organisation's administrators register public keys and say who holds each;
everyone else is told to ask them, and sees whose name each key carries."""

import json
import re

import sqlalchemy as sa

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

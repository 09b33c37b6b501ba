"""The signing keys page: an organisation's administrators register public keys; everyone else is told to ask them."""

import json

import sqlalchemy as sa

from broker import crypto
from broker.parties.models import SigningKey


def text(page) -> str:
    return page.get_data(as_text=True)


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
    jwk = crypto.public_jwk(crypto.generate_private_key("ES256"))
    kid = crypto.jwk_thumbprint(jwk)
    answer = browser.post(
        "/account/signing-keys", data={"jwk": json.dumps(jwk), "csrf_token": form_token(page)}
    )
    assert (
        answer.status_code == 303 and answer.headers["Location"] == f"/account/signing-keys?registered={kid}"
    )
    shown = text(browser.get(answer.headers["Location"]))
    assert (
        f"The key {kid} is registered." in shown and f'<code class="kid" translate="no">{kid}</code>' in shown
    )
    with database.transaction() as session:
        key = session.scalars(sa.select(SigningKey).where(SigningKey.kid == kid)).one()
        assert str(key.organisation_id) == caseload.exchange.network["provider"].organisation_id
        assert key.alg == "ES256"
    (entry,) = [entry for entry in log_entries("key.registered") if entry["object"]["id"] == kid]
    assert entry["details"]["alg"] == "ES256"
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
        answer = browser.post("/account/signing-keys", data={"jwk": posted, "csrf_token": token})
        assert answer.status_code == 422 and message in text(answer), posted
        assert '<a href="#jwk">' in text(answer)
    assert rows("signing_keys") == keys


def test_a_key_registered_twice_is_told_so(signed_in, admin, form_token, caseload):
    browser = signed_in(admin("provider"))
    token = form_token(browser.get("/account/signing-keys"))
    party = caseload.exchange.network["provider"]
    jwk = json.dumps(crypto.public_jwk(party.private_key))
    answer = browser.post("/account/signing-keys", data={"jwk": jwk, "csrf_token": token})
    assert answer.status_code == 422 and "This key is already registered" in text(answer)


def test_registering_needs_the_form_token(signed_in, admin, rows):
    browser = signed_in(admin("provider"))
    keys = rows("signing_keys")
    jwk = json.dumps(crypto.public_jwk(crypto.generate_private_key("ES256")))
    answer = browser.post("/account/signing-keys", data={"jwk": jwk})
    assert answer.status_code == 400 and rows("signing_keys") == keys

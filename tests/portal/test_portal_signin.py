"""Signing in: password, then the second factor; the refusals people see; throttling; the audit trail."""

import json
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from portal_helpers import portal_settings
from portal_helpers import session_cookie
from portal_helpers import token

from broker.app import create_app
from broker.parties.models import User
from broker.parties.people import totp


def post_login(client: FlaskClient, email: str, password: str, **extra: str) -> Any:
    page = client.get("/login")
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token(page), **extra}
    )


def post_code(client: FlaskClient, code: str, path: str = "/login/code", field: str = "code") -> Any:
    page = client.get(path)
    return client.post(path, data={field: code, "csrf_token": token(page)})


def test_a_person_signs_in_with_password_then_code(browser, people, log_entries):
    person = people.add("prosecutor")
    answer = post_login(browser, person.email.upper(), person.password)  # e-mail compared without case
    assert answer.status_code == 303 and answer.headers["Location"] == "/login/code"
    assert browser.get("/").headers["Location"].startswith("/login/code"), "a password alone opens nothing"
    answer = post_code(browser, people.code(person))
    assert answer.status_code == 303 and answer.headers["Location"] == "/"
    page = browser.get("/")
    assert page.status_code == 200 and "Your organisation's orders" in page.get_data(as_text=True)
    (entry,) = log_entries("person.signed_in")
    assert entry["details"] == {"second_factor": "totp"}
    assert entry["actor"]["kind"] == "issuing_authority" and entry["actor"]["role"] == "caseworker"


@pytest.mark.parametrize(
    "case",
    ["wrong password", "unknown e-mail", "no password set", "disabled account", "empty password"],
)
def test_every_refused_password_gets_the_same_answer(browser, people, database, log_entries, case):
    person = people.add("prosecutor")
    email, password = person.email, person.password
    if case == "wrong password":
        password += "!"
    elif case == "unknown e-mail":
        email = "nobody@example.test"
    elif case == "no password set":
        email = "judge@example.test"  # in the network, but never given a password
    elif case == "disabled account":
        with database.transaction() as session:
            session.execute(sa.update(User).where(User.email == email).values(disabled_at=people.clock()))
    elif case == "empty password":
        password = ""
    answer = post_login(browser, email, password)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert session_cookie(browser) is None
    expected = (
        "Enter your password"
        if case == "empty password"
        else "The e-mail address or the password is not right"
    )
    assert expected in html
    assert 'href="#email"' in html or 'href="#password"' in html, "the error summary links to the field"
    assert "Error: Sign in" in html, "the title says there is an error"
    if case != "empty password":
        (failed,) = log_entries("person.sign_in_failed")
        assert failed["details"] == {"step": "password", "reason": "credentials"}
        assert failed["actor"] == {"system": "portal"}


CODE_CASES = [
    ("malformed", "12a456", "Enter the 6-digit code your authenticator app shows"),
    ("wrong", None, "The code is not right"),
    ("clock out of sync", "+5 minutes", "the clock of your device is wrong"),
    ("used already", "reused", "This code has been used already"),
]


@pytest.mark.parametrize(("case", "typed", "message"), CODE_CASES, ids=[case[0] for case in CODE_CASES])
def test_refused_codes_say_why(browser, people, clock, case, typed, message):
    person = people.add("provider")
    if typed == "reused":
        people.sign_in(browser, person)
        browser.post("/logout", data={"csrf_token": token(browser.get("/"))})
        typed = totp.code_at(person.secret, clock())  # the code just accepted, in the same 30 s
    elif typed == "+5 minutes":
        typed = totp.code_at(person.secret, clock() + __import__("datetime").timedelta(minutes=5))
    elif typed is None:
        right = totp.code_at(person.secret, clock())
        typed = next(
            f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" != right and not _near(person, n, clock)
        )
    post_login(browser, person.email, person.password)
    answer = post_code(browser, typed)
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    assert browser.get("/").headers["Location"].startswith("/login/code"), "still waiting for a right code"


def _near(person: Any, n: int, clock: Any) -> bool:
    from datetime import timedelta

    return any(
        totp.code_at(person.secret, clock() + timedelta(seconds=30 * step)) == f"{n:06d}"
        for step in range(-10, 11)
    )


def test_a_recovery_code_signs_in_once(browser, people, log_entries):
    person = people.add("enforcing")
    code = person.recovery_codes[0]
    post_login(browser, person.email, person.password)
    answer = post_code(browser, code.upper().replace("-", " "), "/login/recovery", "recovery_code")
    assert answer.status_code == 303 and answer.headers["Location"] == "/"
    assert log_entries("person.signed_in")[-1]["details"] == {"second_factor": "recovery_code"}
    browser.post("/logout", data={"csrf_token": token(browser.get("/"))})
    post_login(browser, person.email, person.password)
    again = post_code(browser, code, "/login/recovery", "recovery_code")
    assert again.status_code == 422
    assert "has been used already" in again.get_data(as_text=True)
    browser.post("/logout", data={"csrf_token": token(browser.get("/login/code"))})
    account = people.sign_in(browser, person).get("/account")
    assert "9 recovery codes left" in account.get_data(as_text=True)


def test_the_first_sign_in_enrols_the_second_factor(browser, people, database, clock, log_entries):
    person = people.add("oversight", enrolled=False)
    answer = post_login(browser, person.email, person.password)
    assert answer.headers["Location"] == "/account/two-factor"
    assert browser.get("/").headers["Location"] == "/account/two-factor", "no page before enrolling"
    page = browser.get("/account/two-factor")
    html = page.get_data(as_text=True)
    assert 'src="data:image/svg+xml' in html, "the QR code is drawn on the server"
    secret = html.split('class="secret" translate="no">')[1].split("<")[0].replace(" ", "")
    assert browser.get("/account/two-factor").get_data(as_text=True).count(secret[:4]) >= 1, (
        "same secret on reload"
    )
    wrong = browser.post("/account/two-factor", data={"code": "000000", "csrf_token": token(page)})
    assert wrong.status_code == 422
    clock.advance(seconds=30)
    done = browser.post(
        "/account/two-factor", data={"code": totp.code_at(secret, clock()), "csrf_token": token(page)}
    )
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7-]+)</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert browser.get("/").status_code == 200, "signed in once enrolled"
    with database.transaction() as session:
        user = session.scalars(sa.select(User).where(User.email == person.email)).one()
        assert user.totp_secret == secret and user.totp_enrolled_at == clock()
    assert [entry["action"] for entry in log_entries() if entry["action"].startswith("person.")][-2:] == [
        "person.second_factor_enrolled",
        "person.signed_in",
    ]


def test_each_step_replaces_the_session(browser, people):
    """A token seen before the second factor is worth nothing after it (no session fixation)."""
    person = people.add("prosecutor")
    post_login(browser, person.email, person.password)
    waiting = session_cookie(browser)
    post_code(browser, people.code(person))
    signed_in = session_cookie(browser)
    assert waiting and signed_in and waiting != signed_in
    browser.set_cookie("broker_session", waiting)
    assert browser.get("/").headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    ("following", "lands"),
    [
        ("/account", "/account"),
        ("//attacker.example/", "/"),
        ("https://attacker.example/", "/"),
        ("/\\attacker.example", "/"),
    ],
)
def test_signing_in_goes_back_only_to_a_page_of_this_site(browser, people, following, lands):
    person = people.add("prosecutor")
    page = browser.get("/login", query_string={"next": following})
    browser.post(
        "/login",
        data={
            "email": person.email,
            "password": person.password,
            "next": following,
            "csrf_token": token(page),
        },
    )
    page = browser.get("/login/code")
    answer = browser.post(
        "/login/code", data={"code": people.code(person), "next": following, "csrf_token": token(page)}
    )
    assert answer.headers["Location"] == lands


def test_a_page_asked_for_before_signing_in_is_shown_after(browser, people):
    person = people.add("prosecutor")
    assert browser.get("/account").headers["Location"] == "/login?next=%2Faccount"
    page = browser.get("/login?next=/account")
    assert 'name="next" value="/account"' in page.get_data(as_text=True)
    browser.post(
        "/login",
        data={
            "email": person.email,
            "password": person.password,
            "next": "/account",
            "csrf_token": token(page),
        },
    )
    page = browser.get("/login/code")
    answer = browser.post(
        "/login/code", data={"code": people.code(person), "next": "/account", "csrf_token": token(page)}
    )
    assert answer.headers["Location"] == "/account"
    assert browser.get("/account").status_code == 200


def test_sign_in_attempts_are_throttled_per_account(database, clock, broker_key_file, tmp_path, people):
    settings = portal_settings(broker_key_file, tmp_path, PORTAL_SIGN_IN_FAILURES_PER_ACCOUNT="3/minute")
    app = create_app(settings, clock=clock, database=database)
    client = app.test_client()
    person = people.add("prosecutor")
    for _ in range(3):
        assert post_login(client, person.email, "wrong password!").status_code == 422
    refused = post_login(client, person.email, person.password)
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    assert session_cookie(client) is None, "even the right password waits"
    other = people.add("provider")
    assert post_login(client, other.email, other.password).status_code == 303, "other accounts go on"


def test_sign_in_attempts_are_throttled_per_address(database, clock, broker_key_file, tmp_path, people):
    settings = portal_settings(broker_key_file, tmp_path, PORTAL_SIGN_IN_FAILURES_PER_ADDRESS="4/minute")
    client = create_app(settings, clock=clock, database=database).test_client()
    person = people.add("prosecutor")
    for n in range(4):
        post_login(client, f"guess{n}@example.test", "wrong password!")
    assert post_login(client, person.email, person.password).status_code == 429


def test_wrong_codes_are_throttled_too(database, clock, broker_key_file, tmp_path, people):
    settings = portal_settings(broker_key_file, tmp_path, PORTAL_SIGN_IN_FAILURES_PER_ACCOUNT="2/minute")
    client = create_app(settings, clock=clock, database=database).test_client()
    person = people.add("prosecutor")
    post_login(client, person.email, person.password)
    right = totp.code_at(person.secret, clock())
    wrong = "000000" if right != "000000" else "111111"
    assert post_code(client, wrong).status_code == 422
    assert post_code(client, wrong).status_code == 422
    assert post_code(client, people.code(person)).status_code == 429


def test_the_audit_trail_holds_no_secret(browser, people, log_entries):
    person = people.add("provider")
    post_login(browser, "someone.unknown@example.test", "my password typed in")
    post_login(browser, person.email, person.password + "x")
    people.sign_in(browser, person)
    text = json.dumps(log_entries())
    for secret in (person.password, "my password typed in", person.secret, "someone.unknown", person.email):
        assert secret not in text
    actions = [entry["action"] for entry in log_entries() if entry["action"].startswith("person.")]
    assert actions.count("person.sign_in_failed") == 2 and actions[-1] == "person.signed_in"

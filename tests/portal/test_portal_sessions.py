"""Sessions end when they should: idle, after 12 hours, signing out, everywhere, a new password, a reset."""

from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from portal_helpers import portal_settings
from portal_helpers import session_cookie
from portal_helpers import token

from broker.app import create_app
from broker.cli import main
from broker.parties.models import User


def signed_out(client: Any, why: str | None = None) -> bool:
    answer = client.get("/")
    expected = "/login" + (f"?ended={why}" if why else "")
    return answer.status_code == 303 and answer.headers["Location"] == expected


@pytest.mark.parametrize(
    ("idle_minutes", "still_in"),
    [(29, True), (31, False)],
)
def test_a_session_ends_after_30_idle_minutes(signed_in, clock, idle_minutes, still_in):
    browser = signed_in("prosecutor")
    clock.advance(minutes=idle_minutes)
    if still_in:
        assert browser.get("/").status_code == 200
    else:
        assert signed_out(browser, "idle")
        assert session_cookie(browser) is None, "the dead cookie is cleared"
        notice = browser.get("/login?ended=idle").get_data(as_text=True)
        assert "did not use the service for 30 minutes" in notice


def test_a_session_ends_12_hours_after_signing_in_however_busy(signed_in, clock):
    browser = signed_in("provider")
    for _ in range(24):  # a request every 29 minutes, 11 h 36 in all
        clock.advance(minutes=29)
        assert browser.get("/").status_code == 200
    clock.advance(minutes=29)  # 12 h 05
    assert signed_out(browser, "expired")


def test_signing_out_ends_the_session_for_good(signed_in, people, log_entries):
    browser = signed_in("enforcing")
    kept = session_cookie(browser)
    answer = browser.post("/logout", data={"csrf_token": token(browser.get("/"))})
    assert answer.headers["Location"] == "/login?notice=signed-out"
    assert session_cookie(browser) is None
    assert signed_out(browser)
    browser.set_cookie("broker_session", kept or "")
    assert signed_out(browser, "revoked"), "the old token is refused by the server, not only forgotten"
    assert log_entries("person.signed_out")


def test_signing_out_everywhere_ends_every_browser(portal_app, people, log_entries):
    person = people.add("oversight")
    first, second = portal_app.test_client(), portal_app.test_client()
    people.sign_in(first, person)
    people.sign_in(second, person)
    answer = second.post("/account/sign-out-everywhere", data={"csrf_token": token(second.get("/account"))})
    assert answer.headers["Location"] == "/login?notice=signed-out-everywhere"
    assert signed_out(first, "revoked") and signed_out(second)
    (entry,) = log_entries("person.signed_out_everywhere")
    assert entry["details"] == {"sessions": 2}


def test_a_new_password_ends_the_other_sessions_only(portal_app, people, log_entries):
    person = people.add("provider")
    here, elsewhere = portal_app.test_client(), portal_app.test_client()
    people.sign_in(here, person)
    people.sign_in(elsewhere, person)
    page = here.get("/account/password")
    new = "a completely different pass phrase"
    answer = here.post(
        "/account/password",
        data={
            "current_password": person.password,
            "new_password": new,
            "confirm_password": new,
            "csrf_token": token(page),
        },
    )
    assert answer.headers["Location"] == "/account?notice=password"
    assert here.get("/account").status_code == 200
    assert signed_out(elsewhere, "revoked")
    person.password = new
    people.sign_in(portal_app.test_client(), person)
    assert log_entries("person.password_changed")[-1]["details"] == {"sessions_ended": 1}


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        (
            "wrong current",
            "a completely different pass phrase",
            "a completely different pass phrase",
            "Your current password is not right",
        ),
        (None, "too short", "too short", "Password must be 12 characters or more"),
        (
            None,
            "a completely different pass phrase",
            "another pass phrase entirely",
            "The two new passwords are not the same",
        ),
        (None, "", "", "Enter a new password"),
    ],
)
def test_a_refused_password_change_says_why(signed_in, people, current, new, confirm, message):
    browser = signed_in("judge")
    page = browser.get("/account/password")
    answer = browser.post(
        "/account/password",
        data={
            "current_password": current or "correct horse battery staple judge",
            "new_password": new,
            "confirm_password": confirm,
            "csrf_token": token(page),
        },
    )
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert message in html
    assert "correct horse battery staple" not in html, "no password is ever shown back"


def test_a_disabled_person_is_out_at_the_next_request(signed_in, database, clock):
    browser = signed_in("prosecutor")
    with database.transaction() as session:
        session.execute(
            sa.update(User).where(User.email == "prosecutor@example.test").values(disabled_at=clock())
        )
    assert signed_out(browser, "revoked")


def test_the_session_cookie_is_httponly_samesite_and_host_only(signed_in):
    browser = signed_in("prosecutor")
    answer = browser.post("/logout", data={"csrf_token": token(browser.get("/"))})
    cookie = next(
        value for value in answer.headers.getlist("Set-Cookie") if value.startswith("broker_session=")
    )
    for attribute in ("HttpOnly", "SameSite=Lax", "Path=/"):
        assert attribute in cookie
    assert "Domain" not in cookie


def test_over_https_the_cookies_are_secure_and_host_prefixed(
    database, clock, broker_key_file, tmp_path, people
):
    settings = portal_settings(broker_key_file, tmp_path, PORTAL_COOKIE_SECURE=True)
    client = create_app(settings, clock=clock, database=database).test_client()
    person = people.add("prosecutor")
    page = client.get("/login", base_url="https://broker.test")
    pre = next(value for value in page.headers.getlist("Set-Cookie") if "broker_csrf" in value)
    assert pre.startswith("__Host-broker_csrf=") and "Secure" in pre and "SameSite=Strict" in pre
    answer = client.post(
        "/login",
        base_url="https://broker.test",
        data={"email": person.email, "password": person.password, "csrf_token": token(page)},
    )
    cookie = next(value for value in answer.headers.getlist("Set-Cookie") if "broker_session" in value)
    assert cookie.startswith("__Host-broker_session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_operator_resets_a_lost_second_factor(signed_in, people, database, monkeypatch, log_entries):
    browser = signed_in("provider")
    monkeypatch.setenv("BROKER_DATABASE_URL", database.url)
    result = CliRunner().invoke(main, ["user", "reset-2fa", "--email", "provider@example.test"])
    assert result.exit_code == 0, result.output
    assert "session(s) ended" in result.output  # counted by the CLI's real clock, which the test's is not
    assert signed_out(browser, "revoked")
    page = browser.get("/login")
    answer = browser.post(
        "/login",
        data={
            "email": "provider@example.test",
            "password": "correct horse battery staple provider",
            "csrf_token": token(page),
        },
    )
    assert answer.headers["Location"] == "/account/two-factor", "enrols a new second factor"
    assert log_entries("person.second_factor_reset")[0]["actor"] == {"system": "operator"}


def test_the_operator_sets_a_password(people, database, monkeypatch, browser, log_entries):
    monkeypatch.setenv("BROKER_DATABASE_URL", database.url)
    run = CliRunner().invoke
    refused = run(main, ["user", "set-password", "--email", "judge@example.test"], input="short\nshort\n")
    assert refused.exit_code == 1 and "12 characters or more" in refused.output
    new = "a pass phrase for the judge"
    result = run(main, ["user", "set-password", "--email", "judge@example.test"], input=f"{new}\n{new}\n")
    assert result.exit_code == 0, result.output
    assert new not in result.output
    page = browser.get("/login")
    answer = browser.post(
        "/login", data={"email": "judge@example.test", "password": new, "csrf_token": token(page)}
    )
    assert answer.headers["Location"] == "/account/two-factor"
    assert log_entries("person.password_set")

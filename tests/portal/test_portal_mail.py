"""The e-mails page of the account: each person chooses the e-mails they receive (issue 13, item 6).

The mails themselves are tested against a real SMTP server in tests/notify/test_mail_smtp.py; here,
the page, what it saves, and that what it saves decides who is mailed.
"""

import re
import uuid

import sqlalchemy as sa
from portal_helpers import token

from broker.notify.mail.compose import CHOICES_PATH
from broker.notify.mail.compose import ORDER_PATH
from broker.notify.models import MailChoice
from broker.notify.models import MailMessage
from broker.notify.models import MailTopic
from broker.parties.models import User

CHECKED = re.compile(r'<input class="checkboxes__input"[^>]* value="([a-z_]+)" checked')


def checked(page) -> set[str]:
    return set(CHECKED.findall(page.get_data(as_text=True)))


def choices(database, email: str) -> dict[str, bool]:
    with database.transaction() as session:
        rows = session.execute(
            sa.select(MailChoice.topic, MailChoice.wanted).join(User).where(User.email == email)
        ).all()
        return {row.topic.value: row.wanted for row in rows}


def test_every_e_mail_is_chosen_until_the_person_says_otherwise(signed_in):
    browser = signed_in("provider")
    account = browser.get("/account").get_data(as_text=True)
    assert 'href="/account/mail"' in account
    page = browser.get("/account/mail")
    assert page.status_code == 200
    assert checked(page) == {topic.value for topic in MailTopic}
    text = page.get_data(as_text=True)
    assert "it never carries anything of the order" in text
    assert "24/7 mailbox" in text, "a provider's people learn that emergencies also go to the 24/7 contact"


def test_the_choice_is_saved_shown_again_and_decides_who_is_mailed(signed_in, database, exchange):
    browser = signed_in("provider")
    page = browser.get("/account/mail")
    answer = browser.post(
        "/account/mail",
        data={"topic": ["message_received", "deadline_passed"], "csrf_token": token(page)},
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/account?notice=mail"
    assert "Your choice of e-mails has been saved." in browser.get(answer.headers["Location"]).get_data(
        as_text=True
    )
    assert checked(browser.get("/account/mail")) == {"message_received", "deadline_passed"}
    assert choices(database, "provider@example.test") == {
        "order_arrived": False,
        "deadline_near": False,
        "deadline_passed": True,
        "message_received": True,
    }

    exchange.issue(exchange.draft())
    with database.transaction() as session:
        assert session.scalars(sa.select(MailMessage.to_address)).all() == [], "arrivals refused: none queued"

    page = browser.get("/account/mail")
    browser.post("/account/mail", data={"topic": "order_arrived", "csrf_token": token(page)})
    exchange.issue(exchange.draft())
    with database.transaction() as session:
        assert session.scalars(sa.select(MailMessage.to_address)).all() == ["provider@example.test"]


def test_unticking_everything_refuses_every_e_mail(signed_in, database):
    browser = signed_in("prosecutor")
    page = browser.get("/account/mail")
    assert browser.post("/account/mail", data={"csrf_token": token(page)}).status_code == 303
    assert checked(browser.get("/account/mail")) == set()
    assert set(choices(database, "prosecutor@example.test").values()) == {False}


def test_a_topic_that_is_not_offered_is_refused_with_a_message_on_the_page(signed_in, database):
    browser = signed_in("prosecutor")
    page = browser.get("/account/mail")
    answer = browser.post(
        "/account/mail", data={"topic": ["order_arrived", "order_content"], "csrf_token": token(page)}
    )
    assert answer.status_code == 422
    text = answer.get_data(as_text=True)
    assert '<a href="#topic">Choose only from the e-mails listed</a>' in text
    assert "aria-invalid" not in text or "topic-error" in text
    assert checked(answer) == {"order_arrived"}, "what was ticked stays ticked"
    assert choices(database, "prosecutor@example.test") == {}, "nothing saved"


def test_a_form_without_its_csrf_token_changes_nothing(signed_in, database):
    browser = signed_in("prosecutor")
    answer = browser.post("/account/mail", data={"topic": "order_arrived"})
    assert answer.status_code == 400
    assert choices(database, "prosecutor@example.test") == {}


def test_an_oversight_body_is_told_it_is_sent_no_e_mails_about_orders(signed_in):
    page = signed_in("oversight").get("/account/mail")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "sends it no e-mails about orders" in text
    assert checked(page) == set() and 'name="topic"' not in text


def test_the_page_is_for_people_signed_in(browser):
    assert browser.get("/account/mail").headers["Location"] == "/login?next=%2Faccount%2Fmail"


def test_the_links_in_a_mail_open_the_portal_s_order_page_and_this_page(portal_app):
    adapter = portal_app.url_map.bind("broker.test")
    order_id = uuid.uuid4()
    assert adapter.match(ORDER_PATH.format(id=order_id)) == ("portal.order", {"order_id": order_id})
    assert adapter.match(CHOICES_PATH, method="GET") == ("portal.mail", {})

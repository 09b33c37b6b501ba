"""Drafting in the portal: the guided form, its findings, check your answers, the stored draft, issuing.

The browser's part (live findings, Web Crypto signing) is in browser/test_browser_drafting.py; here
the pages are driven as a browser without JavaScript drives them, and the JWS is made in Python over
exactly the signing input the page renders.
"""

import base64
import dataclasses
import html
import re

import pytest
from limits import parse_many

from broker import crypto

HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')
SIGNING_INPUT = re.compile(r'data-signing-input="([^"]+)"')


def text(page) -> str:
    return page.get_data(as_text=True)


def hidden(page) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in HIDDEN.findall(text(page))}


class Walk:
    """A person answering the guided form page by page, carrying what each page carries."""

    def __init__(self, browser, address="/drafts/new"):
        self.browser, self.address = browser, address
        self.page = browser.get(address) if address == "/drafts/new" else None

    def answer(self, go="continue", **fields):
        self.page = self.browser.post(self.address, data={**hidden(self.page), **fields, "go": go})
        return self.page


def epoc_answers(network, **changes):
    """Each page's answers for a lawful EPOC for subscriber data, page by page."""
    pages = {
        "order": {"order_type": "epoc", "instrument": "reg-2023-1543"},
        "addressee": {"addressee": network.addressees["provider"]},
        "data": {"data_categories": ["subscriber"]},
        "targets": {"target_type_0": "email_address", "target_value_0": "suspect@examplemail.test"},
        "period": {"period_start": "2026-09-01T00:00", "period_end": "2026-11-01T00:00"},
        "offence": {
            "offence_description": "Online investment fraud",
            "legal_provisions": "Code pénal, art. 313-1",
            "maximum_penalty_months": "60",
        },
        "purpose": {"purpose": "criminal_proceedings"},
        "grounds": {
            "case_summary": "Victims paid into accounts advertised from this address.",
            "necessity_and_proportionality": "The account is the only lead.",
        },
        "emergency": {"emergency": "no"},
        "validation": {},
        "notification": {"similar_domestic_order_possible": "yes"},
        "user": {"user_information": "delay", "user_information_justification": "Would alert the suspect."},
        "details": {"file_number": "PARQUET-PORTAL-1", "language": "en"},
    }
    for slug, fields in changes.items():
        pages[slug] = {**pages[slug], **fields}
    return pages


def fill(browser, network, **changes) -> Walk:
    walk = Walk(browser)
    for slug, fields in epoc_answers(network, **changes).items():
        assert f'name="step" value="{slug}"' in text(walk.page), slug
        walk.answer(**fields)
        assert walk.page.status_code == 200, text(walk.page)
    return walk


def test_a_caseworker_drafts_checks_and_saves_an_epoc(signed_in, network, log_entries):
    browser = signed_in("prosecutor")
    assert "Draft an order" in text(browser.get("/"))
    walk = fill(browser, network)
    page = text(walk.page)
    assert '<h1 class="heading-l">Check your answers</h1>' in page
    assert "No rule of the legal instrument is broken." in page
    assert "suspect@examplemail.test" in page and "Example Mail" in page

    saved = walk.answer(go="save")
    assert saved.status_code == 303
    location = saved.headers["Location"]
    assert re.fullmatch(r"/drafts/[0-9a-f-]{36}\?saved=yes", location)
    stored = text(browser.get(location))
    assert "Your draft is saved." in stored and "Sign and issue" in stored
    (entry,) = log_entries("order.drafted")
    assert entry["details"]["blocking"] is False
    assert "PARQUET-PORTAL-1" in text(browser.get("/drafts"))


def test_a_page_left_unanswered_says_what_to_do_and_keeps_the_other_answers(signed_in, network):
    browser = signed_in("prosecutor")
    walk = Walk(browser)
    walk.answer(order_type="epoc", instrument="reg-2023-1543")
    page = walk.answer()  # the addressee page, nothing chosen
    assert page.status_code == 422
    assert "Error: Who receives the order?" in text(page)
    assert '<a href="#addressee">Select an answer</a>' in text(page)
    assert hidden(page)["order_type"] == "epoc"


@pytest.mark.parametrize("months", ["²", "1" * 5000, "-3", "3.5"])
def test_a_number_that_is_not_a_short_whole_number_is_said_on_its_field(signed_in, network, months):
    walk = Walk(signed_in("prosecutor"))
    pages = epoc_answers(network, offence={"maximum_penalty_months": months})
    for slug in ("order", "addressee", "data", "targets", "period"):
        walk.answer(**pages[slug])
    page = walk.answer(**pages["offence"])
    assert page.status_code == 422
    assert '<a href="#maximum-penalty-months">Enter a whole number, such as 36</a>' in text(page)


def test_findings_name_the_rule_its_article_and_how_to_fix_it_and_clear_when_fixed(signed_in, network):
    browser = signed_in("prosecutor")
    walk = fill(browser, network, data={"data_categories": ["subscriber", "content"]})
    page = text(walk.page)
    assert 'data-rule="EE-06"' in page and "Art. 4(2)" in page and "Blocks issuing" in page
    assert "add a validating authority" in page

    walk.answer(go="change_validation")
    judge = network["judge"].organisation_id
    walk.answer(validating_authority=judge)
    assert 'data-rule="EE-06"' not in text(walk.page), "validated by a judge: the finding is gone"

    findings = browser.post(
        "/drafts/findings", data={**hidden(walk.page), "step": "data", "data_categories": "subscriber"}
    )
    assert findings.status_code == 200 and findings.is_json
    assert findings.get_json()["complete"] is True
    assert [f["rule_id"] for f in findings.get_json()["findings"]] == []


def test_a_blocking_draft_is_saved_but_cannot_be_issued(signed_in, network):
    browser = signed_in("prosecutor")
    walk = fill(browser, network, data={"data_categories": ["content"]})
    stored = browser.get(walk.answer(go="save").headers["Location"])
    assert "The draft breaks a rule that blocks issuing" in text(stored)
    assert "Sign and issue" not in text(stored)


def test_a_stored_draft_is_changed_through_the_same_pages(signed_in, network, log_entries):
    browser = signed_in("prosecutor")
    location = fill(browser, network).answer(go="save").headers["Location"].partition("?")[0]
    walk = Walk(browser, location)
    walk.page = browser.get(location)
    walk.answer(go="change_details")
    walk.answer(file_number="PARQUET-PORTAL-2", language="en")
    assert "PARQUET-PORTAL-2" in text(walk.page)
    saved = walk.answer(go="save")
    assert saved.headers["Location"] == f"{location}?saved=yes"
    assert "PARQUET-PORTAL-2" in text(browser.get(location))
    assert len(log_entries("order.changed")) == 1


def test_the_draft_order_page_leads_its_authority_back_to_the_draft(signed_in, network, portal_app):
    browser = signed_in("prosecutor")
    location = fill(browser, network).answer(go="save").headers["Location"].partition("?")[0]
    order_page = location.replace("/drafts/", "/orders/")
    link = f'href="{location}"'
    assert link in text(browser.get(order_page))
    oversight = text(signed_in("oversight", portal_app.test_client()).get(order_page))
    assert "Nothing has been signed yet" in oversight and link not in oversight, "an auditor changes nothing"


def test_a_caseworker_signs_and_issues_a_draft(signed_in, network, es256_key, log_entries):
    private_key, kid = es256_key("prosecutor")
    browser = signed_in("prosecutor")
    location = fill(browser, network).answer(go="save").headers["Location"].partition("?")[0]
    issue = f"{location}/issue"
    keys = browser.get(issue)
    assert keys.status_code == 200
    sign_page = browser.post(issue, data={**hidden(keys), "kid": kid})
    assert "Check and sign: Issue the order" in text(sign_page)
    signing_input = html.unescape(SIGNING_INPUT.search(text(sign_page)).group(1))
    payload = signing_input.split(".")[1]
    jws = crypto.sign_jws(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)), private_key, kid)

    forged = crypto.sign_jws(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)),
        crypto.generate_private_key("ES256"),
        kid,
    )
    refused = browser.post(issue, data={**hidden(sign_page), "jws": forged})
    assert refused.status_code == 422
    assert "The signature does not match the message" in text(refused)
    assert not log_entries("order.issued")

    sent = browser.post(issue, data={**hidden(sign_page), "jws": jws})
    assert sent.status_code == 303, text(sent)
    order_id = location.rsplit("/", 1)[1]
    assert sent.headers["Location"] == f"/orders/{order_id}?done=issue"
    order_page = text(browser.get(sent.headers["Location"]))
    assert '<span class="tag">Issued</span>' in order_page
    assert "You signed and issued the order." in order_page
    (entry,) = log_entries("order.issued")
    assert entry["details"]["state"] == {"from": "draft", "to": "issued"}
    assert browser.get(location).status_code == 409, "an issued order is no longer a draft to change"


def test_only_an_issuing_authority_drafts(signed_in):
    browser = signed_in("provider")
    assert browser.get("/drafts/new").status_code == 403
    assert browser.get("/drafts").status_code == 403


def test_another_authoritys_draft_is_not_found(signed_in, caseload, network):
    order = caseload.draft("PARQUET-OTHER")
    browser = signed_in("other_authority")
    assert browser.get(f"/drafts/{order['id']}").status_code == 404
    assert browser.get(f"/drafts/{order['id']}/issue").status_code == 404


def test_live_findings_count_against_the_expensive_routes_limit(signed_in, network, portal_app):
    """The legal check behind live findings costs as much as the API's POST /orders/check, and is limited alike."""
    portal_app.extensions["broker.rate_limits"].policy = dataclasses.replace(
        portal_app.extensions["broker.rate_limits"].policy, expensive=parse_many("2/minute")
    )
    browser = signed_in("prosecutor")
    walk = fill(browser, network)
    answers = {**hidden(walk.page), "step": "data", "data_categories": "subscriber"}
    assert [browser.post("/drafts/findings", data=answers).status_code for _ in range(3)] == [200, 200, 429]
    refused = browser.post("/drafts/findings", data=answers)
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many attempts" in text(refused)

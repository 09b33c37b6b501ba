"""Drafting a removal order (Regulation (EU) 2021/784) in the portal: the form, its findings, changing it.

The video host's Irish contact point receives removal orders (tests/portal/removal_helpers.py); the
pages are driven as a browser without JavaScript drives them. What is stored is compared with what the
API stores for the same body, and every refusal must leave the form as typed and nothing written.
"""

import html
import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from removal_helpers import video_host

from broker.audit.operations import integrate_all
from broker.orders.models import Order
from broker.parties import operations
from broker.parties.models import Organisation
from broker.vocabulary import Role
from tests.removal.conftest import Removals

URL = "https://video.example.test/watch/8f3a2c"
SECOND = "https://video.example.test/watch/9b4d3e"
SAVED = re.compile(r"/drafts/removal/([0-9a-f-]{36})\?saved=yes")


@pytest.fixture
def removals(exchange: Any, network: Any, clock: Any, database: Any) -> Removals:
    return video_host(exchange, network, clock, database)


def text(page: Any) -> str:
    return page.get_data(as_text=True)


def answers(removals: Removals, **changes: Any) -> dict[str, Any]:
    """A lawful first removal order of two videos, not an emergency, the content provider told."""
    return {
        "addressee": removals.addressee,
        "material_types": ["instruction", "threat"],
        "statement": "The videos explain how to build a bomb and call for an attack on a stadium.",
        "url_0": URL,
        "identification_0": "The video at 02:10",
        "url_1": SECOND,
        "identification_1": "",
        "redress": "Before the Tribunal judiciaire de Paris within two months of receipt.",
        "emergency": "no",
        "emergency_justification": "",
        "withhold": "no",
        "withholding_until": "",
        "withholding_reasons": "",
        "file_number": "TCO-PORTAL-1",
        "contact_name": "Capitaine Martin",
        "contact_email": "",
        "contact_phone": "+33 1 00 00 00 00",
        "language": "en",
        "go": "save",
        **changes,
    }


def post(browser: Any, address: str, form_token: Any, fields: dict[str, Any]) -> Any:
    return browser.post(address, data={**fields, "csrf_token": form_token(browser.get(address))})


def stored(database: Any, order_id: str) -> dict[str, Any]:
    with database.transaction() as session:
        return dict(session.get_one(Order, uuid.UUID(order_id)).certificate)


def orders(database: Any) -> int:
    with database.transaction() as session:
        return session.scalar(sa.select(sa.func.count(Order.id))) or 0


def test_a_caseworker_drafts_a_removal_order_and_sees_its_findings(
    removals, signed_in, form_token, database, log_entries
):
    browser = signed_in("prosecutor")
    drafts = text(browser.get("/drafts"))
    assert 'href="/drafts/removal/new"' in drafts and "Removal order (terrorist content)" in drafts
    page = text(browser.get("/drafts/removal/new"))
    assert "Example Video: Example Video contact point (IE)" in page and "Contact point (Art. 15)" in page
    assert "Example Mail" not in page, "an addressee that does not receive removal orders is not offered"

    saved = post(browser, "/drafts/removal/new", form_token, answers(removals))
    assert saved.status_code == 303, text(saved)
    order_id = SAVED.fullmatch(saved.headers["Location"]).group(1)
    certificate = stored(database, order_id)
    api = removals.client.post(
        "/api/v1/orders/check",
        json={
            "order_type": "removal-order",
            "certificate": {
                "legal_basis": "reg-2021-784",
                "issuing_authority": {
                    "file_number": "TCO-PORTAL-1",
                    "contact": {"name": "Capitaine Martin", "phone": "+33 1 00 00 00 00"},
                },
                "addressee": removals.addressee,
                "reasons": {
                    "material_types": ["instruction", "threat"],
                    "statement": answers(removals)["statement"],
                },
                "content": [{"url": URL, "identification": "The video at 02:10"}, {"url": SECOND}],
                "redress": answers(removals)["redress"],
                "emergency": False,
                "language": "en",
            },
        },
        headers=removals.network["prosecutor"].headers,
    )
    assert api.status_code == 200, api.get_json()
    assert certificate["addressee"]["id"] == removals.addressee
    assert certificate["content"] == [{"url": URL, "identification": "The video at 02:10"}, {"url": SECOND}]
    assert "withholding" not in certificate and "emergency_justification" not in certificate
    (entry,) = log_entries("order.drafted")
    assert entry["details"]["rules"] == [finding["rule_id"] for finding in api.get_json()["findings"]]

    page = text(browser.get(saved.headers["Location"]))
    assert "Your draft is saved." in page and "Your removal order draft" in page
    assert f'<code translate="no">{URL}</code>' in page and f'href="{URL}"' not in page, "never a link"
    assert 'data-rule="TCO-04"' in page and "Regulation (EU) 2021/784, Art. 3(2)" in page
    assert "Blocks issuing" in page and "first removal order to this provider" in page
    assert "Sign and issue" not in page, "a first order without a notice of procedures cannot leave"
    assert f'href="/drafts/removal/{order_id}/change"' in page
    assert "TCO-PORTAL-1" in text(browser.get("/drafts"))
    assert f'href="/drafts/removal/{order_id}"' in text(browser.get("/drafts"))


def test_an_emergency_breaks_no_rule_and_leads_to_signing(removals, signed_in, form_token):
    browser = signed_in("prosecutor")
    fields = answers(removals, emergency="yes", emergency_justification="An attack is being streamed.")
    saved = post(browser, "/drafts/removal/new", form_token, fields)
    page = text(browser.get(saved.headers["Location"]))
    assert "No rule of the legal instrument is broken." in page
    order_id = SAVED.fullmatch(saved.headers["Location"]).group(1)
    assert f'href="/drafts/{order_id}/issue"' in page
    assert browser.get(f"/drafts/{order_id}/issue").status_code == 200


def test_findings_name_each_tco_rule_and_its_article(removals, signed_in, form_token, clock):
    browser = signed_in("prosecutor")
    late = (clock().date() + timedelta(weeks=7)).isoformat()
    fields = answers(
        removals,
        url_1=URL,
        withhold="yes",
        withholding_until=late,
        withholding_reasons="The author is being watched.",
    )
    saved = post(browser, "/drafts/removal/new", form_token, fields)
    page = text(browser.get(saved.headers["Location"]))
    assert 'data-rule="TCO-05"' in page and "Regulation (EU) 2021/784, Art. 3(4), Annex I" in page
    assert 'data-rule="TCO-17"' in page and "Regulation (EU) 2021/784, Art. 11(3)" in page
    assert "Not to be given before " + late in page


def test_a_stored_draft_is_changed_on_the_same_form(removals, signed_in, form_token, database, log_entries):
    browser = signed_in("prosecutor")
    saved = post(browser, "/drafts/removal/new", form_token, answers(removals))
    order_id = SAVED.fullmatch(saved.headers["Location"]).group(1)
    order_page = text(browser.get(f"/orders/{order_id}"))
    assert f'href="/drafts/removal/{order_id}/change"' in order_page
    assert f'href="/drafts/removal/{order_id}">Check, change, sign and issue the draft' in order_page
    oversight = signed_in("oversight", browser.application.test_client())
    assert "/change" not in text(oversight.get(f"/orders/{order_id}")), "an auditor changes nothing"

    change = f"/drafts/removal/{order_id}/change"
    form = text(browser.get(change))
    assert f'value="{URL}"' in form and f'value="{SECOND}"' in form and 'value="The video at 02:10"' in form
    assert html.escape(answers(removals)["statement"], quote=False) in form
    assert re.search(r'value="instruction" checked', form) and re.search(r'value="no" checked', form)

    fields = answers(
        removals, url_0=SECOND, identification_0="", url_1="", statement="One video calls for it."
    )
    changed = post(browser, change, form_token, fields)
    assert changed.headers["Location"] == f"/drafts/removal/{order_id}?saved=yes"
    certificate = stored(database, order_id)
    assert certificate["content"] == [{"url": SECOND}]
    assert certificate["reasons"]["statement"] == "One video calls for it."
    assert len(log_entries("order.changed")) == 1
    assert orders(database) == 1, "changed, not a second draft"


def test_bad_input_is_told_beside_each_field_and_nothing_typed_is_lost(
    removals, signed_in, form_token, database, log_entries
):
    browser = signed_in("prosecutor")
    before = orders(database)
    fields = answers(
        removals,
        material_types=["incitement"],
        statement="",
        url_0="video.example.test/watch 8f3a2c",
        emergency="yes",
        withhold="yes",
        withholding_until="next month",
    )
    refused = post(browser, "/drafts/removal/new", form_token, fields)
    page = text(refused)
    assert refused.status_code == 422
    assert "<title>Error: Draft a removal order" in page
    for field, message in (
        ("statement", "Enter the statement of reasons"),
        ("url-0", "Enter an exact http or https address, without spaces"),
        ("emergency-justification", "Say why it is an emergency"),
        ("withholding-until", "Enter the last day of the withholding, such as 2026-12-31"),
        ("withholding-reasons", "Enter the reasons for withholding the information"),
    ):
        assert f'<a href="#{field}">{message}</a>' in page, field
        assert f'id="{field}-error"' in page, field
    assert 'value="video.example.test/watch 8f3a2c"' in page and 'value="next month"' in page
    assert f'value="{SECOND}"' in page and html.escape(fields["redress"], quote=False) in page
    assert 'value="incitement" checked' in page and 'value="TCO-PORTAL-1"' in page

    too_long = post(browser, "/drafts/removal/new", form_token, answers(removals, statement="x" * 8001))
    assert too_long.status_code == 422
    assert "Length must be between 1 and 8000." in text(too_long) and 'id="statement-error"' in text(too_long)

    designated = removals.network.addressees["provider"]  # Example Mail's: it takes certificates only
    refused = post(browser, "/drafts/removal/new", form_token, answers(removals, addressee=designated))
    assert refused.status_code == 422
    assert '<a href="#addressee">Select an addressee that receives removal orders</a>' in text(refused)
    assert f'value="{URL}"' in text(refused)
    assert orders(database) == before and not log_entries("order.drafted")


def test_another_url_row_is_added_without_saving(removals, signed_in, form_token, database):
    browser = signed_in("prosecutor")
    fields = {"url_0": URL, "statement": "Typed so far.", "go": "add"}
    page = post(browser, "/drafts/removal/new", form_token, fields)
    assert page.status_code == 200
    assert f'name="url_0" type="text" value="{URL}"' in text(page)
    assert 'name="url_1" type="text" value=""' in text(page) and 'name="url_2"' not in text(page)
    assert "Typed so far." in text(page) and "There is a problem" not in text(page)
    assert orders(database) == 0


@pytest.fixture
def auditor(database: Any, clock: Any, network: Any) -> str:
    """An auditor of the prosecutor's own office: reads its orders, drafts nothing."""
    with database.transaction() as session:
        operations.create_user(
            session,
            clock,
            organisation=session.get_one(Organisation, uuid.UUID(network["prosecutor"].organisation_id)),
            email="prosecutor_auditor@example.test",
            name="prosecutor_auditor",
            role=Role.AUDITOR,
        )
    integrate_all(database)
    return "prosecutor_auditor"


@pytest.mark.parametrize("who", ["host", "oversight", "auditor"])
def test_only_an_issuing_authority_s_caseworkers_draft(removals, signed_in, form_token, auditor, who):
    browser = signed_in(auditor if who == "auditor" else who)
    assert browser.get("/drafts/removal/new").status_code == 403
    page = browser.get("/")
    refused = browser.post("/drafts/removal/new", data={**answers(removals), "csrf_token": form_token(page)})
    assert refused.status_code == 403


def test_another_authority_s_removal_draft_is_not_found(removals, signed_in, form_token, caseload):
    drafted = removals.draft(emergency=True, emergency_justification="An attack is being streamed.")
    order_id = drafted.get_json()["id"]
    browser = signed_in("other_authority")
    token = form_token(browser.get("/"))
    for address in (f"/drafts/removal/{order_id}", f"/drafts/removal/{order_id}/change"):
        assert browser.get(address).status_code == 404, address
    changed = browser.post(
        f"/drafts/removal/{order_id}/change", data={**answers(removals), "csrf_token": token}
    )
    assert changed.status_code == 404

    own = signed_in("prosecutor", browser.application.test_client())
    epoc = caseload.draft("PARQUET-EPOC")
    assert own.get(f"/drafts/removal/{epoc['id']}").headers["Location"] == f"/drafts/{epoc['id']}"

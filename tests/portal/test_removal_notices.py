"""The notice of procedures (Regulation (EU) 2021/784, Art. 3(2)) in the portal: recorded, listed, and TCO-04.

A first removal order to a provider that is no emergency waits 12 hours after the authority gave the
provider its procedures and deadlines; the caseworker records that on a page, from the draft's finding
that says it is missing. The video host's Irish contact point receives removal orders
(tests/portal/removal_helpers.py); the pages are driven as a browser without JavaScript drives them.
"""

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from removal_helpers import video_host
from test_removal_drafting import SAVED
from test_removal_drafting import answers
from test_removal_drafting import post
from test_removal_drafting import text

from broker.audit.operations import integrate_all
from broker.orders.models import ProceduresNotice
from broker.parties import operations
from broker.parties.models import Organisation
from broker.vocabulary import Role
from tests.removal.conftest import Removals

NEW = "/removal-notices/new"
MEANS = "E-mail to the contact point, reference 2026/17"


@pytest.fixture
def removals(exchange: Any, network: Any, clock: Any, database: Any) -> Removals:
    return video_host(exchange, network, clock, database)


@pytest.fixture
def auditor(database: Any, clock: Any, network: Any) -> str:
    """An auditor of the prosecutor's own office: reads its notices, records none."""
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


def typed(moment: Any) -> str:
    """An instant as a datetime-local input sends it (UTC, to the minute)."""
    return str(moment.strftime("%Y-%m-%dT%H:%M"))


def notices(database: Any) -> int:
    with database.transaction() as session:
        return session.scalar(sa.select(sa.func.count(ProceduresNotice.id))) or 0


def drafted(browser: Any, form_token: Any, removals: Removals) -> str:
    """A first removal order to the video host, no emergency: TCO-04 finds no notice recorded."""
    saved = post(browser, "/drafts/removal/new", form_token, answers(removals))
    assert saved.status_code == 303, text(saved)
    return str(SAVED.fullmatch(saved.headers["Location"]).group(1))


def test_a_notice_recorded_from_the_draft_lets_the_first_order_leave(
    removals, signed_in, form_token, clock, database, log_entries
):
    browser = signed_in("prosecutor")
    order_id = drafted(browser, form_token, removals)
    host = removals.network["host"].organisation_id
    page = text(browser.get(f"/drafts/removal/{order_id}"))
    assert 'data-rule="TCO-04"' in page and "Sign and issue" not in page
    link = re.search(r'<a href="([^"]+)" class="link" id="record-notice">', page)
    assert link, "the finding that no notice is recorded links to the form"
    address = link.group(1).replace("&amp;", "&")
    assert address == f"{NEW}?provider={host}&draft={order_id}"

    form = text(browser.get(address))
    assert f'<option value="{host}" selected>Example Video (US)</option>' in form
    assert f'<input type="hidden" name="draft" value="{order_id}">' in form
    assert f'href="/drafts/removal/{order_id}" class="back-link"' in form
    given = clock() - timedelta(hours=13)
    fields = {"provider": host, "given_at": typed(given), "means": MEANS, "draft": order_id}
    recorded = post(browser, address, form_token, fields)
    assert recorded.status_code == 303, text(recorded)
    assert recorded.headers["Location"] == f"/drafts/removal/{order_id}#findings"

    page = text(browser.get(f"/drafts/removal/{order_id}"))
    assert 'data-rule="TCO-04"' not in page and 'id="record-notice"' not in page
    assert f'href="/drafts/{order_id}/issue"' in page, "the draft, checked again, may be signed and issued"
    (entry,) = log_entries("removal.procedures_notice")
    assert entry["object"] == {"type": "organisation", "id": host}
    (checked,) = log_entries("order.checked")
    assert checked["object"] == {"type": "order", "id": order_id} and checked["details"]["blocking"] is False

    listed = text(browser.get("/removal-notices"))
    assert "Example Video (US)" in listed and MEANS in listed
    ready = given.replace(second=0, microsecond=0) + timedelta(hours=12)
    assert f'<time datetime="{ready.isoformat()}">' in listed, "when a first order may leave"
    api = removals.client.get("/api/v1/removal-notices", headers=removals.network["prosecutor"].headers)
    (through_api,) = api.get_json()["items"]
    assert (through_api["provider"], through_api["means"]) == (host, MEANS), "the API's record, the same"


def test_a_notice_given_just_now_makes_the_first_order_wait_12_hours(removals, signed_in, form_token, clock):
    browser = signed_in("prosecutor")
    order_id = drafted(browser, form_token, removals)
    host = removals.network["host"].organisation_id
    fields = {"provider": host, "given_at": typed(clock()), "means": MEANS, "draft": order_id}
    recorded = post(browser, NEW, form_token, fields)
    assert recorded.headers["Location"] == f"/drafts/removal/{order_id}#findings"
    page = text(browser.get(f"/drafts/removal/{order_id}"))
    assert 'data-rule="TCO-04"' in page and "issue it from" in page and "Sign and issue" not in page
    assert 'id="record-notice"' not in page, "a notice is recorded: the finding no longer asks for one"

    clock.advance(hours=12, seconds=1)
    browser = signed_in("prosecutor")  # a new day's session: the last one ended after 30 idle minutes
    stored = browser.get(f"/drafts/removal/{order_id}")
    assert "Sign and issue" not in text(stored), "the findings as stored"
    checked = browser.post(f"/drafts/removal/{order_id}/check", data={"csrf_token": form_token(stored)})
    assert checked.headers["Location"] == f"/drafts/removal/{order_id}#findings"
    page = text(browser.get(f"/drafts/removal/{order_id}"))
    assert 'data-rule="TCO-04"' not in page and "Sign and issue" in page, "checked again, the hours are over"


def test_a_notice_recorded_from_the_list_goes_back_to_the_list(removals, signed_in, form_token, clock):
    browser = signed_in("prosecutor")
    assert "Your authority has recorded no notice of procedures." in text(browser.get("/removal-notices"))
    assert f'href="{NEW}"' in text(browser.get("/removal-notices"))
    host = removals.network["host"].organisation_id
    fields = {"provider": host, "given_at": typed(clock() - timedelta(days=2)), "means": MEANS}
    recorded = post(browser, NEW, form_token, fields)
    assert recorded.headers["Location"] == "/removal-notices?recorded=yes"
    listed = text(browser.get(recorded.headers["Location"]))
    assert "The notice is recorded." in listed and MEANS in listed


NO_PROVIDER = "Select the hosting service provider you gave the information to"
# Each bad answer: the fields it changes (from the video host and the broker's time), its field, its message.
BAD = {
    "unreadable-time": (
        lambda removals, now: {"given_at": "yesterday"},
        "given-at",
        "Enter when you gave the information, such as 2026-12-07 09:30",
    ),
    "future": (
        lambda removals, now: {"given_at": typed(now + timedelta(minutes=2))},
        "given-at",
        "Enter a time that has passed: record a notice once it has been given",
    ),
    "unknown-provider": (lambda removals, now: {"provider": str(uuid.uuid4())}, "provider", NO_PROVIDER),
    "an-authority": (
        lambda removals, now: {"provider": removals.network["prosecutor"].organisation_id},
        "provider",
        NO_PROVIDER,
    ),
    "no-means": (lambda removals, now: {"means": "  "}, "means", "Say how you gave the information"),
    "long-means": (
        lambda removals, now: {"means": "x" * 501},
        "means",
        "Say how you gave the information in 500 characters or fewer",
    ),
}


@pytest.mark.parametrize(("change", "field", "message"), BAD.values(), ids=BAD.keys())
def test_bad_input_is_told_beside_its_field_and_nothing_is_recorded(
    removals, signed_in, form_token, clock, database, log_entries, change, field, message
):
    browser = signed_in("prosecutor")
    fields = {
        "provider": removals.network["host"].organisation_id,
        "given_at": typed(clock() - timedelta(hours=1)),
        "means": MEANS,
        **change(removals, clock()),
    }
    refused = post(browser, NEW, form_token, fields)
    page = text(refused)
    assert refused.status_code == 422
    assert "<title>Error: Record a notice of procedures" in page
    assert f'<a href="#{field}">{message}</a>' in page and f'id="{field}-error"' in page
    assert f'value="{fields["given_at"]}"' in page and f">{fields['means']}</textarea>" in page, (
        "kept as typed"
    )
    assert notices(database) == 0 and not log_entries("removal.procedures_notice")


@pytest.mark.parametrize("who", ["auditor", "host", "oversight"])
def test_only_an_issuing_authority_s_caseworkers_record(removals, signed_in, form_token, auditor, clock, who):
    browser = signed_in(auditor if who == "auditor" else who)
    assert browser.get(NEW).status_code == 403
    fields = {
        "provider": removals.network["host"].organisation_id,
        "given_at": typed(clock() - timedelta(hours=13)),
        "means": MEANS,
        "csrf_token": form_token(browser.get("/")),
    }
    refused = browser.post(NEW, data=fields)
    assert refused.status_code == 403 and "You cannot do this" in text(refused)
    listed = browser.get("/removal-notices")
    if who == "auditor":
        assert listed.status_code == 200 and f'href="{NEW}"' not in text(listed), "an auditor reads"
    else:
        assert listed.status_code == 403


def test_another_authority_sees_none_of_them(removals, signed_in, form_token, clock, browser):
    own = signed_in("prosecutor")
    host = removals.network["host"].organisation_id
    fields = {"provider": host, "given_at": typed(clock() - timedelta(hours=13)), "means": MEANS}
    assert post(own, NEW, form_token, fields).status_code == 303
    other = signed_in("other_authority", browser.application.test_client())
    listed = text(other.get("/removal-notices"))
    assert MEANS not in listed and "Your authority has recorded no notice of procedures." in listed


def test_a_stored_removal_draft_opens_on_its_own_page(removals, signed_in, form_token):
    browser = signed_in("prosecutor")
    order_id = drafted(browser, form_token, removals)
    assert browser.get(f"/drafts/{order_id}").headers["Location"] == f"/drafts/removal/{order_id}"
    dashboard = text(browser.get("/"))
    assert (
        'href="/drafts/removal/new" class="button button--secondary">Removal order (terrorist content)'
        in (dashboard)
    )
    assert 'href="/removal-notices"' in dashboard


@pytest.mark.parametrize(("who", "listed"), [("prosecutor", True), ("provider", False), ("oversight", False)])
def test_the_menu_leads_an_issuing_authority_to_its_notices(signed_in, who, listed):
    menu = text(signed_in(who).get("/"))
    assert ('href="/removal-notices" class="navigation__link"' in menu) is listed

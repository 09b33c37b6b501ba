"""An EPOC by reference to a removal order in the guided form (Regulation (EU) 2021/784, Art. 6).

The prosecutor's removal order made the video host remove a video and preserve it; an EPOC to the host may
ask for that preserved content by naming the removal order. The data page offers the removal orders the
prosecutor may name for the chosen addressee's provider (`removal.referable`, the read beside the check
create_draft runs), the check page shows the choice with a way to change it, and saving hands it to
create_draft or change_draft, whose refusal is told on "check your answers".
"""

import uuid
from typing import Any

import pytest
from removal_helpers import received
from removal_helpers import video_host
from test_portal_drafting import Walk
from test_portal_drafting import epoc_answers
from test_portal_drafting import hidden
from test_portal_drafting import text

from broker.orders.models import Order
from tests.conftest import epoc_draft
from tests.removal.conftest import Removals

QUESTION = "Does this order ask for content and data preserved after a removal order?"


@pytest.fixture
def removals(exchange: Any, network: Any, clock: Any, database: Any) -> Removals:
    return video_host(exchange, network, clock, database)


def walk_to_data_page(browser: Any, removals: Removals, network: Any) -> Walk:
    """The guided form answered up to the data page, the order addressed to the video host."""
    walk = Walk(browser)
    walk.answer(**epoc_answers(network)["order"])
    walk.answer(addressee=removals.addressee)
    assert 'name="step" value="data"' in text(walk.page)
    return walk


def finish(walk: Walk, removals: Removals, network: Any, **data: Any) -> Any:
    """The data page answered with `data`, then every later page as for a lawful EPOC: check your answers."""
    pages = epoc_answers(network, addressee={"addressee": removals.addressee}, data=data)
    for slug, fields in list(pages.items())[2:]:
        assert f'name="step" value="{slug}"' in text(walk.page), slug
        walk.answer(**fields)
        assert walk.page.status_code == 200, text(walk.page)
    return walk.page


def stored(database: Any, order_id: str) -> Order:
    with database.transaction() as session:
        order = session.get_one(Order, uuid.UUID(order_id))
        session.expunge(order)
        return order


def test_the_removal_order_whose_content_is_preserved_is_named_checked_and_saved(
    removals, network, signed_in, database, log_entries
):
    removed = received(removals, "removed")
    not_removed = received(removals)  # received, nothing removed yet: nothing preserved to ask for
    browser = signed_in("prosecutor")
    walk = walk_to_data_page(browser, removals, network)
    page = text(walk.page)
    assert QUESTION in page
    assert f'value="{removed["id"]}"' in page and "TCO-2026-7, from Parquet de Paris" in page
    assert "https://video.example.test/watch/8f3a2c" in page
    assert f'value="{not_removed["id"]}"' not in page

    check = text(finish(walk, removals, network, data_categories=["content"], removal_order=removed["id"]))
    assert '<h1 class="heading-l">Check your answers</h1>' in check
    assert QUESTION in check and "TCO-2026-7, from Parquet de Paris" in check
    assert 'value="change_data"' in check

    saved = walk.answer(go="save")
    assert saved.status_code == 303, text(saved)
    order_id = saved.headers["Location"].partition("?")[0].rsplit("/", 1)[1]
    assert stored(database, order_id).removal_order_id == uuid.UUID(removed["id"])
    entry = log_entries("order.drafted")[-1]  # the removal orders were drafted before
    assert entry["details"]["removal_order"] == removed["id"]
    assert "TCO-2026-7, from Parquet de Paris" in text(browser.get(f"/drafts/{order_id}"))


def test_the_reference_is_changed_and_dropped_through_the_data_page(
    removals, network, signed_in, database, log_entries
):
    removed = received(removals, "removed")
    browser = signed_in("prosecutor")
    walk = walk_to_data_page(browser, removals, network)
    finish(walk, removals, network, removal_order=removed["id"])
    location = walk.answer(go="save").headers["Location"].partition("?")[0]

    walk = Walk(browser, location)
    walk.page = browser.get(location)
    page = text(walk.answer(go="change_data"))
    assert f'value="{removed["id"]}" checked' in page, "the stored reference is the page's answer"
    walk.answer(data_categories="subscriber", removal_order="")
    assert walk.answer(go="save").status_code == 303
    assert stored(database, location.rsplit("/", 1)[1]).removal_order_id is None
    assert len(log_entries("order.changed")) == 1


def test_without_a_removal_order_to_name_the_question_is_not_asked(removals, network, signed_in):
    received(removals, "removed")  # the video host's: nothing for an order to Example Mail
    browser = signed_in("prosecutor")
    walk = Walk(browser)
    walk.answer(**epoc_answers(network)["order"])
    page = text(walk.answer(**epoc_answers(network)["addressee"]))
    assert 'name="step" value="data"' in page and QUESTION not in page


def test_a_reference_to_another_provider_is_refused_on_the_check_page(removals, network, signed_in, rows):
    """Art. 6(1): the content is preserved by the provider that removed it; an order to another is refused."""
    removed = received(removals, "removed")
    browser = signed_in("prosecutor")
    walk = walk_to_data_page(browser, removals, network)
    finish(walk, removals, network, removal_order=removed["id"])
    walk.answer(go="change_addressee")
    walk.answer(addressee=network.addressees["provider"])  # Example Mail: back at check your answers
    orders = rows("orders")

    refused = walk.answer(go="save")
    assert refused.status_code == 422, text(refused)
    page = text(refused)
    assert "the removal order was addressed to another provider" in page
    assert '<a href="#change-data">' in page, "the error leads to the page that names the removal order"
    assert rows("orders") == orders, "nothing was stored"
    assert hidden(refused)["removal_order"] == removed["id"], "the answers are kept to be changed"


def test_a_stored_reference_no_longer_preserved_is_refused_when_saved_again(
    removals, network, signed_in, database
):
    """Art. 6(2): six months after the removal the content is no longer preserved, so no order may ask for it."""
    removed = received(removals, "removed")
    certificate = epoc_draft(removals.addressee, issuing_authority={"file_number": "PARQUET-PRESERVED"})
    drafted = removals.client.post(
        "/api/v1/orders",
        json={"order_type": "epoc", "certificate": certificate, "removal_order": removed["id"]},
        headers=network["prosecutor"].headers,
    )
    assert drafted.status_code == 201, drafted.get_json()
    location = f"/drafts/{drafted.get_json()['id']}"
    removals.later(days=190)

    browser = signed_in("prosecutor")
    walk = Walk(browser, location)
    walk.page = browser.get(location)
    assert f"Removal order {removed['id']}" in text(walk.page), "the stored reference is shown"
    walk.answer(go="change_details")
    walk.answer(file_number="PARQUET-PRESERVED-2", language="en")
    refused = walk.answer(go="save")
    assert refused.status_code == 422, text(refused)
    assert "is no longer preserved" in text(refused) and '<a href="#change-data">' in text(refused)
    order = stored(database, drafted.get_json()["id"])
    assert order.removal_order_id == uuid.UUID(removed["id"]) and order.file_number == "PARQUET-PRESERVED"

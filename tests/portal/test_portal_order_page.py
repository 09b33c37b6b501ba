"""The order page: what each side sees, the same access rule as the API, every view in the audit trail."""

import re
import uuid

import pytest


def text(page) -> str:
    return page.get_data(as_text=True)


def test_the_issuing_authority_reads_its_order_with_messages_and_timeline(signed_in, caseload, log_entries):
    order = caseload.received("PARQUET-7")
    page = signed_in("prosecutor").get(f"/orders/{order['id']}")
    html = text(page)
    assert page.status_code == 200
    assert "Order PARQUET-7" in html and "European Production Order (EPOC)" in html
    assert "<td>Production order certificate</td>" in html, "the signed certificate is listed"
    assert '<strong class="tag tag--green">Yes</strong>' in html, "its key was valid when it signed"
    for event in ("Draft created", "Issued (signed certificate sent)", "Received by the provider"):
        assert event in html
    assert "Production deadline" in html and "9 days left" in html
    (viewed,) = log_entries("order.viewed")
    assert viewed["object"] == {"type": "order", "id": order["id"]}
    assert viewed["actor"]["kind"] == "issuing_authority" and viewed["actor"]["role"] == "caseworker"


def test_every_message_is_shown_with_who_sent_it_to_whom_and_what_it_says(signed_in, caseload):
    order = caseload.received("PARQUET-11")
    caseload.exchange.respond(order)
    html = text(signed_in("prosecutor").get(f"/orders/{order['id']}"))
    assert "From Parquet de Paris to Example Mail" in html
    assert "The signed certificate: its content is shown above." in html
    assert "From Example Mail to Parquet de Paris" in html
    assert re.search(r'>Outcome</dt><dd class="summary-list__value">produced</dd>', html)
    assert re.search(r'>Data preserved</dt><dd class="summary-list__value">Yes</dd>', html)


@pytest.mark.parametrize("reader", ["provider", "oversight"])
def test_the_provider_and_oversight_read_it_too(signed_in, caseload, log_entries, reader):
    order = caseload.emergency("PARQUET-8")
    page = signed_in(reader).get(f"/orders/{order['id']}")
    assert page.status_code == 200
    assert '<strong class="tag tag--red">Emergency</strong>' in text(page)
    assert [entry["actor"]["organisation"] for entry in log_entries("order.viewed")] == [
        caseload.exchange.network[reader].organisation_id
    ]


@pytest.mark.parametrize("stranger", ["other_authority", "other_provider", "enforcing"])
def test_another_organisation_order_is_not_found_and_its_view_is_not_recorded(
    signed_in, caseload, log_entries, stranger
):
    order = caseload.received("PARQUET-9")
    page = signed_in(stranger).get(f"/orders/{order['id']}")
    assert page.status_code == 404
    assert "Page not found" in text(page) and "PARQUET-9" not in text(page)
    assert log_entries("order.viewed") == []


def test_a_draft_is_its_author_alone(signed_in, caseload, browser, people):
    draft = caseload.draft("PARQUET-DRAFT")
    page = signed_in("prosecutor").get(f"/orders/{draft['id']}")
    assert page.status_code == 200 and "Nothing has been signed yet: the order is a draft." in text(page)
    provider = people.sign_in(browser.application.test_client(), people.add("provider"))
    assert provider.get(f"/orders/{draft['id']}").status_code == 404


def test_an_order_that_does_not_exist_is_told_as_another_organisation_order_is(signed_in, caseload):
    theirs = caseload.issued("LYON-1", author="other_authority")
    browser = signed_in("prosecutor")
    asked = uuid.uuid4()
    missing, hidden = browser.get(f"/orders/{asked}"), browser.get(f"/orders/{theirs['id']}")
    assert missing.status_code == hidden.status_code == 404
    assert text(missing).replace(str(asked), "ID") == text(hidden).replace(theirs["id"], "ID"), (
        "nothing but the address tells an existing order from none"
    )


def test_the_order_page_is_for_signed_in_people_only_and_comes_back_after_signing_in(browser, caseload):
    order = caseload.received("PARQUET-10")
    answer = browser.get(f"/orders/{order['id']}")
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/login?next=%2Forders%2F{order['id']}"


def test_the_certificate_and_each_message_download_as_sealed_pdfs(signed_in, caseload, log_entries):
    """The API's PDFs (docs/certificates.md), through the same access rule, each a read of the order."""
    order = caseload.received("PARQUET-13")
    caseload.exchange.respond(order)
    reader = signed_in("provider")
    html = text(reader.get(f"/orders/{order['id']}"))
    links = re.findall(rf'href="(/orders/{order["id"]}/messages/[0-9a-f-]+/pdf)"', html)
    assert len(links) == 2, "one per signed message: the certificate and the answer"
    for link in [f"/orders/{order['id']}/pdf?language=fr", *links]:
        pdf = reader.get(link)
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        assert pdf.data.startswith(b"%PDF-")
    assert len(log_entries("order.viewed")) == 4, "the page, then each PDF, is a read of the order"
    unknown = f"/orders/{order['id']}/messages/{uuid.uuid4()}/pdf"
    assert reader.get(unknown).status_code == 404, "a message the order does not have"


@pytest.mark.parametrize("stranger", ["other_provider", "enforcing"])
def test_another_organisations_pdf_is_not_found(signed_in, caseload, stranger):
    order = caseload.received("PARQUET-14")
    assert signed_in(stranger).get(f"/orders/{order['id']}/pdf").status_code == 404

"""The RI forms through the API: any order out as Form 1 / Form 2, a form in as a draft."""

import re
from typing import Any

import pytest


@pytest.mark.parametrize("order_type", ["epoc", "epoc-pr"])
def test_an_order_exported_as_its_form_drafts_back_to_the_same_certificate(
    client, network, exchange, order_type: str
) -> None:
    prosecutor = network["prosecutor"].headers
    order = exchange.issue(exchange.draft(order_type=order_type))
    form = client.get(f"/api/v1/orders/{order['id']}/form", headers=prosecutor)
    assert (form.status_code, form.mimetype) == (200, "application/xml")
    assert (b"Epoc_Form1" if order_type == "epoc" else b"EpocPr_Form2") in form.get_data()[:300]
    drafted = client.post(
        "/api/v1/orders/form", data=form.get_data(), content_type="application/xml", headers=prosecutor
    )
    assert drafted.status_code == 201, drafted.get_json()
    created: dict[str, Any] = drafted.get_json()
    assert (created["state"], created["order_type"]) == ("draft", order_type)
    assert created["certificate"] == order["certificate"]


def test_a_form_naming_no_known_addressee_is_refused_naming_the_section(client, network, exchange) -> None:
    prosecutor = network["prosecutor"].headers
    order = exchange.issue(exchange.draft())
    form = client.get(f"/api/v1/orders/{order['id']}/form", headers=prosecutor).get_data()
    # A national system's form has no broker patch; the Irish addressee has no technical identifier in
    # Form 1 (IE is not among the schema's countries), so nothing names it.
    form = re.sub(
        rb"<f1:AdditionalInformation>eevidence-broker certificate patch[^<]*<",
        b"<f1:AdditionalInformation><",
        form,
    )
    assert b"<epoc:Authority>" in form and b"eevidence-broker certificate patch" not in form
    refused = client.post(
        "/api/v1/orders/form", data=form, content_type="application/xml", headers=prosecutor
    )
    assert refused.status_code == 422, refused.get_json()
    assert "SectionB" in refused.get_json()["errors"]["form"][0]


def test_a_provider_sees_the_form_of_an_order_addressed_to_it_and_strangers_do_not(
    client, network, exchange
) -> None:
    order = exchange.receive(exchange.issue(exchange.draft()))
    assert (
        client.get(f"/api/v1/orders/{order['id']}/form", headers=network["provider"].headers).status_code
        == 200
    )
    assert (
        client.get(
            f"/api/v1/orders/{order['id']}/form", headers=network["other_provider"].headers
        ).status_code
        == 404
    )


def test_a_council_of_europe_order_has_no_ri_form_and_says_so(client, network, exchange) -> None:
    order = exchange.draft(instrument="cets-185-art29")
    refused = client.get(f"/api/v1/orders/{order['id']}/form", headers=network["prosecutor"].headers)
    assert refused.status_code == 422, refused.get_json()
    assert "Regulation (EU) 2023/1543" in refused.get_json()["errors"]["certificate"][0]

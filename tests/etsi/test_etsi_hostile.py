"""Hostile and malformed XML at the doors: a clear refusal naming the element, and nothing changed."""

import pytest

from broker.etsi import hi1
from broker.etsi import xmlsafe
from broker.etsi.errors import XmlRefused

BILLION_LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><HI1Message xmlns="http://uri.etsi.org/03120/common/2019/10/Core">&lol3;</HI1Message>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><HI1Message xmlns="http://uri.etsi.org/03120/common/2019/10/Core">&xxe;</HI1Message>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd"><HI1Message xmlns="http://uri.etsi.org/03120/common/2019/10/Core"/>"""
DEEP = b"<HI1Message>" + b"<a>" * 200 + b"</a>" * 200 + b"</HI1Message>"
HOSTILE = {
    "billion laughs": BILLION_LAUGHS,
    "external entity": EXTERNAL_ENTITY,
    "external DTD": EXTERNAL_DTD,
    "deep": DEEP,
    "malformed": b"<HI1Message><Header>",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_parser_refuses_it_without_expanding_or_fetching(name: str) -> None:
    with pytest.raises(XmlRefused) as refusal:
        xmlsafe.parse(HOSTILE[name])
    assert "passwd" not in str(refusal.value) and "root:" not in str(refusal.value)


def test_an_oversized_document_is_refused_before_parsing() -> None:
    with pytest.raises(XmlRefused, match="at most 1048576"):
        xmlsafe.parse(b"<a>" + b" " * 1_048_576 + b"</a>")


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_hi1_door_answers_hostile_xml_in_hi1_and_changes_nothing(
    client, network, rows, name: str
) -> None:
    before = (rows("messages"), rows("orders"), rows("outbox_messages"))
    response = client.post(
        "/api/v1/etsi/hi1",
        data=HOSTILE[name],
        content_type="application/xml",
        headers=network["provider"].headers,
    )
    assert response.status_code == 200
    root = hi1.read(response.get_data()).root
    code = hi1.value(root, "Payload/ResponsePayload/ErrorInformation/ErrorCode")
    assert code == "4001", response.get_data(as_text=True)
    assert (rows("messages"), rows("orders"), rows("outbox_messages")) == before


def test_an_oversized_body_is_refused_unread_and_wrong_media_types_too(client, network) -> None:
    big = client.post(
        "/api/v1/etsi/hi1",
        data=b"<a/>" + b" " * 1_048_577,
        content_type="application/xml",
        headers=network["provider"].headers,
    )
    assert big.status_code == 413
    assert big.get_json()["type"].endswith("payload-too-large")
    json_body = client.post("/api/v1/etsi/hi1", json={"a": 1}, headers=network["provider"].headers)
    assert json_body.status_code == 415


def test_without_a_token_the_door_is_closed(client) -> None:
    assert client.post("/api/v1/etsi/hi1", data=b"<a/>", content_type="application/xml").status_code == 401


def test_a_hostile_form_is_refused_and_no_draft_is_made(client, network, rows) -> None:
    before = rows("orders")
    response = client.post(
        "/api/v1/orders/form",
        data=BILLION_LAUGHS.replace(b"HI1Message", b"Epoc_Form1"),
        content_type="application/xml",
        headers=network["prosecutor"].headers,
    )
    assert response.status_code == 422
    assert "DOCTYPE" in response.get_json()["detail"]
    assert rows("orders") == before

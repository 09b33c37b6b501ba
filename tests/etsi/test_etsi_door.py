"""The HI-1 door end to end on the test database: an EPOC reaches a provider as HI-1, its answers come back."""

from typing import Any

import pytest
from lxml import etree

from broker.etsi import hi1
from broker.etsi import ids
from broker.etsi import names
from broker.etsi import provider
from broker.etsi.documents import document_jws
from broker.etsi.hi1 import Endpoint

BROKER = Endpoint("EU", "broker.example.eu/eevidence")


def _broker(app: Any) -> Endpoint:
    return Endpoint("EU", app.config["LOG_ORIGIN"])


def _provider(network: Any) -> Endpoint:
    return Endpoint("US", network["provider"].organisation_id)


def _post(client: Any, party: Any, data: bytes) -> etree._Element:
    response = client.post(
        "/api/v1/etsi/hi1", data=data, content_type="application/xml", headers=party.headers
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/xml"
    return hi1.read(response.get_data()).root


def _answers(root: etree._Element) -> list[etree._Element]:
    return list(root.iterfind(hi1.path_of("Payload/ResponsePayload/ActionResponses/ActionResponse")))


def _issued(exchange: Any, order_type: str = "epoc") -> dict[str, Any]:
    order = exchange.issue(exchange.draft(order_type=order_type))
    return exchange.receive(order)


def test_a_provider_gets_its_epoc_as_authorisation_task_and_signed_document(app, client, network, exchange):
    order = _issued(exchange)
    asks = [
        ("GET", order["id"]),
        ("GET", ids.object_id(order["id"], "task")),
        ("GET", ids.object_id(order["id"], "document")),
        ("LIST", None),
        ("GETCSPCONFIG", None),
    ]
    root = _post(
        client,
        network["provider"],
        provider.queries(_provider(network), _broker(app), asks, exchange.network.clock()),
    )
    replies = _answers(root)
    assert len(replies) == 5
    types = [hi1.bind(r.find(hi1.path_of("GETResponse/HI1Object"))).object_type for r in replies[:3]]
    assert types == [names.AUTHORISATION, names.LDTASK, names.DOCUMENT]
    document = replies[2].find(hi1.path_of("GETResponse/HI1Object"))
    signed = next(m["jws"] for m in order["messages"] if m["type"] == "epoc")
    assert document_jws(hi1.bind(document)) == signed  # the authority's own signature, byte for byte
    assert replies[3].find(hi1.path_of("LISTResponse/ListResponseRecord")) is not None
    assert replies[4].find(hi1.path_of("GETCSPCONFIGResponse/TargetingConfigurations")) is not None


def test_a_signed_hi1_answer_moves_the_order_and_an_unsigned_one_is_refused(app, client, network, exchange):
    order = _issued(exchange)
    party = network["provider"]
    epoc_message = next(m for m in order["messages"] if m["type"] == "epoc")
    jws = party.sign(
        "acknowledgement",
        {"addressee_file_number": "EM-1"},
        order["issuing_authority"]["id"],
        in_reply_to=epoc_message["id"],
    )
    root = _post(
        client, party, provider.answer(_provider(network), _broker(app), order, jws, exchange.network.clock())
    )
    assert all(r.find(hi1.path_of("ErrorInformation")) is None for r in _answers(root))
    shown = client.get(f"/api/v1/orders/{order['id']}", headers=party.headers).get_json()
    assert shown["state"] == "acknowledged"
    assert shown["messages"][-1]["jws"] == jws  # stored byte for byte, as through the JSON API

    # The same task update without its signed Document: refused by name, nothing changes.
    response_jws = party.sign(
        "response",
        {"outcome": "produced", "data_preserved": True},
        order["issuing_authority"]["id"],
        in_reply_to=epoc_message["id"],
    )
    message = hi1.read(
        provider.answer(_provider(network), _broker(app), order, response_jws, exchange.network.clock())
    )
    actions = message.root.find(hi1.path_of("Payload/RequestPayload/ActionRequests"))
    actions.remove(actions[0])  # drop the CREATE DocumentObject carrying the JWS
    root = _post(client, party, etree.tostring(message.root))
    error = _answers(root)[0].find(hi1.path_of("ErrorInformation/ErrorDescription"))
    assert error is not None and "signed" in error.text and "UPDATE" in error.text
    assert (
        client.get(f"/api/v1/orders/{order['id']}", headers=party.headers).get_json()["state"]
        == "acknowledged"
    )


@pytest.mark.parametrize("count", ["2", " +2 ", "1" + "0" * 5000])
def test_a_list_returns_at_most_the_count_asked_even_one_too_long_for_a_python_int(
    app, client, network, exchange, count
):
    for _ in range(3):
        _issued(exchange)
    message = provider.queries(_provider(network), _broker(app), [("LIST", None)], exchange.network.clock())
    message = message.replace(
        b"<LIST/>", f"<LIST><MaximumObjectCount>{count}</MaximumObjectCount></LIST>".encode()
    )
    (reply,) = _answers(_post(client, network["provider"], message))
    records = reply.findall(hi1.path_of("LISTResponse/ListResponseRecord"))
    kinds = [hi1.value(record, "ObjectType/common:Value") for record in records]
    assert kinds.count("AuthorisationObject") == (2 if len(count) < 5 else 3)

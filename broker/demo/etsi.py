"""The HI-1 step of the demo: an EPOC-PR travels to the provider as HI-1 and its answers come back as HI-1.

The provider's system speaks ETSI TS 103 120 only: it lists its tasks and GETs the Authorisation,
the LPTask and the Document that carries the prosecutor's signed certificate, verifies that
signature itself, then answers with HI-1 task updates that carry its own signed acknowledgement and
response (broker.etsi.provider). The broker applies them through the same operation as the JSON API.
"""

from typing import Any

from lxml import etree

from broker.demo.network import Party
from broker.demo.scenario import Demo
from broker.demo.scenario import DemoFailed
from broker.demo.scenario import subscriber_epoc
from broker.etsi import hi1
from broker.etsi import ids
from broker.etsi import names
from broker.etsi import provider as hi1_provider
from broker.etsi.documents import document_jws
from broker.etsi.hi1 import Endpoint


def hi1_round(demo: Demo) -> dict[str, Any]:
    """Issue an EPOC-PR, let the provider read and answer it in HI-1 only; returns the order."""
    prosecutor, provider = demo.parties["prosecutor"], demo.parties["provider"]
    addressees = demo.call(prosecutor, "GET", "/api/v1/addressees?country=IE", 200)["items"]
    addressee = next(a for a in addressees if a["provider_id"] == provider.organisation_id)
    certificate = subscriber_epoc(None)
    for member in ("user_information", "similar_domestic_order_possible"):
        del certificate[member]
    certificate.update(addressee=addressee["id"], data_categories=["subscriber"], subsequent_request="epo")
    order = demo.call(
        prosecutor, "POST", "/api/v1/orders", 201, json={"order_type": "epoc-pr", "certificate": certificate}
    )
    jws = demo.signed(prosecutor, "epoc-pr", order["certificate"], order["provider"]["id"])
    order = demo.call(
        prosecutor,
        "POST",
        f"/api/v1/orders/{order['id']}/issue",
        200,
        data=jws,
        content_type="application/jose",
    )
    demo.call(provider, "POST", f"/api/v1/orders/{order['id']}/receive", 200)
    me = demo.call(provider, "GET", f"/api/v1/organisations/{provider.organisation_id}", 200)
    sender = Endpoint(me["country"], provider.organisation_id)
    broker = Endpoint("EU", demo.client.application.config["LOG_ORIGIN"])

    asks = [
        ("LIST", None),
        ("GET", order["id"]),
        ("GET", ids.object_id(order["id"], "task")),
        ("GET", ids.object_id(order["id"], "document")),
    ]
    replies = _post(demo, provider, hi1_provider.queries(sender, broker, asks, demo.clock()))
    objects = [
        hi1.bind(found)
        for r in replies
        if (found := r.find(hi1.path_of("GETResponse/HI1Object"))) is not None
    ]
    signed = next((document_jws(o) for o in objects if o.object_type == names.DOCUMENT), None)
    if signed != jws or [o.object_type for o in objects] != [
        names.AUTHORISATION,
        names.LPTASK,
        names.DOCUMENT,
    ]:
        raise DemoFailed(
            "the EPOC-PR did not reach the provider as Authorisation, LPTask and signed Document"
        )
    demo.verify_independently(provider, signed, prosecutor.organisation_id)
    demo.step(
        f"{provider.name}'s HI-1 system lists its tasks and GETs EPOC-PR {order['file_number']} as "
        f"{', '.join(o.object_type for o in objects)}; the Document carries {prosecutor.name}'s own JWS, "
        "which it verifies with the published key"
    )
    in_reply_to = order["messages"][0]["id"]
    recipient = order["issuing_authority"]["id"]
    for kind, body in (
        ("acknowledgement", {"addressee_file_number": "EM-HI1-0007"}),
        ("response", {"outcome": "preserved", "data_preserved": True}),
    ):
        answer = demo.signed(provider, kind, body, recipient, in_reply_to)
        replies = _post(demo, provider, hi1_provider.answer(sender, broker, order, answer, demo.clock()))
        refused = [
            r.findtext(hi1.path_of("ErrorInformation/ErrorDescription"))
            for r in replies
            if r.find(hi1.path_of("ErrorInformation")) is not None
        ]
        if refused:
            raise DemoFailed(f"the HI-1 {kind} was refused: {refused[0]}")
        shown: dict[str, Any] = demo.call(prosecutor, "GET", f"/api/v1/orders/{order['id']}", 200)
        demo.step(
            f"{provider.name} answers in HI-1: UPDATE LPTask Status "
            f"{names.ACKNOWLEDGED['epoc-pr'] if kind == 'acknowledgement' else names.ANSWERED['epoc-pr']} with its signed "
            f"{kind} as a Document; the broker applies it as the order's {kind}: state {shown['state']}"
        )
    return shown


def _post(demo: Demo, party: Party, message: bytes) -> list[etree._Element]:
    response = demo.client.post(
        "/api/v1/etsi/hi1", data=message, content_type="application/xml", headers=party.headers()
    )
    if response.status_code != 200:
        raise DemoFailed(f"POST /api/v1/etsi/hi1: {response.status_code} {response.get_data(as_text=True)}")
    root = hi1.read(response.get_data()).root
    return list(root.iterfind(hi1.path_of("Payload/ResponsePayload/ActionResponses/ActionResponse")))

"""The scenario: every step through the real HTTP API with the party's own token and key.

Flask's test client carries the requests (no socket), and every signature is made and checked with
the party's own key, exactly as the parties' systems would do it.
"""

import base64
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask.testing import FlaskClient

from broker import crypto
from broker.audit import verify
from broker.clock import Clock
from broker.demo.network import Party
from broker.wire import envelope


class DemoFailed(Exception):
    """A step of the demo did not give the answer the exchange needs."""


def subscriber_epoc(validating_authority: str | None) -> dict[str, Any]:
    """The draft of an EPOC for subscriber data in a fraud investigation (Annex I)."""
    return {
        "instrument": "reg-2023-1543",
        "issuing_authority": {"file_number": "PARQUET-2026-04417", "contact": {"name": "Camille Martin"}},
        "validating_authority": ({"organisation": validating_authority} if validating_authority else None),
        "addressee": None,  # filled with the Irish designated establishment found in the registry
        "data_categories": ["subscriber"],
        "targets": [{"type": "email_address", "value": "j.doe.1987@examplemail.example"}],
        "time_range": {"start": "2026-09-01T00:00:00+02:00", "end": "2026-11-01T00:00:00+01:00"},
        "offence": {
            "description": "Online investment fraud: victims paid into accounts advertised by e-mail.",
            "legal_provisions": ["Code pénal, art. 313-1", "Code pénal, art. 313-2"],
            "maximum_penalty_months": 84,
        },
        "purpose": "criminal_proceedings",
        "emergency": False,
        "necessity_and_proportionality": (
            "The account is the only known contact point of the suspect; subscriber data are needed to "
            "identify them and no less intrusive measure is available."
        ),
        "similar_domestic_order_possible": True,
        "case_summary": "Thirty-two victims in France reported transfers totalling EUR 410 000.",
        "user_information": {
            "decision": "delay",
            "justification": "Informing the suspect now would jeopardise the investigation (Art. 13(2)).",
        },
        "language": "en",
    }


class Demo:
    """The narrated scenario; `say` prints each step, `client` is the API as the parties use it."""

    def __init__(
        self,
        client: FlaskClient,
        parties: dict[str, Party],
        clock: Clock,
        say: Callable[[str], None],
        deliver: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ):
        self.client = client
        self.parties = parties
        self.clock = clock
        self.say = say
        self.steps = 0
        # Evidence delivery needs a real socket (streamed chunks); the caller runs it against a server.
        self.deliver = deliver

    def step(self, text: str) -> None:
        """Print the next numbered step."""
        self.steps += 1
        self.say(f"{self.steps}. {text}")

    def call(self, party: Party, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        headers = {**party.headers(), **kwargs.pop("headers", {})}
        response = self.client.open(path, method=method, headers=headers, **kwargs)
        if response.status_code != expect:
            raise DemoFailed(
                f"{method} {path} as {party.name}: {response.status_code} {response.get_data(as_text=True)}"
            )
        return response.get_json()

    def signed(
        self,
        party: Party,
        message_type: str,
        body: dict[str, Any],
        recipient: str,
        in_reply_to: str | None = None,
    ) -> str:
        sealed = envelope.new_envelope(
            message_type=message_type,
            body=body,
            sender=party.organisation_id,
            kid=party.kid,
            recipient=recipient,
            issued_at=self.clock(),
            in_reply_to=in_reply_to,
        )
        return envelope.seal(sealed, party.private_key, party.kid)

    def verify_independently(self, reader: Party, jws: str, sender_id: str) -> dict[str, Any]:
        """Check a message with the sender's published key, as a party would without trusting the broker."""
        keys = self.call(reader, "GET", f"/api/v1/organisations/{sender_id}/keys", 200)["keys"]
        kid = crypto.jws_header(jws)["kid"]
        jwk = next(key["jwk"] for key in keys if key["kid"] == kid and key["revoked_at"] is None)
        if crypto.jwk_thumbprint(jwk) != kid:
            raise DemoFailed("the published key does not match its thumbprint")
        return envelope.open_sealed(jws, jwk)

    def run(self) -> dict[str, Any]:
        """The whole exchange; returns a summary. Raises DemoFailed at the first unexpected answer."""
        prosecutor, provider = self.parties["prosecutor"], self.parties["provider"]
        addressee = self.find_addressee(prosecutor, provider)
        self.show_a_blocked_order(prosecutor, addressee)
        order = self.draft(prosecutor, addressee)
        self.refuse_a_forgery(prosecutor, provider, order)
        order = self.issue(prosecutor, provider, order)
        order = self.receive(prosecutor, provider, order)
        order = self.answer(prosecutor, provider, order)
        delivered = self.deliver_evidence(order) if self.deliver else None
        order = self.call(prosecutor, "GET", f"/api/v1/orders/{order['id']}", 200)
        summary = self.audit(order)
        if delivered is not None:
            summary["evidence"] = delivered
        return summary

    def deliver_evidence(self, order: dict[str, Any]) -> dict[str, Any]:
        assert self.deliver is not None
        self.step("The data themselves travel end-to-end encrypted, over HTTP to a live broker:")
        delivered = self.deliver(order)
        custody = [
            event["action"]
            for event in self.call(
                self.parties["prosecutor"], "GET", f"/api/v1/orders/{order['id']}/timeline", 200
            )["events"]
            if event["action"].startswith("evidence.")
        ]
        self.say(f"   custody entries on the order's log: {', '.join(sorted(set(custody)))}")
        return delivered

    def find_addressee(self, prosecutor: Party, provider: Party) -> dict[str, Any]:
        addressees = self.call(prosecutor, "GET", "/api/v1/addressees?country=IE", 200)["items"]
        addressee: dict[str, Any] = next(
            a for a in addressees if a["provider_id"] == provider.organisation_id
        )
        self.step(
            f"{prosecutor.user} ({prosecutor.name}) looks up Example Mail in Ireland: "
            f"{addressee['name']}, {addressee['addressee_type'].replace('_', ' ')}, "
            f"languages {', '.join(addressee['languages'])}"
        )
        return addressee

    def show_a_blocked_order(self, prosecutor: Party, addressee: dict[str, Any]) -> None:
        """A caseworker checks a flawed order before drafting it and learns which article blocks it."""
        flawed = subscriber_epoc(None)
        flawed.update(
            addressee=addressee["id"],
            data_categories=["content"],
            offence_committed_in_issuing_state=True,
            person_resides_in_issuing_state=False,
        )
        report = self.call(
            prosecutor,
            "POST",
            "/api/v1/orders/check",
            200,
            json={"order_type": "epoc", "certificate": flawed},
        )
        if not report["blocking"]:
            raise DemoFailed("a prosecutor's content EPOC without validation was not blocked")
        self.step(
            f"{prosecutor.user} first checks an EPOC for the mailbox's content, without a judge's validation:"
        )
        for finding in report["findings"]:
            self.say(
                f"   {finding['severity']} {finding['rule_id']} ({finding['citation']}): {finding['message']}"
            )

    def draft(self, prosecutor: Party, addressee: dict[str, Any]) -> dict[str, Any]:
        certificate = subscriber_epoc(None)
        certificate["addressee"] = addressee["id"]
        order = self.call(
            prosecutor,
            "POST",
            "/api/v1/orders",
            201,
            json={"order_type": "epoc", "certificate": certificate},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        errors = [f for f in order["checks"]["findings"] if f["severity"] == "error"]
        self.step(
            f"{prosecutor.user} drafts an EPOC for subscriber data instead (file {order['file_number']}): "
            f"{len(errors)} blocking findings, state {order['state']}"
        )
        return dict(order)

    def refuse_a_forgery(self, prosecutor: Party, provider: Party, order: dict[str, Any]) -> None:
        """The attack the broker exists to stop: the right token, a key that is not the office's."""
        forged = envelope.seal(
            envelope.new_envelope(
                message_type="epoc",
                body=order["certificate"],
                sender=prosecutor.organisation_id,
                kid=prosecutor.kid,
                recipient=provider.organisation_id,
                issued_at=self.clock(),
            ),
            crypto.generate_private_key("EdDSA"),
            prosecutor.kid,
        )
        refused = self.client.post(
            f"/api/v1/orders/{order['id']}/issue",
            data=forged,
            content_type="application/jose",
            headers=prosecutor.headers(),
        )
        still = self.call(prosecutor, "GET", f"/api/v1/orders/{order['id']}", 200)
        if refused.status_code != 422 or still["state"] != "draft":
            raise DemoFailed(f"a forged certificate was not refused: {refused.status_code}")
        self.step(
            f"Someone with the caseworker's token but not the office's key tries to issue it: "
            f"refused, {refused.status_code} {refused.get_json()['type']}; the order is still {still['state']}"
        )

    def issue(self, prosecutor: Party, provider: Party, order: dict[str, Any]) -> dict[str, Any]:
        jws = self.signed(prosecutor, order["order_type"], order["certificate"], provider.organisation_id)
        order = self.call(
            prosecutor,
            "POST",
            f"/api/v1/orders/{order['id']}/issue",
            200,
            data=jws,
            content_type="application/jose",
        )
        self.step(
            f"{prosecutor.name} signs the certificate with its key {prosecutor.kid[:12]}… and issues it: "
            f"state {order['state']}"
        )
        return order

    def receive(self, prosecutor: Party, provider: Party, order: dict[str, Any]) -> dict[str, Any]:
        inbox = self.call(provider, "GET", "/api/v1/inbox", 200)
        self.step(f"{provider.user} ({provider.name}) opens the inbox: {len(inbox['items'])} order waiting")
        order = self.call(provider, "POST", f"/api/v1/orders/{order['id']}/receive", 200)
        certificate_message = next(m for m in order["messages"] if m["type"] == "epoc")
        signed = self.verify_independently(provider, certificate_message["jws"], prosecutor.organisation_id)
        self.step(
            f"{provider.name} receives it ({order['received_at']}) and verifies the prosecutor's signature "
            f"itself: data categories {', '.join(signed['body']['data_categories'])}, legal checks "
            f"{'blocking' if order['checks']['blocking'] else 'clean'}, state {order['state']}"
        )
        return order

    def answer(self, prosecutor: Party, provider: Party, order: dict[str, Any]) -> dict[str, Any]:
        certificate_message = next(m for m in order["messages"] if m["type"] == "epoc")
        body = {"outcome": "produced", "data_preserved": True, "addressee_file_number": "EM-LE-2026-118"}
        jws = self.signed(provider, "response", body, prosecutor.organisation_id, certificate_message["id"])
        order = self.call(
            provider,
            "POST",
            f"/api/v1/orders/{order['id']}/responses",
            201,
            data=jws,
            content_type="application/jose",
        )
        self.step(
            f"{provider.name} answers with a signed response (outcome produced): state {order['state']}"
        )
        order = self.call(prosecutor, "GET", f"/api/v1/orders/{order['id']}", 200)
        response_message = next(m for m in order["messages"] if m["type"] == "response")
        reply = self.verify_independently(prosecutor, response_message["jws"], provider.organisation_id)
        self.step(
            f"{prosecutor.name} receives the answer and verifies Example Mail's signature: "
            f"outcome {reply['body']['outcome']}, provider file {reply['body']['addressee_file_number']}"
        )
        return order

    def audit(self, order: dict[str, Any]) -> dict[str, Any]:
        """The oversight body checks the record with nothing but the broker's published key."""
        oversight = self.parties["oversight"]
        vkey = self.call(oversight, "GET", "/api/v1/audit/key", 200)["vkey"]
        self.call(oversight, "POST", "/api/v1/audit/checkpoints", 201)
        case_file = self.call(oversight, "GET", f"/api/v1/audit/orders/{order['id']}/case-file", 200)
        source = verify.ApiSource("http://demo.invalid", oversight.token, TestClientSession(self.client))
        try:
            whole = verify.verify_log(source, vkey)
            history = verify.verify_case_file(case_file, vkey)
        except verify.AuditVerificationError as error:
            raise DemoFailed(f"the log does not verify: {error}") from error
        self.step(
            f"{oversight.name} verifies the broker's log with only its verifier key: {whole.checked} "
            f"under checkpoint {whole.checkpoint.size}, and {history.checked}"
        )
        return {
            "order": order["id"],
            "state": order["state"],
            "messages": [
                {"type": m["type"], "sender": m["sender"], "sha256": m["sha256"]} for m in order["messages"]
            ],
            "log_size": whole.checkpoint.size,
            "log_root": base64.b64encode(whole.checkpoint.root).decode(),
            "verifier_key": vkey,
        }


class TestClientSession:
    """Just enough of requests.Session over Flask's test client for verify.ApiSource to use it."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.headers: dict[str, str] = {}

    def get(self, url: str, params: dict[str, int], timeout: float) -> "_Answer":
        return _Answer(self.client.get(urlsplit(url).path, query_string=params, headers=self.headers))

    def post(self, url: str, params: dict[str, int], timeout: float) -> "_Answer":
        return _Answer(self.client.post(urlsplit(url).path, query_string=params, headers=self.headers))


class _Answer:
    """A test-client response with requests' spelling: json() is a method there."""

    def __init__(self, response: Any) -> None:
        self.status_code = response.status_code
        self.text = response.get_data(as_text=True)
        self._json = response.get_json(silent=True)

    def json(self) -> Any:
        return self._json

"""Every lifecycle message a person sends from the order page: questions, the body they make, the step it takes.

Each message is prepared through the pages, signed in Python with the party's registered key over
exactly the signing input the page renders (as the browser or an HSM would), and sent; the test then
reads the signed body (it must be exactly the wire body the answers make) and the order's state.
Orders reach the state each message needs through the API, as the parties' own systems would.
"""

import base64
import json
import uuid
from typing import Any

import pytest
from test_portal_actions import prepare
from test_portal_actions import sign
from test_portal_actions import text

from broker.orders.models import Order
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role

NOTIFIED = {  # traffic data, the person living elsewhere: Ireland's enforcing authority is notified (Art. 8)
    "data_categories": ["traffic"],
    "offence_committed_in_issuing_state": True,
    "person_resides_in_issuing_state": False,
}
NOT_EXECUTED = {"outcome": "not_executed", "reason": "data_not_stored", "explanation": "Deleted in 2025."}
OBJECTION = {
    "third_country": "US",
    "law": "Stored Communications Act",
    "provision": "18 U.S.C. 2702",
    "applicability": "The provider is established in the United States.",
    "nature_of_conflict": "Disclosure of content to a foreign government is prohibited.",
}
# What the provider sends through the API before the message under test: (type, body) in order.
BEFORE: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "received": [],
    "clarification_requested": [
        ("clarification-request", {"reason": "incomplete_or_manifest_error", "explanation": "Which one?"})
    ],
    "under_review": [("immunity-concern", {"explanation": "The account is a journalist's."})],
    "suspended": [("third-country-objection", OBJECTION)],
    "produced": [("response", {"outcome": "produced", "data_preserved": True})],
    "not_executed": [("response", {**NOT_EXECUTED, "data_preserved": False})],
}


class Orders:
    """Orders brought to the state a message needs, through the API as the parties' systems do."""

    def __init__(self, caseload: Any, database: Any) -> None:
        self.caseload, self.exchange, self.database = caseload, caseload.exchange, database

    def message(self, handle: str, order: dict[str, Any], message_type: str, body: dict[str, Any]) -> None:
        party = self.exchange.network[handle]
        issuer = order["issuing_authority"]["id"]
        if message_type == "enforcement-request":
            to = self.exchange.network["enforcing"].organisation_id
        else:
            to = order["provider"]["id"] if party.organisation_id == issuer else issuer
        certificate = next(m for m in order["messages"] if m["type"] == order["order_type"])
        answer = self.exchange.client.post(
            f"/api/v1/orders/{order['id']}/messages",
            data=party.sign(message_type, body, to, in_reply_to=certificate["id"]),
            content_type="application/jose",
            headers=party.headers,
        )
        assert answer.status_code == 201, answer.get_json()

    def make(self, setup: str, file_number: str) -> dict[str, Any]:
        if setup == "preservation":
            return self.caseload.received(file_number, order_type="epoc-pr")
        if setup == "notified":
            return self.caseload.issued(file_number, author="judge", **NOTIFIED)
        if setup == "unvalidated":
            return self.caseload.issued(
                file_number, author="police", emergency=True, emergency_justification="A threat to life."
            )
        order = self.caseload.received(file_number)
        if setup == "enforcement_requested":
            self.message("provider", order, "response", {**NOT_EXECUTED, "data_preserved": False})
            self.message(
                "prosecutor", order, "enforcement-request", {"language": "en", "explanation": "None."}
            )
            return order
        for message_type, body in BEFORE[setup]:
            self.message("provider", order, message_type, body)
        return order

    def state(self, order: dict[str, Any]) -> str:
        with self.database.transaction() as session:
            return session.get_one(Order, uuid.UUID(order["id"])).state.value


@pytest.fixture
def orders(caseload, database) -> Orders:
    return Orders(caseload, database)


@pytest.fixture
def police(network) -> None:
    """A police authority, whose emergency orders need ex-post validation (Art. 4(5))."""
    network.add(
        "police",
        "Police judiciaire",
        OrganisationKind.ISSUING_AUTHORITY,
        "FR",
        Role.CASEWORKER,
        AuthorityType.OTHER_COMPETENT_AUTHORITY,
    )


def send(browser, order, party, slug, fields, form_token) -> dict[str, Any]:
    """Prepare, sign with the party's registered key and send; the envelope that was signed."""
    hidden, signing_input, _ = prepare(browser, order["id"], slug, {"kid": party.kid, **fields}, form_token)
    sent = browser.post(
        f"/orders/{order['id']}/{slug}",
        data={**hidden, "jws": sign(signing_input, party.private_key, party.kid)},
    )
    assert sent.status_code == 303, text(sent)
    assert sent.headers["Location"] == f"/orders/{order['id']}?done={slug}"
    payload = signing_input.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


CASES = [
    pytest.param(
        "received",
        "provider",
        "preserve",
        {"preserved_at": "2026-11-24T10:00:00+01:00", "addressee_file_number": ""},
        {"preserved_at": "2026-11-24T09:00:00Z"},
        "preserved",
        id="preservation notice",
    ),
    pytest.param(
        "received",
        "provider",
        "respond",
        {"outcome": "produced", "data_preserved": "yes", "reason": "other", "explanation": ""},
        {"outcome": "produced", "data_preserved": True},
        "produced",
        id="response: produced (a reason for a shortfall is left out)",
    ),
    pytest.param(
        "received",
        "provider",
        "respond",
        {
            "outcome": "not_executed",
            "reason": "de_facto_impossibility",
            "explanation": "The server was destroyed in a fire.",
            "data_preserved": "no",
            "addressee_file_number": "LR-9",
        },
        {
            "outcome": "not_executed",
            "reason": "de_facto_impossibility",
            "explanation": "The server was destroyed in a fire.",
            "data_preserved": False,
            "addressee_file_number": "LR-9",
        },
        "not_executed",
        id="response: impossibility (Annex III)",
    ),
    pytest.param(
        "received",
        "provider",
        "request-clarification",
        {"explanation": "Two accounts match.", "fields": "targets.0.value\n\n time_range.start "},
        {
            "reason": "incomplete_or_manifest_error",
            "explanation": "Two accounts match.",
            "fields": ["targets.0.value", "time_range.start"],
        },
        "clarification_requested",
        id="clarification request",
    ),
    pytest.param(
        "received",
        "provider",
        "raise-immunity-concern",
        {"explanation": "The account is a journalist's.", "grounds": "Press freedom"},
        {"explanation": "The account is a journalist's.", "grounds": ["Press freedom"]},
        "under_review",
        id="immunity concern",
    ),
    pytest.param(
        "received",
        "provider",
        "object",
        {**OBJECTION, "third_country": "us"},
        OBJECTION,
        "suspended",
        id="third-country objection",
    ),
    pytest.param(
        "clarification_requested",
        "prosecutor",
        "answer-clarification",
        {"explanation": "The one created in 2025."},
        {"explanation": "The one created in 2025."},
        "received",
        id="clarification answer",
    ),
    pytest.param(
        "under_review",
        "prosecutor",
        "decide-concern",
        {"decision": "maintain", "explanation": "Not covered by privilege."},
        {"decision": "maintain", "explanation": "Not covered by privilege."},
        "received",
        id="order decision",
    ),
    pytest.param(
        "suspended",
        "prosecutor",
        "record-court-review",
        {
            "outcome": "lifted",
            "court": "Tribunal judiciaire de Paris",
            "decided_on": "2026-11-23",
            "explanation": "A conflict.",
        },
        {
            "outcome": "lifted",
            "court": "Tribunal judiciaire de Paris",
            "decided_on": "2026-11-23",
            "explanation": "A conflict.",
        },
        "withdrawn",
        id="court review outcome",
    ),
    pytest.param(
        "received",
        "prosecutor",
        "set-new-deadline",
        {"deadline": "2026-12-20T12:00+01:00", "reason": "The data sit on a backup tape."},
        {"deadline": "2026-12-20T11:00:00Z", "reason": "The data sit on a backup tape."},
        "received",
        id="new deadline",
    ),
    pytest.param(
        "preservation",
        "prosecutor",
        "extend-preservation",
        {"reason": "The production order awaits a judge."},
        {"reason": "The production order awaits a judge."},
        "received",
        id="preservation extension",
    ),
    pytest.param(
        "preservation",
        "prosecutor",
        "confirm-production-request",
        {"request_type": "epo", "reference": "JI-2027-0042", "issued_on": "2026-11-23"},
        {"request_type": "epo", "reference": "JI-2027-0042", "issued_on": "2026-11-23"},
        "received",
        id="production request confirmation",
    ),
    pytest.param(
        "preservation",
        "prosecutor",
        "release-preservation",
        {"reason": "The case was closed."},
        {"reason": "The case was closed."},
        "preservation_ended",
        id="preservation release",
    ),
    pytest.param(
        "not_executed",
        "prosecutor",
        "request-enforcement",
        {"annex_iii_message": "", "language": "EN", "explanation": "No data and no valid reason."},
        {"language": "en", "explanation": "No data and no valid reason."},
        "enforcement_requested",
        id="enforcement request",
    ),
    pytest.param(
        "produced", "prosecutor", "close", {"reason": ""}, {}, "closed", id="closure without a reason"
    ),
    pytest.param(
        "notified",
        "enforcing",
        "review",
        {"decision": "no_objection", "ground": "ne_bis_in_idem", "explanation": "", "conditions": ""},
        {"decision": "no_objection"},
        "issued",
        id="Art. 12 review: no objection (a ground is left out)",
    ),
    pytest.param(
        "notified",
        "enforcing",
        "review",
        {"decision": "refusal", "ground": "ne_bis_in_idem", "explanation": "Already tried in Ireland."},
        {"decision": "refusal", "ground": "ne_bis_in_idem", "explanation": "Already tried in Ireland."},
        "refused",
        id="Art. 12 review: a ground for refusal",
    ),
    pytest.param(
        "enforcement_requested",
        "enforcing",
        "decide-enforcement",
        {"outcome": "refused", "ground": "Art. 16(4)(b)", "explanation": "Immunity under Irish law."},
        {"outcome": "refused", "ground": "Art. 16(4)(b)", "explanation": "Immunity under Irish law."},
        "enforcement_refused",
        id="enforcement decision",
    ),
]


@pytest.mark.parametrize(("setup", "handle", "slug", "fields", "body", "state"), CASES)
def test_each_message_is_asked_signed_and_sent(
    signed_in, orders, form_token, log_entries, setup, handle, slug, fields, body, state
):
    order = orders.make(setup, f"PARQUET-{slug.upper()}")
    party = orders.exchange.network[handle]
    browser = signed_in(handle)
    assert f'href="/orders/{order["id"]}/{slug}"' in text(browser.get(f"/orders/{order['id']}"))

    envelope = send(browser, order, party, slug, fields, form_token)

    assert envelope["body"] == body, "the answers map one to one onto the wire body"
    assert orders.state(order) == state
    (entry,) = log_entries(f"order.{envelope['type']}")
    assert entry["actor"]["organisation"] == party.organisation_id
    shown = text(browser.get(f"/orders/{order['id']}?done={slug}"))
    assert "was sent" in shown


def test_the_validating_authority_is_chosen_from_the_registry(signed_in, orders, police, network, form_token):
    order = orders.make("unvalidated", "POLICE-EMERGENCY")
    judge = network["judge"]
    page = text(signed_in("police").get(f"/orders/{order['id']}/record-validation"))
    assert "Juge d&#39;instruction de Paris" in page and "Parquet de Lyon" in page
    assert "District Court of Ireland" not in page, "only issuing authorities of the issuing State"
    fields = {"outcome": "granted", "validating_authority": judge.organisation_id, "explanation": "Real."}
    envelope = send(signed_in("police"), order, network["police"], "record-validation", fields, form_token)
    assert envelope["body"]["validating_authority"] == {
        "organisation": judge.organisation_id,
        "name": "Juge d'instruction de Paris",
        "authority_type": "investigating_judge",
        "country": "FR",
    }
    assert orders.state(order) == "issued"


def test_an_enforcement_request_goes_to_the_enforcing_authority(signed_in, orders, network, form_token):
    order = orders.make("not_executed", "PARQUET-ENFORCE")
    browser = signed_in("prosecutor")
    page = text(browser.get(f"/orders/{order['id']}/request-enforcement"))
    assert "Response" in page, "the addressee's Annex III answer can be cited"
    fields = {"kid": network["prosecutor"].kid, "language": "fr", "explanation": "No data."}
    _, _, sign_page = prepare(browser, order["id"], "request-enforcement", fields, form_token)
    assert 'To</dt><dd class="summary-list__value">District Court of Ireland' in text(sign_page)


@pytest.mark.parametrize(
    ("setup", "handle", "slug", "fields", "errors"),
    [
        pytest.param(
            "notified",
            "enforcing",
            "review",
            {"decision": "refusal"},
            ["Select the ground for refusal", "Explain the refusal", "Select the key to sign with"],
            id="a refusal without its ground and reasons",
        ),
        pytest.param(
            "received",
            "provider",
            "object",
            {"third_country": "XX", "provision": "x" * 501},
            [
                "Enter the country as its two-letter code, for example US",
                "Enter the law",
                "Enter 500 characters or fewer",
                "Explain why the law applies",
            ],
            id="an objection with an unknown country and a provision too long",
        ),
        pytest.param(
            "received",
            "prosecutor",
            "set-new-deadline",
            {"deadline": "2026-12-20T12:00", "reason": "Tape."},
            ["Enter a date and time with its offset from UTC, for example 2026-12-07T14:30+01:00"],
            id="a deadline without its offset",
        ),
        pytest.param(
            "received",
            "provider",
            "request-clarification",
            {"explanation": "Which?", "fields": "Targets, all of them"},
            ["Name each field as the certificate does, for example targets.0.value"],
            id="a certificate field that is not a path",
        ),
        pytest.param(
            "preservation",
            "provider",
            "respond",
            {"outcome": "produced", "data_preserved": "yes"},
            ["Select what you did"],
            id="produced is no answer to a preservation order",
        ),
        pytest.param(
            "received",
            "provider",
            "respond",
            {"outcome": "partially_produced", "data_preserved": "maybe"},
            [
                "Select why the order was not fully executed",
                "Explain why the order was not fully executed",
                "Select whether the data are preserved",
            ],
            id="a partial answer without its reason",
        ),
        pytest.param(
            "suspended",
            "prosecutor",
            "record-court-review",
            {"outcome": "upheld", "court": "TJ Paris", "decided_on": "2026-02-30", "explanation": "Ok."},
            ["Enter a real date, for example 2026-11-30"],
            id="a day that is not on the calendar",
        ),
    ],
)
def test_answers_are_checked_before_signing_with_an_error_summary(
    signed_in, orders, form_token, rows, setup, handle, slug, fields, errors
):
    order = orders.make(setup, f"CHECK-{slug.upper()}")
    browser = signed_in(handle)
    page = browser.get(f"/orders/{order['id']}/{slug}")
    if "Select the key to sign with" not in errors:
        fields = {"kid": orders.exchange.network[handle].kid, **fields}
    messages = rows("messages")
    answer = browser.post(f"/orders/{order['id']}/{slug}", data={**fields, "csrf_token": form_token(page)})
    assert answer.status_code == 422
    shown = text(answer)
    assert '<div class="error-summary"' in shown and "<title>Error: " in shown
    for error in errors:
        assert error in shown
    assert rows("messages") == messages


def test_a_preservation_order_is_answered_only_as_the_lifecycle_allows(signed_in, orders):
    order = orders.make("preservation", "PARQUET-PR-ANSWER")
    page = text(signed_in("provider").get(f"/orders/{order['id']}/respond"))
    assert "Preserved the data" in page and "Did not execute the order" in page
    assert "Produced the data" not in page and "Produced part of the data" not in page


def test_a_tampered_review_is_refused_and_changes_nothing(signed_in, orders, form_token, rows, log_entries):
    order = orders.make("notified", "JUGE-TAMPER")
    party = orders.exchange.network["enforcing"]
    browser = signed_in("enforcing")
    fields = {"kid": party.kid, "decision": "no_objection"}
    hidden, signing_input, _ = prepare(browser, order["id"], "review", fields, form_token)
    header, payload, signature = sign(signing_input, party.private_key, party.kid).split(".")
    changed = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).replace(
        b"no_objection", b"refusal"
    )
    tampered = f"{header}.{base64.urlsafe_b64encode(changed).rstrip(b'=').decode()}.{signature}"
    messages = rows("messages")
    answer = browser.post(f"/orders/{order['id']}/review", data={**hidden, "jws": tampered})
    assert answer.status_code == 422
    assert "The signature does not match the message" in text(answer) and "Nothing was sent." in text(answer)
    assert rows("messages") == messages and log_entries("order.enforcing-review") == []
    assert orders.state(order) == "issued"


def test_a_refusal_after_signing_says_why_on_the_signing_page(signed_in, orders, clock, form_token, rows):
    order = orders.make("received", "PARQUET-LATE-DEADLINE")
    party = orders.exchange.network["prosecutor"]
    browser = signed_in("prosecutor")
    fields = {"kid": party.kid, "deadline": "2026-11-24T09:00:00Z", "reason": "Soon."}  # the clock is past it
    hidden, signing_input, _ = prepare(browser, order["id"], "set-new-deadline", fields, form_token)
    messages = rows("messages")
    answer = browser.post(
        f"/orders/{order['id']}/set-new-deadline",
        data={**hidden, "jws": sign(signing_input, party.private_key, party.kid)},
    )
    assert answer.status_code == 422
    assert "The broker does not accept this message as it is" in text(answer)
    assert "a new deadline must lie in the future" in text(answer)
    assert rows("messages") == messages


@pytest.mark.parametrize(
    ("setup", "stranger", "slug"),
    [
        ("received", "other_provider", "request-clarification"),
        ("received", "other_provider", "object"),
        ("clarification_requested", "other_authority", "answer-clarification"),
        ("preservation", "other_authority", "extend-preservation"),
    ],
)
def test_another_organisation_order_is_not_found(signed_in, orders, form_token, setup, stranger, slug):
    order = orders.make(setup, f"THEIRS-{slug.upper()}")
    browser = signed_in(stranger)
    assert browser.get(f"/orders/{order['id']}/{slug}").status_code == 404
    token = form_token(browser.get("/account"))
    answer = browser.post(f"/orders/{order['id']}/{slug}", data={"csrf_token": token, "jws": "x.y.z"})
    assert answer.status_code == 404 and f"THEIRS-{slug.upper()}" not in text(answer)


def test_the_answers_can_be_changed_before_signing(signed_in, orders, form_token):
    order = orders.make("received", "PARQUET-CHANGE")
    party = orders.exchange.network["provider"]
    browser = signed_in("provider")
    fields = {"kid": party.kid, "explanation": "Two accounts match.", "fields": "targets.0.value"}
    hidden, _, sign_page = prepare(browser, order["id"], "request-clarification", fields, form_token)
    assert "What is missing or wrong?" in text(sign_page) and "Two accounts match." in text(sign_page)
    back = browser.post(f"/orders/{order['id']}/request-clarification", data={**hidden, "change": "1"})
    assert back.status_code == 200 and "<h1" in text(back)
    assert ">Two accounts match.</textarea>" in text(back) and "Check and sign" not in text(back)


def test_only_the_side_the_lifecycle_names_is_offered_a_message(signed_in, orders):
    order = orders.make("notified", "JUGE-OFFER")
    reviewer = text(signed_in("enforcing").get(f"/orders/{order['id']}"))
    assert "Record your review (Art. 12)" in reviewer and "Withdraw the order" not in reviewer
    assert signed_in("enforcing").get(f"/orders/{order['id']}/close").status_code == 409

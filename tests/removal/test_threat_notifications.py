"""Notifications of suspected threats to life or safety, Regulation (EU) 2022/2065 (DSA) Art. 18, through the API.

The video host notifies the Parquet de Paris of a threat to a school in Lyon (France concerned); it reaches the
prosecutor's list as an emergency, and the prosecutor answers with an emergency EPOC naming it. Each case
names the paragraph it checks: Art. 18(1) (the States concerned), Art. 18(2) (the fallback), and the recital
on the contents (tco-dsa.md DSA-01 to DSA-03).
"""

import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from broker.problems import PROBLEM_BASE
from tests.conftest import epoc_draft
from tests.removal import examples
from tests.removal.conftest import Removals

PATH = "/api/v1/threat-notifications"
URGENT = {"emergency": True, "emergency_justification": "An attack on a school is announced for tomorrow."}


class Notifier:
    """The host's system sending notifications, and the authorities reading and answering them."""

    def __init__(self, removals: Removals) -> None:
        self.removals = removals
        self.client, self.network = removals.client, removals.network

    def post(self, to: str = "prosecutor", sender: str = "host", **members: Any) -> Any:
        body = {**examples.threat_notification(), **members}
        body = {name: value for name, value in body.items() if value is not None}
        party = self.network[sender]
        jws = party.sign("threat-notification", body, self.network[to].organisation_id)
        return self.client.post(PATH, data=jws, content_type="application/jose", headers=party.headers)

    def sent(self, to: str = "prosecutor", **members: Any) -> dict[str, Any]:
        answer = self.post(to, **members)
        assert answer.status_code == 201, answer.get_json()
        sent: dict[str, Any] = answer.get_json()
        return sent

    def refused(self, answer: Any, status: int, problem: str, words: str = "") -> None:
        assert answer.status_code == status, answer.get_json()
        assert answer.get_json()["type"] == PROBLEM_BASE + problem, answer.get_json()
        assert words in answer.get_json()["detail"], answer.get_json()

    def listed(self, handle: str) -> list[dict[str, Any]]:
        answer = self.client.get(PATH, headers=self.network[handle].headers)
        assert answer.status_code == 200, answer.get_json()
        items: list[dict[str, Any]] = answer.get_json()["items"]
        return items

    def answer(self, notification: dict[str, Any], author: str = "prosecutor", **changes: Any) -> Any:
        addressee = changes.pop("addressee", self.removals.addressee)
        members = {name: value for name, value in {**URGENT, **changes}.items() if value is not None}
        certificate = epoc_draft(addressee, **members)
        return self.client.post(
            "/api/v1/orders",
            json={
                "order_type": "epoc",
                "certificate": certificate,
                "threat_notification": notification["id"],
            },
            headers=self.network[author].headers,
        )


@pytest.fixture
def notifier(removals: Removals) -> Notifier:
    return Notifier(removals)


def test_a_notification_reaches_the_authority_of_the_state_concerned_as_an_emergency(
    notifier: Notifier, network: Any
) -> None:
    """Art. 18(1): promptly, to the authorities of the Member State concerned, with all it knows."""
    sent = notifier.sent()
    assert sent["emergency"] is True and sent["fallback"] is False and sent["answered_by"] == []
    assert sent["recipient"]["id"] == network["prosecutor"].organisation_id
    assert sent["body"] == examples.threat_notification()
    assert sent["published_at"] == "2026-11-24T07:45:00+00:00"  # the body keeps its time zone
    (listed,) = notifier.listed("prosecutor")
    assert listed["id"] == sent["id"] and "jws" not in listed
    one = notifier.client.get(f"{PATH}/{sent['id']}", headers=network["prosecutor"].headers)
    assert one.status_code == 200 and one.get_json()["jws"] == sent["jws"]


@pytest.mark.parametrize(
    ("handle", "sees"),
    [
        pytest.param("prosecutor", True, id="the authority it was sent to"),
        pytest.param("host", True, id="the provider that sent it"),
        pytest.param("oversight", True, id="oversight"),
        pytest.param("other_authority", False, id="another authority of the same State"),
        pytest.param("enforcing", False, id="another State's authority"),
        pytest.param("provider", False, id="another provider"),
    ],
)
def test_each_party_reads_only_its_own(notifier: Notifier, network: Any, handle: str, sees: bool) -> None:
    sent = notifier.sent()
    assert [item["id"] for item in notifier.listed(handle)] == ([sent["id"]] if sees else [])
    one = notifier.client.get(f"{PATH}/{sent['id']}", headers=network[handle].headers)
    assert one.status_code == (200 if sees else 404), one.get_json()


def test_a_notification_goes_to_a_state_concerned(notifier: Notifier) -> None:
    """Art. 18(1): Ireland is not concerned by a threat in France; one notification to each State's authority."""
    notifier.refused(notifier.post("enforcing"), 422, "wrong-recipient", "not of a Member State concerned")
    notifier.sent("enforcing", member_states_concerned=["FR", "IE"])


def test_without_a_state_concerned_it_goes_to_the_state_of_establishment(notifier: Notifier) -> None:
    """Art. 18(2): the host's contact point is in Ireland, so Ireland's authority, with the reason why."""
    unknown = {"member_states_concerned": [], "fallback_reason": "The uploader's location is hidden."}
    notifier.refused(notifier.post("prosecutor", **unknown), 422, "wrong-recipient", "Art. 18(2)")
    sent = notifier.sent("enforcing", **unknown)
    assert sent["fallback"] is True


@pytest.mark.parametrize(
    ("sender", "to", "members", "status", "problem"),
    [
        pytest.param("prosecutor", "enforcing", {}, 403, "forbidden", id="an authority does not notify"),
        pytest.param("host", "provider", {}, 422, "wrong-recipient", id="to a provider"),
        pytest.param(
            "host",
            "prosecutor",
            {"published_at": "2030-01-01T00:00:00+01:00"},
            422,
            "validation-error",
            id="published in the future",
        ),
        pytest.param(
            "host", "prosecutor", {"suspicion": None}, 422, "validation-error", id="recital: no explanation"
        ),
        pytest.param(
            "host",
            "prosecutor",
            {"member_states_concerned": []},
            422,
            "validation-error",
            id="Art. 18(2): no State and no reason",
        ),
    ],
)
def test_a_bad_notification_is_refused_and_kept_nowhere(
    notifier: Notifier, rows: Any, sender: str, to: str, members: dict[str, Any], status: int, problem: str
) -> None:
    before = rows("threat_notifications")
    notifier.refused(notifier.post(to, sender, **members), status, problem)
    assert rows("threat_notifications") == before


def test_a_notification_is_received_once(notifier: Notifier, network: Any) -> None:
    party = network["host"]
    jws = party.sign(
        "threat-notification", examples.threat_notification(), network["prosecutor"].organisation_id
    )
    first = notifier.client.post(PATH, data=jws, content_type="application/jose", headers=party.headers)
    assert first.status_code == 201, first.get_json()
    again = notifier.client.post(PATH, data=jws, content_type="application/jose", headers=party.headers)
    notifier.refused(again, 409, "replayed-message")
    in_reply = party.sign(
        "threat-notification",
        examples.threat_notification(),
        network["prosecutor"].organisation_id,
        in_reply_to=first.get_json()["id"],
    )
    notifier.refused(
        notifier.client.post(PATH, data=in_reply, content_type="application/jose", headers=party.headers),
        422,
        "validation-error",
        "in_reply_to",
    )


def test_the_authority_answers_with_an_emergency_epoc(notifier: Notifier, removals: Removals) -> None:
    """The emergency EPOC names the notification; once issued, the notification shows it answered."""
    first, second = notifier.sent(), notifier.sent()
    drafted = notifier.answer(first)
    assert drafted.status_code == 201, drafted.get_json()
    order = drafted.get_json()
    assert order["threat_notification"] == first["id"] and order["emergency"] is True
    assert all(item["answered_by"] == [] for item in notifier.listed("prosecutor")), "a draft answers nothing"
    party = removals.network["prosecutor"]
    jws = party.sign("epoc", order["certificate"], order["provider"]["id"])
    issued = removals.client.post(
        f"/api/v1/orders/{order['id']}/issue",
        data=jws,
        content_type="application/jose",
        headers=party.headers,
    )
    assert issued.status_code == 200, issued.get_json()
    listed = notifier.listed("prosecutor")
    assert [item["id"] for item in listed] == [second["id"], first["id"]], "the unanswered first"
    assert listed[1]["answered_by"] == [order["id"]]
    assert notifier.listed("host")[1]["answered_by"] == [order["id"]]


def test_the_answer_is_checked(notifier: Notifier, network: Any) -> None:
    sent = notifier.sent()
    notifier.refused(
        notifier.answer(sent, emergency=False, emergency_justification=None),
        422,
        "validation-error",
        "emergency",
    )
    notifier.refused(
        notifier.answer(sent, "other_authority"), 422, "invalid-reference", "sent to your authority"
    )
    other = notifier.answer(sent, addressee=network.addressees["provider"])
    notifier.refused(other, 422, "invalid-reference", "another provider")
    unknown = {"id": str(uuid.uuid4())}
    notifier.refused(notifier.answer(unknown), 422, "invalid-reference", "no threat notification")


def test_the_list_reads_three_notifications_in_as_many_statements_as_one(
    notifier: Notifier, database: Any
) -> None:
    """The orders answering a page and the parties it names come with the page, not one query per item."""
    sent: list[str] = []

    def listed_counting() -> int:
        sent.clear()
        sa.event.listen(database.engine, "before_cursor_execute", record)
        try:
            count = len(notifier.listed("prosecutor"))
        finally:
            sa.event.remove(database.engine, "before_cursor_execute", record)
        return count

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    notifier.sent()
    assert listed_counting() == 1
    assert listed_counting() == 1  # again, now that the token's use at this instant is recorded
    for_one = len(sent)
    notifier.sent()
    notifier.sent()
    assert listed_counting() == 3
    assert len(sent) == for_one, sent

"""Preservation of removed content, Regulation (EU) 2021/784 Art. 6, and EPOCs addressed to it.

Removal starts six months of preservation (Art. 6(2), UNCONFIRMED in the Official Journal), from the instant
the content went; the competent authority may ask for a further specified period; the worker records the
end. While it lasts, an investigator of the issuing authority or of its Member State may draft an EPOC or
EPOC-PR to the same provider by reference to the removal order (Art. 6(1)(b)); the broker checks the reference
when the draft is made and when it is issued.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest

from broker.clocks.models import FIRED
from broker.clocks.models import RUNNING
from broker.lifecycle import Clock
from broker.orders.deadlines import add_months
from broker.problems import PROBLEM_BASE
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role
from tests.conftest import epoc_draft
from tests.conftest import epoc_pr_draft
from tests.removal import examples
from tests.removal.conftest import Removals


@pytest.mark.parametrize(
    ("removed", "ends"),
    [
        pytest.param("2026-01-15T10:00:00+00:00", "2026-07-15T10:00:00+00:00", id="same day six months on"),
        pytest.param(
            "2026-08-31T23:30:00+00:00", "2027-02-28T23:30:00+00:00", id="31 August: end of February"
        ),
        pytest.param(
            "2027-08-31T12:00:00+00:00", "2028-02-29T12:00:00+00:00", id="in a leap year: 29 February"
        ),
        pytest.param("2026-07-10T08:00:00+00:00", "2027-01-10T08:00:00+00:00", id="across the year's end"),
    ],
)
def test_six_calendar_months_from_removal(removed: str, ends: str) -> None:
    """Art. 6(2): "six months from the removal"; a day the month lacks becomes its last day."""
    assert add_months(datetime.fromisoformat(removed), 6) == datetime.fromisoformat(ends)


def test_removal_starts_the_preservation_from_when_the_content_went(removals: Removals) -> None:
    """Art. 6(2): from the removal (done_at), not from when the provider reported it."""
    order = removals.received()
    went = removals.instant(minutes=10)
    removals.clock.advance(minutes=30)
    removals.send("host", order, "removal-confirmation", done_at=went)
    preservation = removals.clock_of(order, Clock.CONTENT_PRESERVATION)
    assert preservation is not None and preservation.status == RUNNING
    assert preservation.due_at == add_months(datetime.fromisoformat(went).astimezone(UTC), 6)


def test_the_worker_ends_the_preservation_with_a_record(removals: Removals) -> None:
    order = removals.removed()
    preservation = removals.clock_of(order, Clock.CONTENT_PRESERVATION)
    assert preservation is not None
    left = preservation.due_at - removals.clock()
    removals.later(seconds=(left - timedelta(seconds=1)).total_seconds())
    assert not any(line.startswith("content_preservation.ended") for line in removals.work())
    removals.clock.advance(seconds=1)
    assert any(line.startswith("content_preservation.ended") for line in removals.work())
    ended = removals.clock_of(order, Clock.CONTENT_PRESERVATION)
    assert ended is not None and (ended.status, ended.breached) == (FIRED, False)
    assert removals.stored(order).state.value == "removed", "the removal stands"
    assert "content_preservation.ended" in removals.events(order)


def test_the_authority_extends_the_preservation_for_a_specified_period(removals: Removals) -> None:
    """Art. 6(2): on request, for a further specified period, as often as the proceedings need."""
    order = removals.removed()
    until = removals.instant(days=300)
    extended = removals.send("prosecutor", order, "removal-preservation-extension", until=until)
    assert extended["state"] == "removed"
    preservation = removals.clock_of(order, Clock.CONTENT_PRESERVATION)
    assert preservation is not None and preservation.extended
    assert preservation.due_at == datetime.fromisoformat(until).astimezone(UTC)
    # Not to an end at or before the present one.
    removals.refused(
        "prosecutor", order, "removal-preservation-extension", 422, "validation-error", until=until
    )
    removals.send("prosecutor", order, "removal-preservation-extension", until=removals.instant(days=400))


def test_an_extension_after_the_end_is_refused(removals: Removals) -> None:
    order = removals.removed()
    removals.later(days=200)
    removals.refused(
        "prosecutor",
        order,
        "removal-preservation-extension",
        409,
        "transition-not-allowed",
        until=removals.instant(days=100),
    )


@pytest.mark.parametrize(
    ("handle", "setup", "status", "problem"),
    [
        pytest.param("host", "removed", 403, "forbidden", id="the provider does not ask itself"),
        pytest.param("enforcing", "removed", 403, "forbidden", id="nor the host State's authority"),
        pytest.param("prosecutor", "received", 409, "transition-not-allowed", id="nothing removed yet"),
    ],
)
def test_only_the_issuer_extends_a_running_preservation(
    removals: Removals, handle: str, setup: str, status: int, problem: str
) -> None:
    order = removals.removed() if setup == "removed" else removals.received()
    removals.refused(
        handle, order, "removal-preservation-extension", status, problem, until=removals.instant(days=300)
    )


class Investigator:
    """Drafts EPOCs and EPOC-PRs by reference to a removal order, as an authority's system would."""

    def __init__(self, removals: Removals) -> None:
        self.removals = removals

    def draft(self, removal_order: str | None, author: str = "prosecutor", **changes: Any) -> Any:
        order_type = changes.pop("order_type", "epoc")
        builder = epoc_draft if order_type == "epoc" else epoc_pr_draft
        addressee = changes.pop("addressee", self.removals.addressee)
        return self.removals.client.post(
            "/api/v1/orders",
            json={
                "order_type": order_type,
                "certificate": builder(addressee, **changes),
                "removal_order": removal_order,
            },
            headers=self.removals.network[author].headers,
        )

    def refused(self, answer: Any, words: str) -> None:
        assert answer.status_code == 422, answer.get_json()
        assert answer.get_json()["type"] == PROBLEM_BASE + "invalid-reference", answer.get_json()
        assert words in answer.get_json()["detail"], answer.get_json()


@pytest.fixture
def investigator(removals: Removals) -> Investigator:
    return Investigator(removals)


@pytest.mark.parametrize("order_type", ["epoc", "epoc-pr"])
@pytest.mark.parametrize("author", ["prosecutor", "other_authority"])
def test_an_investigator_of_the_issuing_state_drafts_by_reference(
    removals: Removals, investigator: Investigator, author: str, order_type: str
) -> None:
    """Art. 6(1)(b): the issuing authority, or another of its Member State, for its investigation."""
    order = removals.removed()
    drafted = investigator.draft(order["id"], author, order_type=order_type)
    assert drafted.status_code == 201, drafted.get_json()
    assert drafted.get_json()["removal_order"] == order["id"]
    assert drafted.get_json()["provider"]["id"] == order["provider"]["id"]


def test_the_reference_is_checked(removals: Removals, investigator: Investigator, network: Any) -> None:
    order = removals.removed()
    network.add(
        "berlin",
        "Staatsanwaltschaft Berlin",
        OrganisationKind.ISSUING_AUTHORITY,
        "DE",
        Role.CASEWORKER,
        AuthorityType.PUBLIC_PROSECUTOR,
    )
    # Another State's authority is told no more than about an order that does not exist.
    investigator.refused(investigator.draft(order["id"], "berlin"), f"no removal order {order['id']}")
    unknown = "0b8f5c3e-2d1a-4f6e-9c7b-8a5d4e3f2c1b"
    investigator.refused(investigator.draft(unknown), f"no removal order {unknown}")
    # The same provider, whose preserved content it is.
    other = investigator.draft(order["id"], addressee=network.addressees["provider"])
    investigator.refused(other, "addressed to another provider")
    # An EPOC is not a removal order.
    epoc = investigator.draft(None)
    assert epoc.status_code == 201, epoc.get_json()
    investigator.refused(investigator.draft(epoc.get_json()["id"]), "no removal order")


def test_no_reference_to_content_no_longer_preserved(removals: Removals, investigator: Investigator) -> None:
    """Art. 6(2): after the six months, or before anything was removed, there is nothing to address."""
    received = removals.received()
    investigator.refused(investigator.draft(received["id"]), "no longer preserved")
    order = removals.removed()
    removals.later(days=190)
    investigator.refused(investigator.draft(order["id"]), "no longer preserved")


def test_a_removal_order_names_no_removal_order(removals: Removals) -> None:
    """Only an EPOC or EPOC-PR asks for preserved content; a removal order naming one is refused."""
    order = removals.removed()
    draft = examples.removal_order()
    del draft["issuing_authority"], draft["withholding"]
    draft.update(addressee=removals.addressee, emergency=True, emergency_justification="Now.")
    refused = removals.client.post(
        "/api/v1/orders",
        json={"order_type": "removal-order", "certificate": draft, "removal_order": order["id"]},
        headers=removals.network["prosecutor"].headers,
    )
    assert refused.status_code == 422, refused.get_json()
    assert refused.get_json()["errors"] == {"removal_order": ["not for a removal order"]}


def test_issuing_checks_the_reference_again(removals: Removals, investigator: Investigator) -> None:
    """The preservation may end between draft and issue: the order would then ask for nothing."""
    order = removals.removed()
    drafted = investigator.draft(order["id"])
    assert drafted.status_code == 201, drafted.get_json()
    epoc = drafted.get_json()
    removals.later(days=190)
    party = removals.network["prosecutor"]
    jws = party.sign("epoc", epoc["certificate"], epoc["provider"]["id"])
    answer = removals.client.post(
        f"/api/v1/orders/{epoc['id']}/issue", data=jws, content_type="application/jose", headers=party.headers
    )
    assert answer.status_code == 422, answer.get_json()
    assert "no longer preserved" in answer.get_json()["detail"]

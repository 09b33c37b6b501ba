"""The notice of procedures of Regulation (EU) 2021/784, Art. 3(2), recorded through the API and weighed by
TCO-04: a first non-emergency removal order leaves at least 12 hours after it, and the finding says so."""

from datetime import timedelta
from typing import Any

import pytest

from broker.audit.queries import entries_about
from broker.audit.queries import pending_about
from broker.problems import PROBLEM_BASE
from tests.removal.conftest import JUSTIFIED
from tests.removal.conftest import Removals

NOTICES = "/api/v1/removal-notices"
TWELVE_HOURS = timedelta(hours=12)


def notice(removals: Removals, author: str = "prosecutor", **changes: Any) -> Any:
    """POST a notice to the video host, given now unless `changes` says otherwise."""
    body = {
        "provider": removals.network["host"].organisation_id,
        "given_at": removals.instant(),
        "means": "e-mail to the contact point, ref. TCO-2026-1",
        **changes,
    }
    return removals.client.post(NOTICES, json=body, headers=removals.network[author].headers)


def tco04(order: dict[str, Any]) -> list[dict[str, Any]]:
    return [finding for finding in order["checks"]["findings"] if finding["rule_id"] == "TCO-04"]


@pytest.mark.parametrize(
    ("given_before", "by", "emergency", "expected"),
    [
        # Art. 3(2): nothing recorded, so the rule cannot decide and says which data it needs.
        pytest.param(None, None, False, "needs data", id="no notice: needs data (Art. 3(2))"),
        # Art. 3(2): "at least 12 hours before": the twelfth hour's end is in time, a second less is not.
        pytest.param(TWELVE_HOURS, "prosecutor", False, None, id="exactly 12 hours before: may leave"),
        pytest.param(timedelta(days=3), "prosecutor", False, None, id="3 days before: may leave"),
        pytest.param(
            TWELVE_HOURS - timedelta(seconds=1),
            "prosecutor",
            False,
            "blocks",
            id="12 hours minus 1 second: blocked (Art. 3(2))",
        ),
        pytest.param(timedelta(0), "prosecutor", False, "blocks", id="given just now: blocked (Art. 3(2))"),
        # The notice is the issuing authority's own: another authority's tells nothing of this one.
        pytest.param(TWELVE_HOURS, "other_authority", False, "needs data", id="another authority's notice"),
        # Art. 3(2): "except in duly justified emergencies".
        pytest.param(None, None, True, None, id="justified emergency without notice: may leave"),
        pytest.param(
            timedelta(hours=1), "prosecutor", True, None, id="justified emergency 1 hour after notice"
        ),
    ],
)
def test_tco04_decides_from_the_recorded_notice(
    removals: Removals, given_before: timedelta | None, by: str | None, emergency: bool, expected: str | None
) -> None:
    if given_before is not None:
        assert by is not None
        recorded = notice(removals, by, given_at=removals.instant(seconds=-given_before.total_seconds()))
        assert recorded.status_code == 201, recorded.get_json()
    extra = {"emergency": True, "emergency_justification": JUSTIFIED} if emergency else {}
    drafted = removals.draft(**extra)
    assert drafted.status_code == 201, drafted.get_json()
    findings = tco04(drafted.get_json())
    if expected is None:
        assert findings == [] and drafted.get_json()["checks"]["blocking"] is False
        return
    (finding,) = findings
    assert finding["citation"] == "Regulation (EU) 2021/784, Art. 3(2)"
    assert finding["severity"] == "error" and drafted.get_json()["checks"]["blocking"] is True
    assert finding["missing_data"] is (expected == "needs data")
    if expected == "blocks":
        assert given_before is not None
        ready = removals.clock() - given_before + TWELVE_HOURS
        assert ready.isoformat() in finding["message"]


def test_a_first_order_leaves_twelve_hours_after_the_notice(removals: Removals, network: Any) -> None:
    """Art. 3(2): recorded, drafted too early and blocked, re-checked at the twelfth hour, then issued."""
    assert notice(removals).status_code == 201
    removals.clock.advance(hours=11, minutes=59, seconds=59)
    order = removals.draft().get_json()
    assert order["checks"]["blocking"] is True and tco04(order)
    removals.clock.advance(seconds=1)
    checked = removals.client.post(
        f"/api/v1/orders/{order['id']}/check", headers=network["prosecutor"].headers
    )
    assert checked.status_code == 200 and checked.get_json()["checks"]["blocking"] is False
    party = network["prosecutor"]
    jws = party.sign("removal-order", order["certificate"], order["provider"]["id"])
    issued = removals.client.post(
        f"/api/v1/orders/{order['id']}/issue",
        data=jws,
        content_type="application/jose",
        headers=party.headers,
    )
    assert issued.status_code == 200, issued.get_json()
    assert issued.get_json()["state"] == "issued"


def test_the_notice_is_recorded_in_the_log_and_read_by_its_parties(removals: Removals, network: Any) -> None:
    """Art. 3(2): the authority's record, logged about the provider, read by the two of them and oversight."""
    recorded = notice(removals)
    assert recorded.status_code == 201, recorded.get_json()
    body = recorded.get_json()
    assert body["provider"] == network["host"].organisation_id
    assert body["issuing_authority_id"] == network["prosecutor"].organisation_id
    seen = {
        who: [item["id"] for item in removals.client.get(NOTICES, headers=network[who].headers).json["items"]]
        for who in ("prosecutor", "host", "oversight", "other_authority", "provider", "enforcing")
    }
    assert seen == {
        "prosecutor": [body["id"]],  # its own
        "host": [body["id"]],  # given to it
        "oversight": [body["id"]],  # reads everything
        "other_authority": [],
        "provider": [],  # another provider
        "enforcing": [],
    }
    host = network["host"].organisation_id
    with removals.database.transaction() as session:
        logged = [
            *entries_about(session, "organisation", host),
            *pending_about(session, "organisation", host),
        ]
        assert [entry.action for entry in logged][-1] == "removal.procedures_notice"


@pytest.mark.parametrize(
    ("author", "changes", "status", "problem", "member"),
    [
        pytest.param("host", {}, 403, "forbidden", None, id="a provider records no notice"),
        pytest.param("enforcing", {}, 403, "forbidden", None, id="nor an enforcing authority"),
        pytest.param("oversight", {}, 403, "forbidden", None, id="nor oversight"),
        pytest.param(
            "prosecutor", {"given_at": "+1s"}, 422, "validation-error", "given_at", id="in the future"
        ),
        pytest.param(
            "prosecutor",
            {"given_at": "2026-12-01T10:00:00"},
            422,
            "validation-error",
            "given_at",
            id="no offset",
        ),
        pytest.param(
            "prosecutor",
            {"given_at": "0001-01-01T00:00:00+05:00"},
            422,
            "validation-error",
            "given_at",
            id="not an instant in UTC",
        ),
        pytest.param("prosecutor", {"means": ""}, 422, "validation-error", "means", id="says not how"),
        pytest.param(
            "prosecutor", {"provider": "issuer"}, 422, "invalid-reference", "provider", id="not a provider"
        ),
        pytest.param(
            "prosecutor",
            {"provider": "00000000-0000-4000-8000-000000000000"},
            422,
            "invalid-reference",
            "provider",
            id="unknown provider",
        ),
    ],
)
def test_a_bad_notice_is_refused_and_nothing_recorded(
    removals: Removals,
    network: Any,
    author: str,
    changes: dict[str, Any],
    status: int,
    problem: str,
    member: str | None,
) -> None:
    if changes.get("given_at") == "+1s":
        changes = {"given_at": removals.instant(seconds=1)}
    if changes.get("provider") == "issuer":
        changes = {"provider": network["other_authority"].organisation_id}
    answer = notice(removals, author, **changes)
    assert answer.status_code == status, answer.get_json()
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.get_json()["type"] == PROBLEM_BASE + problem
    if member is not None:
        assert member in answer.get_json()["errors"], answer.get_json()
    assert removals.client.get(NOTICES, headers=network["oversight"].headers).get_json()["total"] == 0

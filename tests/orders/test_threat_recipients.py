"""Who a DSA Art. 18 notification may be addressed to: broker.orders.threats.recipient_for, one row a rule.

Example Mail (the provider) has its designated establishment in Ireland; the Parquet de Paris is a French
authority, the District Court of Ireland an Irish one, and Europol is registered in The Hague. Each row names
the paragraph of Regulation (EU) 2022/2065, Art. 18 that decides it.
"""

import uuid
from typing import Any

import pytest

from broker import problems
from broker.orders.inbound import VerifiedMessage
from broker.orders.threats import recipient_for
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role
from tests.removal.examples import threat_notification

FRANCE = ["FR"]
NONE = []

ROWS = [
    # Art. 18(1): a State concerned -> that State's authority, and only it
    pytest.param(FRANCE, "prosecutor", False, None, id="18(1) the authority of the State concerned"),
    pytest.param(FRANCE, "enforcing", None, "Art. 18(1)", id="18(1) not an authority of another State"),
    pytest.param(FRANCE, "europol", None, "Art. 18(1)", id="18(1) not Europol when a State is concerned"),
    # Art. 18(2): no State concerned -> the State of establishment or legal representative, or Europol
    pytest.param(NONE, "enforcing", True, None, id="18(2) the authority of the State of establishment"),
    pytest.param(NONE, "europol", True, None, id="18(2) Europol"),
    pytest.param(NONE, "prosecutor", None, "Art. 18(2)", id="18(2) not another State's authority"),
    # Neither an authority nor Europol
    pytest.param(NONE, "other_provider", None, "nor Europol", id="not a provider"),
    pytest.param(FRANCE, "oversight", None, "nor Europol", id="not an oversight body"),
]


@pytest.fixture
def europol(network: Any) -> Any:
    return network.add("europol", "Europol", OrganisationKind.EUROPOL, "NL", Role.CASEWORKER)


def message(network: Any, clock: Any, to: str, concerned: list[str]) -> VerifiedMessage:
    """The verified message recipient_for reads: its recipient and body (signature and key checked before)."""
    body: dict[str, Any] = {**threat_notification(), "member_states_concerned": concerned}
    if not concerned:
        body["fallback_reason"] = "The uploader's location is hidden."
    envelope = {
        "id": str(uuid.uuid4()),
        "in_reply_to": None,
        "recipient": {"organisation": network[to].organisation_id},
        "body": body,
    }
    return VerifiedMessage(jws="", envelope=envelope, key=None, issued_at=clock())  # type: ignore[arg-type]


@pytest.mark.parametrize(("concerned", "to", "fallback", "refusal"), ROWS)
def test_recipient_for(database, clock, network, europol, concerned, to, fallback, refusal):
    provider = uuid.UUID(network["provider"].organisation_id)
    with database.transaction() as session:
        if refusal is None:
            recipient, used_fallback = recipient_for(
                session, provider, message(network, clock, to, concerned)
            )
            assert (str(recipient.id), used_fallback) == (network[to].organisation_id, fallback)
        else:
            with pytest.raises(problems.WrongRecipient) as refused:
                recipient_for(session, provider, message(network, clock, to, concerned))
            assert refusal in refused.value.detail


def test_europol_is_refused_a_notification_that_names_a_state_and_told_where_it_goes(
    database, clock, network, europol
):
    provider = uuid.UUID(network["provider"].organisation_id)
    with database.transaction() as session, pytest.raises(problems.WrongRecipient) as refused:
        recipient_for(session, provider, message(network, clock, "europol", ["FR", "IE"]))
    assert refused.value.detail.startswith("a notification that names a Member State concerned (FR, IE)")
    assert "Europol receives only one whose State cannot be identified" in refused.value.detail

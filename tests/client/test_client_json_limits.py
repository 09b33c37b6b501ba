"""The client reads the broker's answers within the JSON limits (broker.crypto.jsonlimits, issue 12 defect 4).

Whatever answers in the broker's place cannot exhaust the client's parser: a document 100,000 levels
deep or a number of 5,000 digits is a ValueError saying so, never a RecursionError or a hang.
"""

from collections.abc import Iterator

import pytest
import responses

from broker.client import BrokerClient
from broker.client import ProblemError

BASE = "https://broker.test"
API = f"{BASE}/api/v1"


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param("[" * 100_000 + "]" * 100_000, "nested deeper than 64", id="100,000 levels"),
        pytest.param('{"items": [' + "9" * 5000 + "]}", "5000 characters", id="5,000 digits"),
    ],
)
def test_an_answer_beyond_the_limits_is_refused_not_a_crash(mocked, body, reason):
    mocked.get(f"{API}/me", body=body, status=200, content_type="application/json")
    with pytest.raises(ValueError, match=reason):
        BrokerClient(BASE, "ebt_test").me()


def test_a_problem_answer_beyond_the_limits_still_becomes_a_problem_error(mocked):
    mocked.get(f"{API}/me", body="[" * 100_000, status=500, content_type="application/problem+json")
    with pytest.raises(ProblemError) as raised:
        BrokerClient(BASE, "ebt_test").me()
    assert raised.value.status == 500


def test_an_ordinary_answer_reads_as_before(mocked):
    mocked.get(f"{API}/me", json={"user": {"name": "x"}, "organisation": {"name": "y"}}, status=200)
    assert BrokerClient(BASE, "ebt_test").me() == {"user": {"name": "x"}, "organisation": {"name": "y"}}

"""The property tests' budget: all of it on CI, a quarter (at least five) elsewhere, a named variable over both."""

import pytest

from tests import budget
from tests.budget import examples


@pytest.mark.parametrize("profile", ["default", "ci"])
def test_a_named_variable_wins_over_either_profile(monkeypatch, profile):
    monkeypatch.setattr(budget, "PROFILE", profile)
    monkeypatch.setenv("BROKER_TEST_BUDGET_EXAMPLES", "7")
    assert examples(400, "BROKER_TEST_BUDGET_EXAMPLES") == 7


def test_ci_draws_the_full_budget(monkeypatch):
    monkeypatch.setattr(budget, "PROFILE", "ci")
    monkeypatch.delenv("BROKER_TEST_BUDGET_EXAMPLES", raising=False)
    assert [examples(full, "BROKER_TEST_BUDGET_EXAMPLES") for full in (400, 25, 8, 3)] == [400, 25, 8, 3]


def test_a_developer_draws_a_quarter_and_at_least_five(monkeypatch):
    monkeypatch.setattr(budget, "PROFILE", "default")
    monkeypatch.delenv("BROKER_TEST_BUDGET_EXAMPLES", raising=False)
    assert [examples(full, "BROKER_TEST_BUDGET_EXAMPLES") for full in (400, 25, 8, 3)] == [100, 6, 5, 3]

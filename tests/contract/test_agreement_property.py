"""Random mutants of the valid examples get one verdict from marshmallow and JSON Schema.

The only disagreement allowed is the documented one: JSON Schema accepts and marshmallow's sole
complaints are its semantic checks (time range order, calendar dates).

EXAMPLES mutants per kind of document: 100 on CI, the same ones every run; a developer's run draws 25
new ones (tests/budget.py); BROKER_AGREEMENT_EXAMPLES sets another number for a longer run by hand.
"""

import copy
from collections.abc import Callable
from collections.abc import Iterator
from enum import EnumType
from typing import Any

import pytest
from hypothesis import event
from hypothesis import given
from hypothesis import note
from hypothesis import settings
from hypothesis import strategies as st

from broker import vocabulary
from broker.wire.fields import CALENDAR_MESSAGE
from broker.wire.fields import ORDER_MESSAGE
from tests.budget import examples

Path = tuple[str | int, ...]
EXAMPLES = examples(100, "BROKER_AGREEMENT_EXAMPLES")
SEMANTIC_MESSAGES = {CALENDAR_MESSAGE, ORDER_MESSAGE}


def _nodes(node: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every member and item below node, with its path."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield (*path, key), value
        yield from _nodes(value, (*path, key))


def _leaves(node: Any) -> Iterator[Any]:
    return (value for _, value in _nodes(node) if not isinstance(value, dict | list))


def _semantic(message: str) -> bool:
    """One of marshmallow's semantic checks, bare or as a certificate explains it ('EE-36 (…): Must be … Give …')."""
    return any(message == known or f"): {known} " in message for known in SEMANTIC_MESSAGES)


def _messages(errors: Any) -> Iterator[str]:
    if isinstance(errors, dict | list):
        for value in errors.values() if isinstance(errors, dict) else errors:
            yield from _messages(value)
    else:
        yield str(errors)


KIND_NAMES = [
    *("epoc", "epoc-pr", "epoc v2", "epoc-pr v2", "epoc v3", "epoc-pr v3"),
    *("produced", "not_executed", "envelope"),
    *("acknowledgement", "preservation-notice", "clarification-request", "clarification-answer"),
    *("immunity-concern", "order-decision", "third-country-objection", "court-review-outcome"),
    *("withdrawal", "new-deadline", "preservation-extension", "production-request-confirmation"),
    *("preservation-release", "ex-post-validation", "closure", "enforcement-request"),
    *("enforcing-review", "enforcing-review refusal", "enforcement-decision", "enforcement-decision refused"),
    "evidence-manifest",
    *("removal-order", "removal-confirmation", "removal-impossibility", "impossibility-ceased"),
    *("removal-clarification-request", "removal-clarification"),
    *("removal-scrutiny-request", "removal-scrutiny-intention", "removal-scrutiny-decision"),
    *("removal-reinstatement", "removal-preservation-extension"),
    *(
        "content-provider-information",
        "removal-withholding",
        "removal-complaint",
        "removal-complaint-outcome",
    ),
    "threat-notification",
    *("overseas-production-order", "excepted-data-refusal"),
    "requested-party-refusal",
]
# Values that reach past type checks into enums, bounds and cross-field rules, which random JSON rarely does.
PLAUSIBLE = [
    *(member.value for enum in vars(vocabulary).values() if isinstance(enum, EnumType) for member in enum),
    *(-1, 0, 1, 65535, 65536, 1.0, 2.5, True, False, None, "", "x" * 201, "FR", "fr", "XX"),
    *("2024-02-30T00:00:00Z", "2030-01-01T00:00:00Z", "2024-01-01T00:00:00", "fe80::1%eth0"),
    *("2024-05-20", "2024-02-30", "2024-5-20", "20240520", "2024-05-20T00:00:00Z", "US", "en", "EN"),
    *("targets.0.value", "targets..value", "Targets", "x" * 501, "x" * 4001, "x" * 8001),
    *({}, [], ["user_identification"], ["subscriber", "subscriber"]),
    *("0" * 64, "A" * 64, "0" * 63, "x" * 255, "x" * 256, "a/b", "a\\b", "a\x00", "age1", 2**53),
]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def values(kinds: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Plausible values, the examples' own leaves (valid elsewhere, maybe not here), and random JSON."""
    leaves = [leaf for kind in kinds.values() for leaf in _leaves(kind.build())]
    return st.sampled_from(PLAUSIBLE + leaves) | JSON


def _mutate(document: dict[str, Any], draw: Callable[..., Any], values: st.SearchStrategy[Any]) -> None:
    """Drop a member, replace any value, or add a member, somewhere in the document."""
    nodes = list(_nodes(document))
    how = draw(st.sampled_from(["drop", "replace", "add"]), label="mutation")
    if how == "add" or not nodes:
        objects = [document, *(value for _, value in nodes if isinstance(value, dict))]
        target = draw(st.sampled_from(objects), label="object")
        target[draw(st.text(max_size=8), label="name")] = copy.deepcopy(draw(values, label="value"))
        return
    candidates = [path for path, _ in nodes if how == "replace" or isinstance(path[-1], str)]
    path = draw(st.sampled_from(candidates), label="path")
    parent: Any = document
    for step in path[:-1]:
        parent = parent[step]
    if how == "drop":
        del parent[path[-1]]
    else:
        parent[path[-1]] = copy.deepcopy(draw(values, label="value"))


def test_every_kind_is_mutated(kinds: dict[str, Any]) -> None:
    assert sorted(KIND_NAMES) == sorted(kinds)


@pytest.mark.parametrize("kind", KIND_NAMES)
@settings(max_examples=EXAMPLES, deadline=None)
@given(data=st.data())
def test_mutants_get_one_verdict(
    kind: str,
    kinds: dict[str, Any],
    judge: Callable[..., Any],
    values: st.SearchStrategy[Any],
    data: st.DataObject,
) -> None:
    document = kinds[kind].build()
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="mutations")):
        _mutate(document, data.draw, values)
    note(repr(document))
    verdict = judge(kind, document)
    if verdict.json_valid and all(_semantic(message) for message in _messages(verdict.marshmallow)):
        event("semantic check only" if verdict.marshmallow else "both valid")
        return
    event("both invalid" if not verdict.json_valid else "disagreement")
    assert verdict.marshmallow_valid == verdict.json_valid, verdict


@pytest.mark.parametrize("kind", ["epoc", "epoc-pr"])
def test_an_empty_period_is_the_documented_disagreement(
    kind: str, kinds: dict[str, Any], judge: Callable[..., Any]
) -> None:
    """A time range ending when it starts passes JSON Schema; marshmallow refuses it, citing the rule."""
    document = kinds[kind].build()
    document["time_range"]["start"] = document["time_range"]["end"]
    verdict = judge(kind, document)
    messages = list(_messages(verdict.marshmallow))
    assert verdict.json_valid and messages and all(_semantic(message) for message in messages), verdict
    assert all(message.startswith("EE-36 (") for message in messages), messages

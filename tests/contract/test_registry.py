"""validate_body: the right schema per (type, version), errors by field, and the wire form untouched."""

import copy
from collections.abc import Callable
from typing import Any

import pytest
from marshmallow import ValidationError

from broker.vocabulary import DataCategory
from broker.vocabulary import MessageType
from broker.wire.registry import BODY_SCHEMAS
from broker.wire.registry import NOTIFICATION_BODY_SCHEMAS
from broker.wire.registry import REMOVAL_BODY_SCHEMAS
from broker.wire.registry import UnknownMessageType
from broker.wire.registry import validate_body


@pytest.mark.parametrize(
    ("kind", "message_type"),
    [
        ("epoc", "epoc"),
        ("epoc-pr", "epoc-pr"),
        ("produced", "response"),
        ("clarification-request", "clarification-request"),
        ("court-review-outcome", "court-review-outcome"),
        ("ex-post-validation", "ex-post-validation"),
        ("evidence-manifest", "evidence-manifest"),
    ],
)
def test_returns_the_very_body_it_was_given(kind: str, message_type: str, kinds: dict[str, Any]) -> None:
    body = kinds[kind].build()
    before = copy.deepcopy(body)
    assert validate_body(message_type, 1, body) is body
    assert body == before


@pytest.mark.parametrize(("message_type", "version"), [("epoc", 99), ("epoc", 0), ("order", 1), ("EPOC", 1)])
def test_unknown_type_or_version_is_refused(message_type: str, version: int, kinds: dict[str, Any]) -> None:
    with pytest.raises(UnknownMessageType):
        validate_body(message_type, version, kinds["epoc"].build())


def test_unknown_message_type_is_a_value_error() -> None:
    assert issubclass(UnknownMessageType, ValueError)


@pytest.mark.parametrize("message_type", ["response", "acknowledgement", "closure"])
def test_body_that_is_not_an_object_is_invalid(message_type: str) -> None:
    with pytest.raises(ValidationError):
        validate_body(message_type, 1, [])


def test_clarification_paths_are_reported_under_their_wire_name(kinds: dict[str, Any]) -> None:
    """The attribute is certificate_fields (Schema.fields is taken); errors must still say fields."""
    body = kinds["clarification-request"].build() | {"fields": ["Targets"]}
    with pytest.raises(ValidationError) as raised:
        validate_body("clarification-request", 1, body)
    messages: Any = raised.value.messages
    assert list(messages) == ["fields"]


def test_every_message_type_has_a_version_1_body() -> None:
    """Each family's own table: the certificates', the removal order's (REMOVAL_BODY_SCHEMAS) and the DSA
    Art. 18 notification's (NOTIFICATION_BODY_SCHEMAS)."""
    certificates = {message_type for message_type, version in BODY_SCHEMAS if version == 1}
    removal = {MessageType(message_type) for message_type, version in REMOVAL_BODY_SCHEMAS if version == 1}
    notification = {message_type for message_type, version in NOTIFICATION_BODY_SCHEMAS if version == 1}
    assert not certificates & removal and not (certificates | removal) & notification
    assert certificates | removal | notification == set(MessageType)


def test_errors_are_keyed_by_nested_path(kinds: dict[str, Any]) -> None:
    body = kinds["epoc-pr"].build()
    body["addressee"]["country"] = "XX"
    body["identification"][1]["source_port"] = 70000
    with pytest.raises(ValidationError) as raised:
        validate_body("epoc-pr", 1, body)
    messages: Any = raised.value.messages
    assert set(messages) == {"addressee", "identification"}
    assert "ISO 3166-1" in messages["addressee"]["country"][0]
    assert list(messages["identification"][1]) == ["source_port"]


def test_bad_enum_value_lists_the_allowed_ones(kinds: dict[str, Any]) -> None:
    body = kinds["epoc"].build()
    body["data_categories"] = ["metadata"]
    with pytest.raises(ValidationError) as raised:
        validate_body("epoc", 1, body)
    messages: Any = raised.value.messages
    assert all(category.value in messages["data_categories"][0][0] for category in DataCategory)


@pytest.mark.parametrize(
    ("kind", "changes", "field"),
    [
        ("epoc", {"emergency": True}, "emergency_justification"),
        ("epoc", {"purpose": "sentence_execution"}, "sentence"),
        ("epoc", {"data_categories": ["user_identification"]}, "identification"),
        ("not_executed", {"outcome": "produced"}, "reason"),
        ("enforcing-review", {"decision": "refusal"}, "ground"),
        ("enforcing-review", {"decision": "refusal"}, "explanation"),
        ("enforcing-review refusal", {"decision": "no_objection"}, "ground"),
        ("enforcement-decision", {"outcome": "refused"}, "ground"),
        ("enforcement-decision refused", {"outcome": "recognised"}, "ground"),
    ],
)
def test_cross_field_errors_name_the_field(
    kind: str, changes: dict[str, Any], field: str, kinds: dict[str, Any], judge: Callable[..., Any]
) -> None:
    body = kinds[kind].build() | changes
    assert field in judge(kind, body).marshmallow

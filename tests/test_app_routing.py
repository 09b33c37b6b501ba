"""Apps with the same URL rules share one map, built once per process: the URLs it builds and the URLs
it matches must be exactly Werkzeug's own, in every app, and no app may change what the others see."""

import uuid

import pytest
from werkzeug.routing import AnyConverter
from werkzeug.routing import IntegerConverter
from werkzeug.routing import Map
from werkzeug.routing import Rule
from werkzeug.routing import UUIDConverter

from broker.app import create_app
from broker.url_rules import RecordingMap
from broker.url_rules import SharedMap
from broker.url_rules import shared_map


def _value(converter: object) -> object:
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=7)
    if isinstance(converter, IntegerConverter):
        return 7
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[-1]
    return "a b/ü"  # escaped by the builder: spaces, slashes and non-ASCII text


def test_every_url_is_built_as_werkzeug_builds_it(app):
    plain = Map(
        [Rule(rule.rule, endpoint=rule.endpoint, methods=rule.methods) for rule in app.url_map.iter_rules()]
    )
    ours = app.url_map.bind("broker.example")
    theirs = plain.bind("broker.example")
    rules = list(app.url_map.iter_rules())
    assert rules and isinstance(app.url_map, SharedMap)
    for rule in rules:
        values = {name: _value(converter) for name, converter in rule._converters.items()}
        extra = {"page": "2"}  # not a rule argument: appended as a query string by the other builder
        assert ours.build(rule.endpoint, values | extra) == theirs.build(rule.endpoint, values | extra), (
            rule.rule
        )


def _second(app):
    return create_app(
        app.config, clock=app.extensions["broker"].clock, database=app.extensions["broker"].database
    )


def test_every_url_is_matched_as_werkzeug_matches_it_in_a_second_app(app):
    """The second app holds the first one's map: it must match the same way."""
    second = _second(app)
    assert second.url_map is app.url_map
    plain = Map(
        [Rule(rule.rule, endpoint=rule.endpoint, methods=rule.methods) for rule in app.url_map.iter_rules()]
    )
    theirs = plain.bind("broker.example")
    for ours_map in (app.url_map, second.url_map):
        ours = ours_map.bind("broker.example")
        for rule in ours_map.iter_rules():
            assert all(converter.map is ours_map for converter in rule._converters.values()), rule.rule
            # No slash in a value here: a path segment's slash would be a separator, for either map.
            values = {
                name: str(_value(converter)).replace("/", "-") for name, converter in rule._converters.items()
            }
            method = sorted(rule.methods or {"GET"})[0]
            path = theirs.build(rule.endpoint, values, method=method)
            assert ours.match(path, method=method) == theirs.match(path, method=method), rule.rule


def test_a_rule_added_after_the_app_is_made_is_refused_and_no_other_app_sees_it(app):
    second = _second(app)
    with pytest.raises(RuntimeError, match="shared by every app"):
        second.add_url_rule("/added-later", endpoint="added_later", view_func=lambda: "")
    assert "/added-later" not in {rule.rule for rule in app.url_map.iter_rules()}


def _recorded(*rules: Rule) -> RecordingMap:
    recording = RecordingMap()
    for rule in rules:
        recording.add(rule)
    return recording


@pytest.mark.parametrize(
    "other",
    [
        Rule("/orders/<uuid:order_id>", endpoint="orders.show", methods=["POST"]),
        Rule("/orders/<int:order_id>", endpoint="orders.show", methods=["GET"]),
        Rule("/orders/<uuid:order_id>", endpoint="orders.read", methods=["GET"]),
        Rule("/orders/<uuid:order_id>", endpoint="orders.show", methods=["GET"], strict_slashes=False),
        Rule("/orders/<uuid:order_id>", endpoint="orders.show", methods=["GET"], defaults={"page": 1}),
    ],
    ids=["method", "converter", "endpoint", "slashes", "defaults"],
)
def test_only_apps_with_equal_rules_share_a_map(other):
    def first() -> Rule:
        return Rule("/orders/<uuid:order_id>", endpoint="orders.show", methods=["GET"])

    shared = shared_map(_recorded(first(), Rule("/inbox", endpoint="inbox")))
    assert shared_map(_recorded(first(), Rule("/inbox", endpoint="inbox"))) is shared
    assert shared_map(_recorded(other, Rule("/inbox", endpoint="inbox"))) is not shared
    assert (
        shared_map(_recorded(Rule("/inbox", endpoint="inbox"), first())) is not shared
    )  # order: which rule builds a URL

"""The app's URL rules are parsed once per process and build their URLs on first use: the URLs they
build and the URLs they match must be exactly Werkzeug's own, in every app."""

import uuid

from werkzeug.routing import AnyConverter
from werkzeug.routing import IntegerConverter
from werkzeug.routing import Map
from werkzeug.routing import Rule
from werkzeug.routing import UUIDConverter

from broker.app import create_app
from broker.url_rules import BuiltWhenFirstUsed


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
    assert rules and all(isinstance(rule, BuiltWhenFirstUsed) for rule in rules)
    for rule in rules:
        values = {name: _value(converter) for name, converter in rule._converters.items()}
        extra = {"page": "2"}  # not a rule argument: appended as a query string by the other builder
        assert ours.build(rule.endpoint, values | extra) == theirs.build(rule.endpoint, values | extra), (
            rule.rule
        )


def test_every_url_is_matched_as_werkzeug_matches_it_in_a_second_app(app):
    """The second app's rules reuse the first one's parses: they must match the same way, each
    converter bound to its own app's map."""
    second = create_app(
        app.config, clock=app.extensions["broker"].clock, database=app.extensions["broker"].database
    )
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

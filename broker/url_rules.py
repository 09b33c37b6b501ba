"""One URL map per process for every app with the same rules, so that making an app stays cheap.

Adding a rule to a Werkzeug map parses its text, writes and compiles two Python functions and adds
its states to the matcher: 14 of the 17 ms that `create_app` took, paid again by every app the test
suite makes (thousands) for the same rules every time. An app's blueprints now add their rules to a
recording map, which binds nothing; `shared_map` then hands back the map built, once, from rules
equal to those. Matching and building are Werkzeug's own: the shared map is a plain Map with the
same rules, and it refuses a rule added later, which every app holding it would see.
"""

import threading
from collections.abc import Hashable

from werkzeug.routing import Map
from werkzeug.routing import Rule
from werkzeug.routing import RuleFactory

# A map's settings besides its converters: what a shared map copies, and what must be equal to share it.
_SETTINGS = (
    "default_subdomain",
    "strict_slashes",
    "merge_slashes",
    "redirect_defaults",
    "sort_parameters",
    "sort_key",
    "host_matching",
)


class RecordingMap(Map):
    """Where an app's rules are added while it is made: kept in order, not yet bound to any map."""

    def __init__(self) -> None:
        super().__init__()
        self.recorded: list[Rule] = []

    def add(self, rulefactory: RuleFactory) -> None:
        self.recorded.extend(rulefactory.get_rules(self))


class SharedMap(Map):
    """A map built from one list of rules and shared by the apps that add equal ones."""

    def __init__(self, rules: list[Rule], like: Map) -> None:
        self._sealed = False
        super().__init__(
            rules, converters=like.converters, **{name: getattr(like, name) for name in _SETTINGS}
        )
        self._sealed = True

    def add(self, rulefactory: RuleFactory) -> None:
        if self._sealed:
            raise RuntimeError(
                "this URL map is shared by every app with the same rules: add rules in create_app"
            )
        super().add(rulefactory)


_BUILT: dict[Hashable, SharedMap] = {}
_BUILDING = threading.Lock()


def shared_map(recording: RecordingMap) -> SharedMap:
    """The map of every rule `recording` holds, built by the first app that added equal rules."""
    key = (_settings(recording), tuple(_rule_key(rule) for rule in recording.recorded))
    with _BUILDING:
        built = _BUILT.get(key)
        if built is None:
            built = _BUILT[key] = SharedMap(recording.recorded, like=recording)
    return built


def _settings(map_: Map) -> Hashable:
    return (tuple(sorted(map_.converters.items())), *(getattr(map_, name) for name in _SETTINGS))


def _rule_key(rule: Rule) -> Hashable:
    """Everything a rule was made with, so that only equal rules share a map."""
    return (
        type(rule),
        rule.rule,
        rule.endpoint,
        frozenset(rule.methods or ()),
        tuple(sorted((rule.defaults or {}).items())),
        rule.subdomain,
        rule.host,
        rule.strict_slashes,
        rule.merge_slashes,
        rule.redirect_to,
        rule.alias,
        rule.build_only,
        rule.websocket,
        getattr(rule, "provide_automatic_options", None),
    )

"""URL rules that cost little to add, so that making an app (which every test does) stays cheap.

Werkzeug parses each rule's text and writes and compiles two Python functions per rule as the rule is
added to an app's map: nearly all the time `create_app` takes, paid again by every app the test suite
makes, for the same texts every time. These rules parse a text once per process and write their URL
builders the first time one is built. No URL changes: matching uses the parts Werkzeug's own parser
gave, and `url_for` calls the same generated code.
"""

import copy
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from werkzeug.routing import BaseConverter
from werkzeug.routing import Rule
from werkzeug.routing.rules import RulePart


@dataclass(frozen=True)
class _Parsed:
    """What parsing one rule text gave: its parts, and what the parse added to the rule."""

    parts: tuple[RulePart, ...]
    trace: tuple[tuple[bool, str], ...]
    converters: tuple[tuple[str, BaseConverter], ...]


# (rule text, the map's converter classes by name) -> what parsing it gave.
_PARSED: dict[tuple[str, frozenset[tuple[str, type]]], _Parsed] = {}


class BuiltWhenFirstUsed(Rule):
    """A URL rule parsed once per process and text, whose URL builders are generated when first used."""

    def _parse_rule(self, rule: str) -> Iterable[RulePart]:
        assert self.map is not None  # compile() parses only a bound rule
        key = (rule, frozenset(self.map.converters.items()))
        parsed = _PARSED.get(key)
        if parsed is None:
            trace_before, converters_before = len(self._trace), set(self._converters)
            parts = tuple(super()._parse_rule(rule))
            added = tuple((n, c) for n, c in self._converters.items() if n not in converters_before)
            parsed = _PARSED[key] = _Parsed(parts, tuple(self._trace[trace_before:]), added)
            return parts
        self._trace.extend(parsed.trace)
        for name, converter in parsed.converters:
            own = copy.copy(converter)  # a converter belongs to its map: a copy bound to this rule's
            own.map = self.map
            self._converters[name] = own
            self.arguments.add(name)
        return parsed.parts

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        compile_builder = super()._compile_builder
        compiled: list[Callable[..., tuple[str, str]]] = []

        def build(rule: Rule, **values: Any) -> tuple[str, str]:
            if not compiled:  # two threads may both compile here: the same code, so either result serves
                compiled.append(compile_builder(append_unknown).__get__(rule, None))
            return compiled[0](**values)

        return build

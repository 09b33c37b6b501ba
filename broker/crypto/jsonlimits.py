"""Bounded, strict reading of JSON that comes from outside: request bodies, JWS headers and payloads.

Python's json module accepts what a broker must not: nesting deep enough to exhaust the parser's
recursion (RecursionError at about 1,000 levels), number literals so long that int() refuses them
(over 4,300 digits) or converting them costs quadratic time, numbers that overflow to infinity, a
member repeated in one object, NaN and Infinity, and strings holding a lone surrogate ("\\ud800",
which cannot be encoded as UTF-8 when an answer is written) or NUL ("\\u0000", which PostgreSQL
cannot store). `loads` refuses all of them with an exception that says why:

- depth is bounded BEFORE parsing, by a scan over the text that does not recurse;
- number literals are bounded WHILE parsing (parse_int / parse_float see the literal first);
- text is checked AFTER parsing, and every offending string, member names included, is reported
  under a JSON Pointer (RFC 6901) to where it is, so an answer can name the field.

Pure: the standard library only, so a party's own systems (broker.client) read with the same limits.
"""

import array
import itertools
import json
import math
import re
from collections.abc import Iterable
from typing import Any

# Deeper than any document of the broker (a certificate nests five levels), far below the ~1,000 at
# which the standard parser runs out of stack.
MAX_DEPTH = 64
# Characters of one number literal, sign, fraction and exponent included: RFC 8785 numbers are IEEE
# doubles, whose shortest spelling never exceeds 25 characters.
MAX_NUMBER_LENGTH = 100
# Offending strings named in one refusal; the rest are summarised.
MAX_REPORTED = 20

# A JSON string, its escapes skipped whole: what is left of a text the parser accepts is structure.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
# An opening bracket is one level down (+1), a closing one a level up (-1 as a signed byte).
_DEPTH_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
# What may hide a NUL or a surrogate: its escape, or the character itself in text already decoded.
_SUSPECT = re.compile(r"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})|[\x00\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_UNSHOWABLE = re.compile(r"[\x00\ud800-\udfff]")


class JSONRefused(ValueError):
    """The text is not JSON this reader accepts: not UTF-8, not JSON, too deep, a number too long."""


class TextRefused(ValueError):
    """Strings of the document hold characters no text may hold.

    `fields` maps a JSON Pointer (RFC 6901) to each offending string, member names included, to why
    it is refused; characters that cannot be shown are written as JSON escapes (NUL as \\u0000) in the pointer itself.
    """

    def __init__(self, fields: dict[str, str], more: int = 0) -> None:
        self.fields = fields
        self.more = more
        first = next(iter(fields.items()))
        others = len(fields) - 1 + more
        suffix = f" (and {others} more)" if others else ""
        super().__init__(f"the text at {first[0] or 'the top'} {first[1]}{suffix}")


def loads(
    data: bytes | str,
    *,
    max_depth: int = MAX_DEPTH,
    max_number_length: int = MAX_NUMBER_LENGTH,
    check_text: bool = True,
) -> Any:
    """Parse strict JSON within the limits; JSONRefused or TextRefused say what is wrong.

    Bytes must be UTF-8 (RFC 8259 section 8.1). A member repeated in one object, NaN and Infinity
    are refused, as are numbers that do not fit a double. `check_text=False` skips the text check,
    for documents whose strings are compared but never stored or echoed.
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise JSONRefused(f"not UTF-8: {error}") from error
    else:
        text = data
    _check_depth(text, max_depth)

    def parse_int(literal: str) -> int:
        _check_length(literal, max_number_length)
        return int(literal)

    def parse_float(literal: str) -> float:
        _check_length(literal, max_number_length)
        value = float(literal)
        if not math.isfinite(value):
            raise JSONRefused(f"the number {literal} is too large for a double")
        return value

    try:
        document = json.loads(
            text,
            object_pairs_hook=_unique_members,
            parse_int=parse_int,
            parse_float=parse_float,
            parse_constant=_refuse_constant,
        )
    except json.JSONDecodeError as error:
        raise JSONRefused(f"not JSON: {error}") from error
    except RecursionError as error:  # the depth check makes this unreachable; never a 500 if it is not
        raise JSONRefused(f"nested deeper than {max_depth} levels") from error
    if check_text and _SUSPECT.search(text):
        found, more = unacceptable_text(document)
        if found:
            raise TextRefused(found, more)
    return document


def refused_text(value: str) -> str | None:
    """Why a string may not be accepted as text, or None: NUL anywhere, or a lone surrogate."""
    if "\x00" in value:
        return "contains U+0000 (NUL), which no text may contain"
    surrogate = _SURROGATE.search(value)
    if surrogate:
        return f"contains the lone surrogate U+{ord(surrogate.group()):04X}, which cannot be encoded as UTF-8"
    return None


def refused_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Why each name-value pair (a query string, a posted form) may not be accepted, by its shown name."""
    return {
        shown(name): reason
        for name, value in pairs
        for reason in (refused_text(name) or refused_text(value),)
        if reason
    }


def unacceptable_text(document: Any, limit: int = MAX_REPORTED) -> tuple[dict[str, str], int]:
    """Every string of a parsed document that `refused_text` refuses, by JSON Pointer, in document order.

    Returns at most `limit` of them and how many more there are. Walks with a stack of its own, so
    no document can exhaust the interpreter's recursion.
    """
    found: dict[str, str] = {}
    more = 0
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, value = stack.pop()
        children: list[tuple[str, Any]] = []
        if isinstance(value, str):
            reason = refused_text(value)
            if reason:
                if len(found) < limit:
                    found[path] = reason
                else:
                    more += 1
        elif isinstance(value, dict):
            for name, item in value.items():
                child = f"{path}/{pointer_token(name)}"
                reason = refused_text(name)
                if reason:
                    if len(found) < limit:
                        found[child] = f"is a member name that {reason}"
                    else:
                        more += 1
                children.append((child, item))
        elif isinstance(value, list):
            children = [(f"{path}/{index}", item) for index, item in enumerate(value)]
        stack.extend(reversed(children))
    return found, more


def pointer_token(name: str) -> str:
    """One reference token of a JSON Pointer (RFC 6901), with NUL and surrogates written as JSON escapes."""
    return shown(name.replace("~", "~0").replace("/", "~1"))


def shown(text: str) -> str:
    """`text` fit to be sent back: NUL and lone surrogates written as six-character JSON escapes (\\u0000)."""
    return _UNSHOWABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _check_depth(text: str, max_depth: int) -> None:
    """Refuse text nested deeper than `max_depth`, without parsing it and without recursion.

    With strings removed, the brackets alone give the shape: each opening one is a step down, each
    closing one a step up, and the deepest point is the greatest running sum. Every loop here runs
    inside the regular expression engine, bytes.translate and itertools, in linear time.
    """
    # Fewer brackets than the limit cannot nest deeper than it: most documents skip the scan.
    if text.count("[") + text.count("{") <= max_depth:
        return
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text)).encode("ascii")
    steps = array.array("b", brackets.translate(_DEPTH_STEPS))
    if max(itertools.accumulate(steps), default=0) > max_depth:
        raise JSONRefused(f"nested deeper than {max_depth} levels")


def _check_length(literal: str, max_number_length: int) -> None:
    if len(literal) > max_number_length:
        raise JSONRefused(
            f"a number literal of {len(literal)} characters; at most {max_number_length} are read"
        )


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):  # rare: only then look for the name that came twice
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise JSONRefused(f"member {name!r} appears twice in one object")
            seen.add(name)
    return document


def _refuse_constant(name: str) -> None:
    raise JSONRefused(f"{name} is not a JSON number")

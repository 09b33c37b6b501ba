"""broker.crypto.jsonlimits: strict JSON within bounds, and text that can be stored and sent back."""

import contextlib
import json
import time

import pytest

from broker.crypto import jsonlimits
from broker.crypto.jsonlimits import JSONRefused
from broker.crypto.jsonlimits import TextRefused


def nested(depth: int, leaf: str = "1") -> str:
    """A JSON text `depth` levels deep, alternating arrays and objects."""
    text = leaf
    for level in range(depth):
        text = f"[{text}]" if level % 2 else f'{{"a":{text}}}'
    return text


ACCEPTED = [
    pytest.param('{"a": [1, 2.5, -0, true, null, "x"]}', id="plain"),
    pytest.param(nested(64), id="64 levels, the limit"),
    pytest.param("9" * 100, id="a 100-digit integer, the limit"),
    pytest.param("-1." + "5" * 97, id="a 100-character float"),
    pytest.param('"\\ud83d\\ude00"', id="an escaped surrogate pair is one character"),
    pytest.param('{"a": "' + "[" * 500 + '"}', id="brackets inside a string do not nest"),
    pytest.param('{"a": "\\\\u0000"}', id="an escaped backslash before u0000 is not NUL"),
    pytest.param(" \n[1]\t", id="whitespace around"),
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_accepts_what_the_standard_parser_reads_within_the_limits(text):
    assert jsonlimits.loads(text) == json.loads(text)
    assert jsonlimits.loads(text.encode("utf-8")) == json.loads(text)


REFUSED = [
    pytest.param(nested(65), "nested deeper than 64 levels", id="65 levels"),
    pytest.param("[" * 1000 + "]" * 1000, "nested deeper than 64 levels", id="1,000 levels"),
    pytest.param("[" * 100_000, "nested deeper than 64 levels", id="100,000 unclosed"),
    pytest.param('{"a":' * 70 + "1" + "}" * 70, "nested deeper than 64 levels", id="objects 70 deep"),
    pytest.param("9" * 101, "a number literal of 101 characters", id="101 digits"),
    pytest.param("1" * 5000, "a number literal of 5000 characters", id="5,000 digits (int() refuses 4,300)"),
    pytest.param('{"n": 1.' + "0" * 200 + "}", "a number literal of 202 characters", id="a long fraction"),
    pytest.param("1e400", "too large for a double", id="overflows to infinity"),
    pytest.param("-1e400", "too large for a double", id="overflows to minus infinity"),
    pytest.param("NaN", "NaN is not a JSON number", id="NaN"),
    pytest.param("[Infinity]", "Infinity is not a JSON number", id="Infinity"),
    pytest.param('{"a": 1, "a": 2}', "member 'a' appears twice", id="a repeated member"),
    pytest.param("{'a': 1}", "not JSON", id="not JSON"),
    pytest.param("[}", "not JSON", id="unbalanced, reported as not JSON"),
    pytest.param(b"\xff[]", "not UTF-8", id="not UTF-8"),
    pytest.param("[1]".encode("utf-16"), "not UTF-8", id="UTF-16, which RFC 8259 does not allow"),
    pytest.param("\ufeff[1]", "not JSON", id="a byte order mark"),
]


@pytest.mark.parametrize(("text", "message"), REFUSED)
def test_refuses_what_the_broker_must_not_read(text, message):
    with pytest.raises(JSONRefused, match=message):
        jsonlimits.loads(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[" * 1_000_000 + "]" * 1_000_000, id="a million levels"),
        pytest.param("[" + "1" * 1_000_000 + "]", id="a million digits"),
        pytest.param("[" * 60 + ",".join(['{"a":[1,{"b":[]}]}'] * 50_000) + "]" * 60, id="many brackets"),
    ],
)
def test_bounds_are_checked_in_linear_time(text):
    """The refusal (or the parse) of a megabyte takes well under a second, never a stack or a quadratic."""
    started = time.perf_counter()
    with contextlib.suppress(JSONRefused):
        jsonlimits.loads(text)
    assert time.perf_counter() - started < 5.0


def test_the_limits_can_be_set_per_call():
    assert jsonlimits.loads("[[1]]", max_depth=2) == [[1]]
    with pytest.raises(JSONRefused, match="deeper than 1"):
        jsonlimits.loads("[[1]]", max_depth=1)
    with pytest.raises(JSONRefused, match="at most 3"):
        jsonlimits.loads("1234", max_number_length=3)


TEXT = [
    pytest.param('"\\ud800"', {"": "contains the lone surrogate U+D800"}, id="a lone high surrogate"),
    pytest.param(
        '["ok", "\\udfff"]', {"/1": "contains the lone surrogate U+DFFF"}, id="a lone low surrogate"
    ),
    pytest.param('{"a": {"b": "x\\u0000y"}}', {"/a/b": "contains U+0000 (NUL)"}, id="NUL in a nested value"),
    pytest.param(
        '{"a\\u0000b": 1}', {"/a\\u0000b": "is a member name that contains U+0000"}, id="NUL in a member name"
    ),
    pytest.param(
        '{"a/b~c": ["\\ud800"]}', {"/a~1b~0c/0": "contains the lone surrogate"}, id="pointer escapes / and ~"
    ),
    pytest.param(
        '{"x": "\\ud83d", "y": ["\\u0000"]}',
        {"/x": "lone surrogate U+D83D", "/y/0": "U+0000"},
        id="every place, in document order",
    ),
    pytest.param(
        '"\\ude00\\ud83d"', {"": "contains the lone surrogate U+DE00"}, id="a pair in the wrong order"
    ),
]


@pytest.mark.parametrize(("text", "named"), TEXT)
def test_text_that_cannot_be_stored_or_sent_is_refused_where_it_is(text, named):
    with pytest.raises(TextRefused) as refused:
        jsonlimits.loads(text)
    assert list(refused.value.fields) == list(named)
    for where, why in named.items():
        assert why in refused.value.fields[where]
    # The report itself is text that can be sent: no NUL, no surrogate left in it.
    json.dumps(refused.value.fields, ensure_ascii=False).encode("utf-8")
    assert str(refused.value).startswith("the text at ")


def test_text_is_not_checked_when_asked_not_to():
    assert jsonlimits.loads('{"kid": "\\u0000"}', check_text=False) == {"kid": "\x00"}


def test_a_document_with_many_bad_strings_names_the_first_twenty():
    text = json.dumps([f"bad\x00{i}" for i in range(25)])
    with pytest.raises(TextRefused) as refused:
        jsonlimits.loads(text)
    assert len(refused.value.fields) == 20
    assert refused.value.more == 5
    assert "(and 24 more)" in str(refused.value)


def test_a_string_already_decoded_is_checked_too():
    """A str handed over by a caller may hold a raw surrogate the text never escaped."""
    with pytest.raises(TextRefused):
        jsonlimits.loads('["\ud800"]')


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("fine", None),
        ("tab\tand newline\n are text", None),
        ("nul\x00", "U+0000"),
        ("\ud800", "U+D800"),
        ("😀", None),
    ],
)
def test_refused_text(value, reason):
    found = jsonlimits.refused_text(value)
    assert (found is None) if reason is None else (reason in found)

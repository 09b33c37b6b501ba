"""RFC 8785 canonical JSON against the reference repository's vectors, plus idempotence."""

import json
import math
import struct
from pathlib import Path

import pytest
import rfc8785
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from broker.crypto import CanonicalizationError
from broker.crypto import canonicalize
from tests.budget import examples

CASES = ["arrays", "french", "structures", "unicode", "values", "weird"]
SAFE_INT = 2**53 - 1


def _float_from_hex(bits: str) -> float:
    return struct.unpack(">d", bytes.fromhex(bits.zfill(16)))[0]


def _lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="ascii").splitlines()
    assert lines, f"no vectors in {path}"
    return lines


def test_every_published_case_is_listed(vectors_dir: Path) -> None:
    names = sorted(p.stem for p in (vectors_dir / "rfc8785-jcs" / "input").glob("*.json"))
    assert names == CASES


@pytest.mark.parametrize("name", CASES)
def test_reference_case(vectors_dir: Path, name: str) -> None:
    jcs = vectors_dir / "rfc8785-jcs"
    value = json.loads((jcs / "input" / f"{name}.json").read_bytes())
    assert canonicalize(value) == (jcs / "output" / f"{name}.json").read_bytes()


def test_values_case_keeps_floats(vectors_dir: Path) -> None:
    value = json.loads((vectors_dir / "rfc8785-jcs" / "input" / "values.json").read_bytes())
    assert all(isinstance(n, float) for n in value["numbers"])
    assert canonicalize(value["numbers"]) == b"[333333333.3333333,1e+30,4.5,0.002,1e-27]"


def test_es6_number_samples(vectors_dir: Path) -> None:
    for line in _lines(vectors_dir / "rfc8785-jcs" / "es6-number-samples.txt"):
        bits, expected = line.split(",")
        assert canonicalize(_float_from_hex(bits)) == expected.encode("ascii"), line


def test_es6_numbers_that_must_be_rejected(vectors_dir: Path) -> None:
    for bits in _lines(vectors_dir / "rfc8785-jcs" / "es6-number-must-reject.txt"):
        number = _float_from_hex(bits)
        assert not math.isfinite(number), bits
        with pytest.raises(CanonicalizationError):
            canonicalize(number)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(2**53, id="int-above-safe-range"),
        pytest.param(-(2**53), id="int-below-safe-range"),
        pytest.param({1: "a"}, id="int-key"),
        pytest.param({b"k": "a"}, id="bytes-key"),
        pytest.param(b"bytes", id="bytes"),
        pytest.param({1, 2}, id="set"),
        pytest.param("\ud800", id="lone-surrogate"),
        pytest.param({"\ud800": 1, "a": 2}, id="lone-surrogate-key"),
    ],
)
def test_values_without_canonical_form(value: object) -> None:
    with pytest.raises(CanonicalizationError):
        canonicalize(value)


def test_canonicalization_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="exceeds safe integer domain"):
        canonicalize(2**60)


def test_large_integral_float_does_not_survive_a_python_reparse() -> None:
    """Pinned sharp edge: JCS prints 2**53+2 without exponent, json.loads reads it back as an int
    outside the I-JSON range, and canonicalize then refuses it.  Parse numbers as floats to avoid it."""
    text = canonicalize(2.0**53 + 2)
    assert text == b"9007199254740994"
    with pytest.raises(CanonicalizationError):
        canonicalize(json.loads(text))
    assert canonicalize(json.loads(text, parse_int=float)) == text


# Integral floats in [2**53, 1e21) are left out: see the pinned sharp edge above.
_floats = st.floats(allow_nan=False, allow_infinity=False).filter(
    lambda f: not (f.is_integer() and 2**53 <= abs(f) < 1e21)
)
_scalars = st.none() | st.booleans() | st.integers(-SAFE_INT, SAFE_INT) | _floats | st.text()
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=25,
)


@given(_json)
def test_canonical_form_is_a_fixed_point(value: object) -> None:
    once = canonicalize(value)
    assert canonicalize(json.loads(once)) == once


# What the broker signs, drawn to reach the fast path's edges: keys ASCII or not (astral ones sort
# differently in UTF-16), every control character, lone surrogates, integers at and past the safe
# range, tuples, and now and then a float or a type JSON lacks, which send the value to the library.
_edge_text = st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=6)
_edge_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**54), 2**54)
    | st.sampled_from([SAFE_INT, -SAFE_INT, SAFE_INT + 1, -SAFE_INT - 1, 0.5, 1.0, b"bytes"])
    | st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=6)
    | _edge_text
)
_edge_json = st.recursive(
    _edge_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(
            st.text(st.characters(max_codepoint=0x7F), max_size=4) | _edge_text, inner, max_size=4
        )
        | st.dictionaries(st.integers(0, 3), inner, min_size=1, max_size=2)
    ),
    max_leaves=15,
)


def _library(value: object) -> bytes | type[Exception]:
    try:
        return rfc8785.dumps(value)  # type: ignore[arg-type]
    except (rfc8785.CanonicalizationError, UnicodeEncodeError):
        return CanonicalizationError


def _ours(value: object) -> bytes | type[Exception]:
    try:
        return canonicalize(value)
    except CanonicalizationError:
        return CanonicalizationError


@settings(max_examples=examples(500, "BROKER_CANONICAL_EXAMPLES"))
@given(_edge_json)
def test_the_fast_path_writes_the_bytes_the_library_writes(value: object) -> None:
    """The standard encoder's shortcut (broker.crypto.canonical) gives the library's bytes, or the same refusal."""
    assert _ours(value) == _library(value)


@pytest.mark.parametrize(
    "value",
    [
        {"\U0001f600": 1, "\ufb01": 2},  # UTF-16 puts the astral key first, code points last
        {"a\x7f": '\x00\x1f\b\f\n\r\t"\\/\u2028'},
        [SAFE_INT, -SAFE_INT, True, False, None, ()],
    ],
)
def test_edges_of_the_fast_path_match_the_library(value: object) -> None:
    assert canonicalize(value) == rfc8785.dumps(value)  # type: ignore[arg-type]

"""Every C2SP/CCTV age test-kit vector gives the expected outcome through `decrypt_stream`.

It guards the error mapping, which relies on pyrage's messages, on every pyrage upgrade.
"""

import hashlib
import io
import zlib
from pathlib import Path

import pytest

from broker.client import age

TESTDATA = Path(__file__).resolve().parents[1] / "vectors" / "age-testkit" / "testdata"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

# The kit's `expect:` values and the exact error class each must raise (None: success).
EXPECTED: dict[str, type[age.AgeError] | None] = {
    "success": None,
    "no match": age.NoMatchingIdentity,
    "HMAC failure": age.HeaderMacError,
    "header failure": age.HeaderError,
    "payload failure": age.PayloadError,
}


def _vectors() -> list[str]:
    # Fail at collection rather than skip: a missing kit must not pass silently.
    assert TESTDATA.is_dir(), f"age test kit not found at {TESTDATA}"
    return sorted(p.name for p in TESTDATA.iterdir() if p.is_file())


def _parse(raw: bytes) -> tuple[dict[str, list[str]], bytes]:
    head, sep, body = raw.partition(b"\n\n")
    assert sep, "test-kit file has no blank line after its header"
    header: dict[str, list[str]] = {}
    for line in head.decode("ascii").split("\n"):
        key, colon, value = line.partition(": ")
        assert colon, f"bad header line {line!r}"
        header.setdefault(key, []).append(value)
    if header.get("compressed") == ["zlib"]:
        body = zlib.decompress(body)
    return header, body


def test_kit_is_complete() -> None:
    assert len(_vectors()) == 20


@pytest.mark.parametrize("name", _vectors())
def test_vector(name: str) -> None:
    header, body = _parse((TESTDATA / name).read_bytes())
    (expect,) = header["expect"]
    assert expect in EXPECTED, f"unknown expect {expect!r}"
    error = EXPECTED[expect]
    released = io.BytesIO()
    if error is None:
        age.decrypt_stream(io.BytesIO(body), released, header["identity"])
    else:
        with pytest.raises(age.AgeError) as caught:
            age.decrypt_stream(io.BytesIO(body), released, header["identity"])
        assert type(caught.value) is error
    (payload,) = header.get("payload", [EMPTY_SHA256])
    assert hashlib.sha256(released.getvalue()).hexdigest() == payload

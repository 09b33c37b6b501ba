"""Time-based one-time passwords (RFC 6238), with nothing but `cryptography`'s hazmat TOTP.

Warehouse's habits (pypi/warehouse, warehouse/utils/otp.py): a 160-bit secret (RFC 4226 §4
recommends 160 bits), SHA-1, six digits and 30-second steps, which every authenticator app
understands; a code is accepted one step either side of now (RFC 6238 §5.2 allows for clock drift
and the time it takes to type); and a code that would be right ten steps either side is answered
differently, so the page can tell the person that their device's clock is wrong rather than that
the code is. The step of the accepted code is returned, so that the caller can refuse the same
code a second time (RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt of the OTP").
"""

import base64
import os
import re
from datetime import datetime

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor import InvalidToken
from cryptography.hazmat.primitives.twofactor.totp import TOTP

SECRET_BYTES = 20
DIGITS = 6
STEP_SECONDS = 30
VALID_WINDOW = 1
OUT_OF_SYNC_WINDOW = 10
# Without spaces: the library writes the issuer parameter with "+" for a space, which some apps show as is.
ISSUER = "e-Evidence-broker"

_CODE = re.compile(r"^[0-9]{6}$")


class CodeMalformed(ValueError):
    """Not six digits (spaces and dashes aside)."""


class CodeRejected(ValueError):
    """Six digits, but not the code of now."""


class ClockOutOfSync(CodeRejected):
    """The code of a moment up to five minutes away: the device's clock is wrong."""


def new_secret() -> str:
    """A fresh secret, as the base32 text authenticator apps take (no padding)."""
    return base64.b32encode(os.urandom(SECRET_BYTES)).decode("ascii").rstrip("=")


def provisioning_uri(secret: str, account: str) -> str:
    """The otpauth:// URI an authenticator app reads from the enrolment QR code."""
    return _totp(secret).get_provisioning_uri(account, ISSUER)


def normalise(code: str) -> str:
    """The six digits of what a person typed ("123 456", "123-456"), or CodeMalformed."""
    digits = re.sub(r"[\s-]", "", code)
    if not _CODE.match(digits):
        raise CodeMalformed(code)
    return digits


def step_of(moment: datetime) -> int:
    """The RFC 6238 time step `moment` falls in."""
    return int(moment.timestamp()) // STEP_SECONDS


def verify(secret: str, code: str, moment: datetime) -> int:
    """The time step whose code `code` is, within one step of `moment`; else why not.

    Raises CodeMalformed, ClockOutOfSync (right for a moment up to ten steps away) or CodeRejected.
    """
    digits = normalise(code).encode("ascii")
    totp = _totp(secret)
    now = step_of(moment)
    for offset in sorted(range(-VALID_WINDOW, VALID_WINDOW + 1), key=abs):
        if _matches(totp, digits, now + offset):
            return now + offset
    drifted = range(-OUT_OF_SYNC_WINDOW, OUT_OF_SYNC_WINDOW + 1)
    if any(_matches(totp, digits, now + offset) for offset in drifted if abs(offset) > VALID_WINDOW):
        raise ClockOutOfSync(code)
    raise CodeRejected(code)


def code_at(secret: str, moment: datetime) -> str:
    """The code an authenticator shows at `moment` (tests and the demo's terminal)."""
    return _totp(secret).generate(int(moment.timestamp())).decode("ascii")


def _matches(totp: TOTP, digits: bytes, step: int) -> bool:
    try:
        totp.verify(digits, step * STEP_SECONDS)
    except InvalidToken:
        return False
    return True


def _totp(secret: str) -> TOTP:
    padded = secret + "=" * (-len(secret) % 8)
    # SHA-1 is what RFC 6238 and every authenticator app use; HMAC-SHA-1 is not broken by SHA-1 collisions.
    return TOTP(base64.b32decode(padded.upper()), DIGITS, SHA1(), STEP_SECONDS)  # noqa: S303

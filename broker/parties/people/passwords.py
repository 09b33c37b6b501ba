"""Passwords, kept only as Argon2id hashes (argon2-cffi, the reference implementation's binding).

Argon2id is the memory-hard KDF that RFC 9106 recommends and the Password Hashing Competition
chose: guessing a stolen hash costs memory as well as time, which rules out cheap GPU farms. The
parameters are argon2-cffi's defaults, RFC 9106's "low memory" profile; they sit in every hash's
PHC string, so raising them later re-hashes each password at its owner's next sign-in
(`needs_rehash`) while the old hashes keep verifying.

The rules on a new password follow NIST SP 800-63B §3.1.1.2: a minimum length and nothing else
(no composition rules, no expiry), long enough for a pass phrase, and not the person's e-mail.
"""

import contextlib
from enum import StrEnum

import argon2
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError

MIN_LENGTH = 12
# Long pass phrases are welcome; beyond this, the length is an attempt to make hashing expensive.
MAX_LENGTH = 1024

# Module-level so that tests can swap in cheap parameters (tests/portal/conftest.py).
HASHER = argon2.PasswordHasher()

# A hash verified when the e-mail is unknown, made with HASHER: the answer then takes as long as for
# a real account, so timing does not tell which addresses have one.
_decoy: tuple[argon2.PasswordHasher, str] | None = None


class Weakness(StrEnum):
    """Why a new password is refused; each door words it in its own medium and language."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    IS_EMAIL = "is_email"

    @property
    def explained(self) -> str:
        """In English, for the operator's CLI and the problem detail."""
        return {
            Weakness.TOO_SHORT: f"a password must be {MIN_LENGTH} characters or more",
            Weakness.TOO_LONG: f"a password must be {MAX_LENGTH} characters or fewer",
            Weakness.IS_EMAIL: "a password must not be the person's e-mail address",
        }[self]


def hash_password(password: str) -> str:
    """The PHC string to store for `password`."""
    return HASHER.hash(password)


def verify(stored: str | None, password: str) -> bool:
    """Whether `password` matches the stored hash; a missing hash costs the same time and fails."""
    if stored is None:
        _decoy_verify(password)
        return False
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether the stored hash was made with other parameters than today's (re-hash on success)."""
    try:
        return HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


def weakness(password: str, email: str) -> Weakness | None:
    """What is wrong with `password` as a new password for the person with `email`, or None."""
    if len(password) < MIN_LENGTH:
        return Weakness.TOO_SHORT
    if len(password) > MAX_LENGTH:
        return Weakness.TOO_LONG
    if password.strip().lower() == email.strip().lower():
        return Weakness.IS_EMAIL
    return None


def _decoy_verify(password: str) -> None:
    global _decoy
    if _decoy is None or _decoy[0] is not HASHER:
        _decoy = (HASHER, HASHER.hash("a decoy that no account has"))
    with contextlib.suppress(VerificationError, InvalidHashError):
        HASHER.verify(_decoy[1], password)

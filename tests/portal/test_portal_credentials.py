"""The account primitives on their own: RFC 6238 codes, the ±1 step window, out-of-sync codes, passwords."""

import base64
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from broker.parties.people import passwords
from broker.parties.people import totp
from broker.parties.people.operations.signin import normalise_recovery_code

# RFC 6238 Appendix B, SHA-1 with the key "12345678901234567890": the 8-digit values' last six
# digits are the 6-digit codes (HOTP truncation is the value modulo 10^digits).
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]
NOW = datetime(2026, 11, 24, 9, 0, 10, tzinfo=UTC)


@pytest.mark.parametrize(("seconds", "eight_digits"), RFC_VECTORS)
def test_codes_are_rfc_6238s(seconds, eight_digits):
    moment = datetime.fromtimestamp(seconds, UTC)
    assert totp.code_at(RFC_SECRET, moment) == eight_digits[-6:]
    assert totp.verify(RFC_SECRET, eight_digits[-6:], moment) == seconds // 30


@pytest.mark.parametrize(
    ("offset_steps", "accepted"),
    [(0, True), (-1, True), (1, True), (-2, False), (2, False), (10, False), (-10, False)],
)
def test_a_code_is_accepted_one_step_either_side(offset_steps, accepted):
    secret = totp.new_secret()
    code = totp.code_at(secret, NOW + timedelta(seconds=30 * offset_steps))
    if accepted:
        assert totp.verify(secret, code, NOW) == totp.step_of(NOW) + offset_steps
    else:
        with pytest.raises(totp.ClockOutOfSync):
            totp.verify(secret, code, NOW)


def test_a_code_from_further_away_is_simply_wrong():
    secret = totp.new_secret()
    far = totp.code_at(secret, NOW + timedelta(minutes=30))
    with pytest.raises(totp.CodeRejected) as refused:
        totp.verify(secret, far, NOW)
    assert not isinstance(refused.value, totp.ClockOutOfSync)


@pytest.mark.parametrize("typed", ["12345", "1234567", "abcdef", "12 34 5", ""])
def test_anything_but_six_digits_is_malformed(typed):
    with pytest.raises(totp.CodeMalformed):
        totp.verify(totp.new_secret(), typed, NOW)


@pytest.mark.parametrize("spacing", ["{} {}", "{}-{}", " {}{} "])
def test_people_may_type_the_code_with_a_space_or_dash(spacing):
    secret = totp.new_secret()
    code = totp.code_at(secret, NOW)
    assert totp.verify(secret, spacing.format(code[:3], code[3:]), NOW) == totp.step_of(NOW)


def test_a_secret_is_160_bits_in_base32_and_its_uri_names_the_broker():
    secret = totp.new_secret()
    assert len(base64.b32decode(secret + "=" * (-len(secret) % 8))) == 20
    uri = totp.provisioning_uri(secret, "camille@example.test")
    assert uri.startswith("otpauth://totp/e-Evidence-broker:camille%40example.test?")
    assert f"secret={secret}" in uri and "issuer=e-Evidence-broker" in uri and "period=30" in uri


@pytest.mark.parametrize(
    ("password", "email", "weakness"),
    [
        ("short", "a@example.test", passwords.Weakness.TOO_SHORT),
        ("x" * 11, "a@example.test", passwords.Weakness.TOO_SHORT),
        ("x" * 1025, "a@example.test", passwords.Weakness.TOO_LONG),
        ("Person@Example.test", "person@example.test", passwords.Weakness.IS_EMAIL),
        ("x" * 12, "a@example.test", None),
        ("correct horse battery staple", "a@example.test", None),
    ],
)
def test_password_rules_are_length_and_not_the_email(password, email, weakness):
    assert passwords.weakness(password, email) is weakness


def test_a_password_is_kept_as_an_argon2id_hash():
    stored = passwords.hash_password("correct horse battery staple")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert passwords.verify(stored, "correct horse battery staple")
    assert not passwords.verify(stored, "correct horse battery stapler")
    assert not passwords.verify(None, "anything")
    assert not passwords.verify("not a hash", "anything")


def test_the_production_parameters_are_rfc_9106s_and_old_hashes_are_renewed(monkeypatch):
    import argon2

    assert argon2.PasswordHasher().memory_cost >= 65536  # what passwords.HASHER is outside the tests
    weak = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("a password")
    monkeypatch.setattr(
        passwords, "HASHER", argon2.PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    )
    assert passwords.needs_rehash(weak)


@pytest.mark.parametrize("typed", ["ABCD-EFGH-IJKL-MNOP", "abcd efgh ijkl mnop", " abcdefghijklmnop "])
def test_recovery_codes_are_compared_without_case_spaces_or_dashes(typed):
    assert normalise_recovery_code(typed) == "abcdefghijklmnop"

"""Input the wire schema refuses is reported field by field, never as a crash."""

from datetime import date
from datetime import datetime

import pytest
from situations import Change
from situations import put
from situations import situation

from broker.legal import InvalidCheckInput
from broker.legal import validate_check_input


def attribute(name: str, value: object) -> Change:
    return lambda s: setattr(s, name, value)


BAD = [
    ("unknown instrument", put("instrument", "mla-treaty"), "instrument"),
    ("instrument missing", lambda s: s.certificate.pop("instrument"), "instrument"),
    ("unknown issuing country", put("issuing_authority.country", "XX"), "issuing_authority.country"),
    ("unknown addressee country", put("addressee.country", "UK"), "addressee.country"),
    (
        "unknown authority type",
        put("issuing_authority.authority_type", "police"),
        "issuing_authority.authority_type",
    ),
    ("unknown data category", put("data_categories", ["subscriber", "metadata"]), "data_categories.1"),
    ("unknown order type", attribute("order_type", "eio"), "order_type"),
    ("languages as a list", attribute("addressee_languages", ["en"]), "addressee_languages"),
    ("language in uppercase", attribute("addressee_languages", ("EN",)), "addressee_languages"),
    ("issuing date as a datetime", attribute("issuing_date", datetime(2026, 11, 24, 9)), "issuing_date"),
    ("issuing date as a string", attribute("issuing_date", "2026-11-24"), "issuing_date"),
    ("certificate as a list", attribute("certificate", []), "certificate"),
    (
        "listed offence article 0",
        put("offence.listed_offence", {"directive": "2013/40", "article": 0}),
        "offence.listed_offence.article",
    ),
]


@pytest.mark.parametrize(("name", "change", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_names_the_field(name: str, change: Change, field: str) -> None:
    bad = situation("epoc", change)
    assert field in validate_check_input(bad.input())
    with pytest.raises(InvalidCheckInput) as raised:
        bad.report()
    assert field in raised.value.errors
    assert field in str(raised.value)


def test_a_schema_level_error_is_named_after_the_certificate() -> None:
    bad = situation("epoc", put("emergency", True))  # no justification: a cross-field error
    assert "emergency_justification" in validate_check_input(bad.input())


def test_good_input_has_no_errors() -> None:
    assert validate_check_input(situation("epoc").input()) == {}
    assert isinstance(situation("epoc").issuing_date, date)

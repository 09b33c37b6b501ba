"""For any order the wire schema accepts, the engine answers, and more wrongs never make it right."""

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from hypothesis import assume
from hypothesis import given
from hypothesis import note
from hypothesis import settings
from hypothesis import strategies as st

from broker.countries import ISO_3166_ALPHA2
from broker.legal import CheckInput
from broker.legal import Severity
from broker.legal import check
from broker.legal import load_reference
from broker.legal import validate_check_input
from broker.vocabulary import AddresseeType
from broker.vocabulary import AuthorityType
from broker.vocabulary import DataCategory
from broker.vocabulary import Instrument
from broker.vocabulary import Purpose
from broker.vocabulary import SubsequentRequest
from broker.vocabulary import UserInformationDecision
from tests.budget import examples

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)

REFERENCE = load_reference()
# Mostly States the reference lists say something about, sometimes any ISO code.
COUNTRIES = st.sampled_from(["FR", "IE", "DE", "DK", "BE", "JP", "RS", "US"]) | st.sampled_from(
    sorted(ISO_3166_ALPHA2)
)
LANGUAGES = st.sampled_from(["en", "fr", "de", "ga", "ja", "sr", "zz"])
TEXT = st.sampled_from(["A statement.", "Threat to a child's life.", "Needed now.", "Urgent.", " "])
# Pairs of States an instrument fits, so that many drawn orders are lawful and a wrong can make them unlawful.
FITTING_STATES = {
    Instrument.REG_2023_1543: [("FR", "IE"), ("DE", "FR"), ("IE", "BE")],
    Instrument.CETS_185_ART29: [("FR", "US"), ("DE", "JP")],
    Instrument.CETS_224_ART7: [("JP", "RS"), ("RS", "JP")],
    Instrument.CETS_224_ART8: [("JP", "RS")],
    Instrument.CETS_224_ART9: [("RS", "JP")],
}
FITTING_TYPE = {Instrument.REG_2023_1543: "epoc", Instrument.CETS_185_ART29: "epoc-pr"}
DIRECTIVES = st.sampled_from([*REFERENCE.listed_offences, "2014/41"])
ANNEX_IV = st.sampled_from([*REFERENCE.annex_iv, "Fraud", "shoplifting"])


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A value, or absent (None means: leave the member out)."""
    return st.none() | strategy


@st.composite
def authorities(draw: st.DrawFn, country: st.SearchStrategy[str]) -> dict[str, Any]:
    return {
        "organisation": "3f0c9a4e-8b1d-4c2a-9e7f-1a2b3c4d5e6f",
        "name": "Authority",
        "authority_type": draw(st.sampled_from(list(AuthorityType))).value,
        "country": draw(country),
    }


@st.composite
def orders(draw: st.DrawFn) -> CheckInput:
    """A certificate built from random choices, kept only if the wire schema accepts it."""
    instrument = draw(st.sampled_from(list(Instrument)))
    order_type = draw(st.just(FITTING_TYPE.get(instrument, "epoc")) | st.sampled_from(["epoc", "epoc-pr"]))
    issuing_state, addressee_state = draw(
        st.sampled_from(FITTING_STATES[instrument]) | st.tuples(COUNTRIES, COUNTRIES)
    )
    language = draw(LANGUAGES)
    categories = draw(
        st.sampled_from([["subscriber"], ["traffic"], ["content"]])
        | st.lists(st.sampled_from([c.value for c in DataCategory]), min_size=1, max_size=4, unique=True)
    )
    purpose = draw(st.just("criminal_proceedings") | st.sampled_from([p.value for p in Purpose]))
    emergency = draw(st.just(instrument is Instrument.CETS_224_ART9) | st.booleans())
    offence: dict[str, Any] = {
        "description": "An offence.",
        "legal_provisions": ["Art. 1"],
        "maximum_penalty_months": draw(_maybe(st.integers(0, 400))),
    }
    if (category := draw(_maybe(ANNEX_IV))) is not None:
        offence["annex_iv_category"] = category
    if draw(st.booleans()):
        offence["listed_offence"] = {"directive": draw(DIRECTIVES), "article": draw(st.integers(1, 16))}
        if (online := draw(_maybe(st.booleans()))) is not None:
            offence["listed_offence"]["by_information_system"] = online
    certificate: dict[str, Any] = {
        "instrument": instrument.value,
        "issuing_authority": draw(authorities(st.just(issuing_state))),
        "addressee": {
            "id": "c2b1a0f9-e8d7-4c6b-a5f4-e3d2c1b0a9f8",
            "provider": {"organisation": "7d9e2f10-3c4b-4a5d-8e6f-9a0b1c2d3e4f", "name": "Provider"},
            "addressee_type": draw(st.sampled_from([t.value for t in AddresseeType])),
            "name": "Establishment",
            "country": addressee_state,
            "address": "1 Street",
        },
        "data_categories": categories,
        "targets": [{"type": "account", "value": "someone"}],
        "time_range": {"start": "2026-09-01T00:00:00Z", "end": "2026-10-01T00:00:00Z"},
        "offence": offence,
        "purpose": purpose,
        "emergency": emergency,
        "necessity_and_proportionality": draw(TEXT),
        "case_summary": "A case.",
        "language": language,
    }
    validation = draw(st.sampled_from(["absent", "null", "given"]))
    if validation != "absent":
        validator = authorities(st.just(issuing_state) | COUNTRIES)
        certificate["validating_authority"] = draw(validator) if validation == "given" else None
    if DataCategory.USER_IDENTIFICATION in categories:
        certificate["identification"] = [{"ip_address": "203.0.113.7", "timestamp": "2026-09-02T10:00:00Z"}]
    if purpose == Purpose.SENTENCE_EXECUTION:
        certificate["sentence"] = {
            "imposed_months": draw(st.integers(1, 60)),
            "rendered_in_absentia": draw(st.booleans()),
            "absconded": draw(st.booleans()),
        }
    if emergency:
        certificate["emergency_justification"] = draw(TEXT)
    if order_type == "epoc":
        decision = draw(st.sampled_from([d.value for d in UserInformationDecision]))
        certificate["similar_domestic_order_possible"] = draw(st.sampled_from([True, True, False]))
        certificate["user_information"] = {"decision": decision}
        if decision != UserInformationDecision.INFORM or draw(st.booleans()):
            certificate["user_information"]["justification"] = draw(TEXT)
        for member in ("offence_committed_in_issuing_state", "person_resides_in_issuing_state"):
            if (value := draw(_maybe(st.booleans()))) is not None:
                certificate[member] = value
    else:
        certificate["subsequent_request"] = draw(st.sampled_from([s.value for s in SubsequentRequest]))
    order = CheckInput(
        order_type=order_type,
        certificate=certificate,
        addressee_languages=tuple(
            draw(st.lists(LANGUAGES, max_size=3, unique=True) | st.just([language, "en"]))
        ),
        issuing_date=draw(st.just(date(2026, 11, 24)) | st.dates(date(2026, 6, 1), date(2027, 12, 31))),
    )
    assume(not validate_check_input(order))
    return order


@settings(max_examples=examples(400), deadline=None)
@given(order=orders())
def test_the_engine_answers_every_order_the_schema_accepts(order: CheckInput) -> None:
    note(repr(order))
    report = check(order)
    assert report.blocking == any(
        f.severity is Severity.ERROR and f.overridden is None for f in report.findings
    )
    assert set(report.derived) == {
        "notification_required",
        "notify_state",
        "deadline",
        "ex_post_validation_required",
    }
    assert report.to_dict()["blocking"] == report.blocking


@dataclass(frozen=True)
class Wrong:
    """A change that breaks one rule for certain, whatever else the order gets right or wrong."""

    rules: frozenset[str]
    applies: Callable[[CheckInput], bool]
    change: Callable[[dict[str, Any]], None]


def _regulation(order: CheckInput) -> bool:
    return order.certificate["instrument"] == Instrument.REG_2023_1543


def _unvalidated_prosecutor_content(certificate: dict[str, Any]) -> None:
    certificate["data_categories"] = ["content"]
    certificate.pop("identification", None)
    certificate["issuing_authority"]["authority_type"] = "public_prosecutor"
    certificate["validating_authority"] = None


def _minor_offence_content(certificate: dict[str, Any]) -> None:
    certificate["data_categories"] = ["traffic"]
    certificate.pop("identification", None)
    certificate["offence"]["maximum_penalty_months"] = 12
    certificate["offence"].pop("listed_offence", None)


WRONGS = {
    "issuing State Denmark": Wrong(
        frozenset({"EE-02"}), _regulation, lambda c: c["issuing_authority"].update(country="DK")
    ),
    "addressee in the issuing State": Wrong(
        frozenset({"EE-02", "BC-03", "P2-10"}),
        lambda order: True,
        lambda c: c["addressee"].update(country=c["issuing_authority"]["country"]),
    ),
    "prosecutor's content EPOC without validation": Wrong(
        frozenset({"EE-06", "EE-08"}),
        lambda order: _regulation(order) and order.order_type == "epoc",
        _unvalidated_prosecutor_content,
    ),
    "traffic data for a one-year offence": Wrong(
        frozenset({"EE-09"}),
        lambda order: _regulation(order) and order.order_type == "epoc",
        _minor_offence_content,
    ),
    "a language nobody accepts": Wrong(
        frozenset({"EE-26", "P2-12"}),
        lambda order: order.certificate["instrument"] != Instrument.CETS_185_ART29,
        lambda c: c.update(language="xq"),  # never among the addressee's languages drawn above
    ),
}


@settings(max_examples=examples(400), deadline=None)
@given(order=orders(), name=st.sampled_from(sorted(WRONGS)))
def test_adding_a_wrong_never_turns_a_refusal_into_an_acceptance(order: CheckInput, name: str) -> None:
    wrong = WRONGS[name]
    assume(wrong.applies(order))
    certificate = copy.deepcopy(dict(order.certificate))
    wrong.change(certificate)
    worse = CheckInput(order.order_type, certificate, order.addressee_languages, order.issuing_date)
    assume(not validate_check_input(worse))
    note(repr(worse))
    before, after = check(order), check(worse)
    if before.blocking:
        assert after.blocking
    errors = {f.rule_id for f in after.findings if f.severity is Severity.ERROR}
    assert errors & wrong.rules, (name, errors)

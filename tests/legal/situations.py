"""Lawful baseline orders for every instrument, and the changes that turn them into test situations."""

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from broker.legal import CheckInput
from broker.legal import ReferenceData
from broker.legal import Report
from broker.legal import check
from broker.legal import load_reference
from broker.legal.reference import ProtocolParty

ISSUED = date(2026, 11, 24)


def _authority(kind: str, country: str, name: str) -> dict[str, Any]:
    return {
        "organisation": "3f0c9a4e-8b1d-4c2a-9e7f-1a2b3c4d5e6f",
        "name": name,
        "authority_type": kind,
        "country": country,
    }


def authority(kind: str, country: str = "FR") -> dict[str, Any]:
    """An authority of the given type, e.g. a validating authority to add to a situation."""
    return _authority(kind, country, f"{kind} of {country}")


def _addressee(country: str) -> dict[str, Any]:
    return {
        "id": "c2b1a0f9-e8d7-4c6b-a5f4-e3d2c1b0a9f8",
        "provider": {"organisation": "7d9e2f10-3c4b-4a5d-8e6f-9a0b1c2d3e4f", "name": "Example Mail"},
        "addressee_type": "designated_establishment",
        "name": f"Example Mail {country}",
        "country": country,
        "address": "1 Example Quay",
    }


def _certificate(instrument: str, issuer: dict[str, Any], country: str, **members: Any) -> dict[str, Any]:
    return {
        "instrument": instrument,
        "issuing_authority": issuer,
        "addressee": _addressee(country),
        "data_categories": ["subscriber"],
        "targets": [{"type": "email_address", "value": "suspect@example-mail.test"}],
        "time_range": {"start": "2026-09-01T00:00:00+02:00", "end": "2026-11-01T00:00:00+01:00"},
        "offence": {
            "description": "Online investment fraud.",
            "legal_provisions": ["Code pénal, article 313-1"],
            "maximum_penalty_months": 60,
        },
        "purpose": "criminal_proceedings",
        "emergency": False,
        "necessity_and_proportionality": "The account is the only link between the victims and the suspect.",
        "case_summary": "Forty victims paid deposits to the account holder for listings that were fake.",
        "language": "en",
        **members,
    }


EPOC_MEMBERS = {
    "similar_domestic_order_possible": True,
    "user_information": {"decision": "delay", "justification": "Telling the suspect now would warn them."},
}


def epoc() -> tuple[str, dict[str, Any]]:
    """A French public prosecutor orders subscriber data from an Irish designated establishment."""
    return "epoc", _certificate("reg-2023-1543", authority("public_prosecutor"), "IE", **EPOC_MEMBERS)


def content() -> tuple[str, dict[str, Any]]:
    """A French investigating judge orders content data; offence and person are in France: no notification."""
    certificate = _certificate(
        "reg-2023-1543",
        authority("investigating_judge"),
        "IE",
        **EPOC_MEMBERS,
        offence_committed_in_issuing_state=True,
        person_resides_in_issuing_state=True,
    )
    certificate["data_categories"] = ["content"]
    return "epoc", certificate


def epoc_pr() -> tuple[str, dict[str, Any]]:
    """A French public prosecutor preserves subscriber and traffic data ahead of an EPOC."""
    certificate = _certificate(
        "reg-2023-1543", authority("public_prosecutor"), "IE", subsequent_request="epo"
    )
    certificate["data_categories"] = ["subscriber", "traffic"]
    return "epoc-pr", certificate


def art29() -> tuple[str, dict[str, Any]]:
    """France asks the United States to preserve traffic data before a mutual legal assistance request."""
    certificate = _certificate(
        "cets-185-art29", authority("public_prosecutor"), "US", subsequent_request="mla"
    )
    certificate["data_categories"] = ["traffic"]
    return "epoc-pr", certificate


def art7() -> tuple[str, dict[str, Any]]:
    """A Japanese public prosecutor orders subscriber information from a provider in Serbia."""
    return "epoc", _certificate("cets-224-art7", authority("public_prosecutor", "JP"), "RS", **EPOC_MEMBERS)


def art8() -> tuple[str, dict[str, Any]]:
    """Japan asks Serbia to give effect to an order for subscriber information and traffic data."""
    order_type, certificate = art7()
    certificate["instrument"] = "cets-224-art8"
    certificate["data_categories"] = ["subscriber", "traffic"]
    return order_type, certificate


def art9() -> tuple[str, dict[str, Any]]:
    """Japan asks Serbia, in an emergency, for traffic data on a kidnapper's account."""
    order_type, certificate = art7()
    certificate |= {
        "instrument": "cets-224-art9",
        "data_categories": ["traffic"],
        "emergency": True,
        "emergency_justification": "A child was abducted an hour ago; the account is the kidnapper's.",
    }
    return order_type, certificate


BASELINES: dict[str, Callable[[], tuple[str, dict[str, Any]]]] = {
    "epoc": epoc,
    "content": content,
    "epoc-pr": epoc_pr,
    "art29": art29,
    "art7": art7,
    "art8": art8,
    "art9": art9,
}


@dataclass
class Situation:
    """One order as a test sets it up: the check's inputs and the reference data it runs against."""

    order_type: str
    certificate: dict[str, Any]
    addressee_languages: tuple[str, ...] = ("en",)
    issuing_date: date = ISSUED
    reference: ReferenceData = dataclasses.field(default_factory=load_reference)
    designated_states: tuple[str, ...] | None = None  # None: the registry is not consulted

    def input(self) -> CheckInput:
        return CheckInput(
            self.order_type,
            self.certificate,
            self.addressee_languages,
            self.issuing_date,
            designated_states=self.designated_states,
        )

    def report(self) -> Report:
        return check(self.input(), self.reference)


Change = Callable[[Situation], None]


def situation(kind: str, *changes: Change) -> Situation:
    """The baseline of this kind with the changes applied in order."""
    order_type, certificate = BASELINES[kind]()
    result = Situation(order_type, copy.deepcopy(certificate))
    for change in changes:
        change(result)
    return result


def _locate(document: dict[str, Any], path: str) -> tuple[Any, str | int]:
    *parents, last = (int(step) if step.isdigit() else step for step in path.split("."))
    node: Any = document
    for step in parents:
        node = node[step]
    return node, last


def put(path: str, value: Any) -> Change:
    """Set the certificate member at a dotted path."""

    def change(s: Situation) -> None:
        node, last = _locate(s.certificate, path)
        node[last] = copy.deepcopy(value)

    return change


def drop(*paths: str) -> Change:
    """Remove certificate members at dotted paths."""

    def change(s: Situation) -> None:
        for path in paths:
            node, last = _locate(s.certificate, path)
            del node[last]

    return change


def as_type(order_type: str) -> Change:
    """Send the certificate as the other type, moving the members only one type has."""

    def change(s: Situation) -> None:
        s.order_type = order_type
        if order_type == "epoc-pr":
            for member in ("similar_domestic_order_possible", "user_information"):
                s.certificate.pop(member, None)
            s.certificate["subsequent_request"] = "mla"
        else:
            s.certificate.pop("subsequent_request", None)
            s.certificate |= copy.deepcopy(EPOC_MEMBERS)

    return change


def on(day: date) -> Change:
    """Issue the certificate on this day."""

    def change(s: Situation) -> None:
        s.issuing_date = day

    return change


def accepting(*languages: str) -> Change:
    """The registry records these languages for the addressee."""

    def change(s: Situation) -> None:
        s.addressee_languages = languages

    return change


def declare(country: str, **declarations: bool) -> Change:
    """The State is bound by CETS 224 and has made these declarations or reservations."""

    def change(s: Situation) -> None:
        parties = dict(s.reference.protocol_parties)
        parties[country] = ProtocolParty(bound=True, **declarations)
        s.reference = dataclasses.replace(s.reference, protocol_parties=parties)

    return change


def emergency(justification: str = "A hostage is held; the account is the kidnapper's.") -> Change:
    """Declare an emergency with its justification."""
    return lambda s: s.certificate.update(emergency=True, emergency_justification=justification)


def other_establishment(country: str = "DE", ground: str | None = None) -> Change:
    """Address the provider's establishment in `country`, which is not its designated one, naming the Art.
    7(2) ground when one is given."""

    def change(s: Situation) -> None:
        s.certificate["addressee"] |= {"addressee_type": "other_establishment", "country": country}
        if ground is not None:
            s.certificate["addressing_exception"] = {"ground": ground}

    return change


def designated_in(*states: str) -> Change:
    """The registry has the provider's designated establishments or legal representatives in these States."""

    def change(s: Situation) -> None:
        s.designated_states = states

    return change


@dataclass(frozen=True)
class Row:
    """One situation in a rule table: the rule it exercises and whether the order passes it."""

    rule: str
    name: str
    kind: str
    changes: tuple[Change, ...]
    passes: bool


def passes(rule: str, name: str, kind: str, *changes: Change) -> Row:
    return Row(rule, name, kind, changes, passes=True)


def fails(rule: str, name: str, kind: str, *changes: Change) -> Row:
    return Row(rule, name, kind, changes, passes=False)

"""Which legal rule owns each member of a certificate, so a refusal names it whatever refuses first.

The wire schema refuses a certificate that lacks a member before broker.legal runs, and the legal
engine flags a member the schema accepts but the law does not (a blank statement, a false
attestation). A caseworker must see the same rule id, citation and how-to-fix in both cases, so both
read them from this table: the certificate schemas rewrite their error messages with it
(`explain`), and the rules in broker.legal build their findings from it (`requirement`).

The rule ids and citations are broker.legal's; this module sits below it (a wire core imports no
legal engine), so tests/legal/test_requirements.py holds every entry to the catalogue: the rule
exists, the citation is the rule's own, and every member the schemas require has an entry or is
listed in STRUCTURAL with the reason no legal rule owns it.
"""

import re
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

REG = "Regulation (EU) 2023/1543"
BUDAPEST = "Budapest Convention (CETS 185)"
PROTOCOL = "Second Additional Protocol (CETS 224)"

# Instrument groups, by the certificate's `instrument` member; an unknown or missing one reads as the
# Regulation's, the form the certificates follow.
REGULATION = "reg-2023-1543"
ART29 = "cets-185-art29"
PROTOCOL_GROUP = "cets-224"
_GROUPS = {
    "reg-2023-1543": REGULATION,
    "cets-185-art29": ART29,
    "cets-224-art7": PROTOCOL_GROUP,
    "cets-224-art8": PROTOCOL_GROUP,
    "cets-224-art9": PROTOCOL_GROUP,
}


@dataclass(frozen=True)
class Requirement:
    """The rule that owns a certificate member under one instrument, and how to satisfy it."""

    rule_id: str
    citation: str
    fix: str

    def explain(self, problem: str) -> str:
        """'EE-11 (Regulation (EU) 2023/1543, Art. 5(2)): Missing data for required field. State why …'."""
        return f"{self.rule_id} ({self.citation}): {problem.rstrip()} {self.fix}".replace("  ", " ")


def _r(rule_id: str, citation: str, fix: str) -> Requirement:
    return Requirement(rule_id, citation, fix)


# The rules' citations, exactly as the catalogue has them (the tests compare).
INS01 = f"{REG}, Art. 9(1); {BUDAPEST}, Art. 29; {PROTOCOL}, Arts. 7-9"
EE09 = f"{REG}, Art. 5(4)"
EE10 = f"{REG}, Art. 5(3)-(4)"
EE11 = f"{REG}, Art. 5(2)"
EE12 = f"{REG}, Art. 8(1)-(2)"
EE15 = f"{REG}, Art. 3(18), Art. 10(4)"
EE24 = f"{REG}, Art. 13(1)-(3)"
EE26 = f"{REG}, Art. 9(3)-(5), Art. 27, Art. 31"
EE27 = f"{REG}, Art. 3(1)-(2), Art. 7; Annex I Section B"
EE31 = f"{REG}, Art. 12(1)(d), Annex IV"
EE35 = f"{REG}, Art. 6"
EE36 = f"{REG}, Art. 5(5), Art. 6(2)-(3); Annexes I and II"
EE37 = f"{REG}, Art. 3(10)"
BC01 = f"{BUDAPEST}, Art. 29(2)"
P203 = f"{PROTOCOL}, Art. 9(1), Art. 3"
P212 = f"{PROTOCOL}, Art. 4"
P215 = f"{PROTOCOL}, Arts. 7, 8 and 9 (contents of an order or request)"

# How to fix, per member; shared by the instruments whose rule asks for the same thing.
CATEGORIES = "Name the categories of data sought: subscriber, user_identification, traffic or content."
TARGETS = "Name at least one user or unique identifier (account, user name, login) whose data are sought."
PERIOD = "Give the period the data cover: start before end, each with its time-zone offset."
OFFENCE = "Describe the offence and name the criminal-law provisions that make it one."
PROVISIONS = "Name the criminal-law provisions that apply to the offence."
CASE = "Summarise the case: the facts that link the data sought to the offence."
IDENTIFICATION = (
    "List the IP addresses to identify the user from, each with its timestamp and, where necessary, its "
    "source port (data sought only to identify the user)."
)
PENALTY = (
    "Give the maximum custodial sentence for the offence in the issuing State, in months (null if the law "
    "sets none): it decides which data may be ordered."
)
LISTED = "Name the listed offence as a directive (year/number) and an article number."
ANNEX_IV = "Use a code of the Annex IV list, or leave the category out."
SENTENCE = (
    "Describe the custodial sentence whose execution the data serve: months imposed, whether rendered in "
    "absentia, whether the convicted person absconded."
)
PURPOSE = "Say whether the data serve criminal proceedings or the execution of a custodial sentence."
EMERGENCY_FLAG = "Say whether this is an emergency (true or false)."
EMERGENCY = (
    "Describe the emergency: the imminent threat to a person's life, physical integrity or safety, or to "
    "critical infrastructure, that justifies the 8-hour deadline."
)
NECESSITY = "State why the order is necessary and proportionate, taking the suspect's rights into account."
DOMESTIC = (
    "Attest that a similar order could be issued under the same conditions in a similar domestic case "
    "(similar_domestic_order_possible: true); if it could not, do not issue."
)
USER_INFO = (
    "Record whether the person whose data are sought is informed (decision inform, delay, restrict or "
    "omit) and, unless you inform, a short justification."
)
USER_INFO_REASONS = (
    "Add a short justification for delaying, restricting or omitting the information of the person whose "
    "data are sought."
)
PRESERVATION_NEED = (
    "State why preserving the data is necessary and proportionate to prevent their removal, deletion or "
    "alteration pending the production request."
)
FOLLOW_UP = "Name the production request the preservation prepares: epo, eio or mla."
MLA_FOLLOW_UP = (
    "State that a mutual legal assistance request for the data will follow: set subsequent_request to mla."
)
LANGUAGE = "Give the certificate's language as an ISO 639-1 code the addressee accepts."
NOTIFICATION = (
    "Answer true or false: whether there are reasonable grounds to believe it (decides whether the "
    "enforcing State is notified)."
)
INSTRUMENT = (
    "Name the legal instrument: reg-2023-1543, cets-185-art29, cets-224-art7, cets-224-art8 or cets-224-art9."
)
ADDRESSEE_TYPE = "Address the provider's designated establishment or legal representative."
ADDRESSING_EXCEPTION = (
    "Address the designated establishment or legal representative; only in an emergency, when it did not "
    "react within the deadlines or none was designated, may another establishment be addressed, naming that "
    "ground (designated_did_not_react or none_designated)."
)
PROTOCOL_EMERGENCY = (
    "Describe the significant and imminent risk to the life or safety of a person, and how the data "
    "relate to it."
)
PROTOCOL_LANGUAGE = "Give the order's language as an ISO 639-1 code the provider accepts."
CUSTODIAN = "Name the custodian of the data: the provider's addressee, from the registry."

_ALL_GROUPS = (REGULATION, ART29, PROTOCOL_GROUP)


def _everywhere(requirement: Requirement) -> dict[str, Requirement]:
    return dict.fromkeys(_ALL_GROUPS, requirement)


# member path ("*" for a list index) -> {group, or "group:order type": the owning requirement}.
# A group missing from an entry means no rule of that instrument asks for the member: only the
# shared certificate form does, and version 3 of the certificates no longer demands it (FORM_ONLY).
OWNERS: dict[str, dict[str, Requirement]] = {
    "instrument": _everywhere(_r("INS-01", INS01, INSTRUMENT)),
    "data_categories": {
        REGULATION: _r("EE-36", EE36, CATEGORIES),
        ART29: _r("BC-01", BC01, CATEGORIES),
        PROTOCOL_GROUP: _r("P2-15", P215, CATEGORIES),
    },
    "targets": {
        REGULATION: _r("EE-36", EE36, TARGETS),
        ART29: _r("BC-01", BC01, TARGETS),
        PROTOCOL_GROUP: _r("P2-15", P215, TARGETS),
    },
    "time_range": {
        REGULATION: _r("EE-36", EE36, PERIOD),
        ART29: _r("BC-01", BC01, PERIOD),
        PROTOCOL_GROUP: _r("P2-15", P215, PERIOD),
    },
    "offence": {
        REGULATION: _r("EE-36", EE36, OFFENCE),
        ART29: _r("BC-01", BC01, OFFENCE),
        PROTOCOL_GROUP: _r("P2-15", P215, OFFENCE),
    },
    "offence.legal_provisions": {
        REGULATION: _r("EE-36", EE36, PROVISIONS),
        ART29: _r("BC-01", BC01, PROVISIONS),
        PROTOCOL_GROUP: _r("P2-15", P215, PROVISIONS),
    },
    "offence.maximum_penalty_months": {
        REGULATION: _r("EE-09", EE09, PENALTY),
        PROTOCOL_GROUP: _r("P2-15", P215, PENALTY),
    },
    "offence.listed_offence": {REGULATION: _r("EE-09", EE09, LISTED)},
    "offence.annex_iv_category": {REGULATION: _r("EE-31", EE31, ANNEX_IV)},
    "identification": {
        REGULATION: _r("EE-37", EE37, IDENTIFICATION),
        ART29: _r("BC-01", BC01, IDENTIFICATION),
        PROTOCOL_GROUP: _r("P2-15", P215, IDENTIFICATION),
    },
    "purpose": {
        f"{REGULATION}:epoc": _r("EE-10", EE10, PURPOSE),
        f"{REGULATION}:epoc-pr": _r("EE-35", EE35, PURPOSE),
    },
    "sentence": {
        f"{REGULATION}:epoc": _r("EE-10", EE10, SENTENCE),
        f"{REGULATION}:epoc-pr": _r("EE-35", EE35, SENTENCE),
    },
    "emergency": {
        REGULATION: _r("EE-15", EE15, EMERGENCY_FLAG),
        PROTOCOL_GROUP: _r("P2-03", P203, EMERGENCY_FLAG),
    },
    "emergency_justification": {
        REGULATION: _r("EE-15", EE15, EMERGENCY),
        PROTOCOL_GROUP: _r("P2-03", P203, PROTOCOL_EMERGENCY),
    },
    "necessity_and_proportionality": {
        f"{REGULATION}:epoc": _r("EE-11", EE11, NECESSITY),
        f"{REGULATION}:epoc-pr": _r("EE-36", EE36, PRESERVATION_NEED),
        ART29: _r("BC-01", BC01, PRESERVATION_NEED),
    },
    "case_summary": {
        REGULATION: _r("EE-36", EE36, CASE),
        ART29: _r("BC-01", BC01, CASE),
        PROTOCOL_GROUP: _r("P2-15", P215, CASE),
    },
    "language": {
        REGULATION: _r("EE-26", EE26, LANGUAGE),
        PROTOCOL_GROUP: _r("P2-12", P212, PROTOCOL_LANGUAGE),
    },
    "similar_domestic_order_possible": {REGULATION: _r("EE-11", EE11, DOMESTIC)},
    "user_information": {REGULATION: _r("EE-24", EE24, USER_INFO)},
    "user_information.justification": {REGULATION: _r("EE-24", EE24, USER_INFO_REASONS)},
    "subsequent_request": {REGULATION: _r("EE-36", EE36, FOLLOW_UP), ART29: _r("BC-01", BC01, MLA_FOLLOW_UP)},
    "offence_committed_in_issuing_state": {REGULATION: _r("EE-12", EE12, NOTIFICATION)},
    "person_resides_in_issuing_state": {REGULATION: _r("EE-12", EE12, NOTIFICATION)},
    "addressee": {
        REGULATION: _r("EE-27", EE27, ADDRESSEE_TYPE),
        ART29: _r("BC-01", BC01, CUSTODIAN),
        PROTOCOL_GROUP: _r("P2-15", P215, CUSTODIAN),
    },
    "addressing_exception": {REGULATION: _r("EE-27", EE27, ADDRESSING_EXCEPTION)},
}
# A member's own members belong to its owner unless listed themselves (offence.description belongs to
# offence, identification.0.timestamp to identification, user_information.justification to
# user_information).

# Members no legal rule owns, and why: the broker fills them from its registry, or they are shape.
STRUCTURAL: dict[str, str] = {
    "issuing_authority": "filled by the broker from the registry (the caller's organisation)",
    "validating_authority": "named by registry id; who may validate is EE-05 to EE-07 (Art. 4)",
    "addressee.id": "filled by the broker from the registry",
    "addressee.provider": "filled by the broker from the registry",
    "addressee.name": "filled by the broker from the registry",
    "addressee.country": "filled by the broker from the registry; where it is is EE-02, BC-03, P2-10",
    "addressee.address": "filled by the broker from the registry",
}

# Members the certificate form (one form for every instrument, the Regulation's annexes) demanded in
# versions 1 and 2 although no rule of the instrument does. Version 3 (broker.wire.certificates) leaves
# them out under these instruments; a refusal of a value given anyway says it is the form's, rather than
# citing a rule that does not apply.
FORM_ONLY: dict[str, frozenset[str]] = {
    ART29: frozenset(
        {
            "purpose",
            "sentence",
            "emergency",
            "emergency_justification",
            "language",
            "offence.maximum_penalty_months",
            "offence.listed_offence",
            "offence.annex_iv_category",
        }
    ),
    PROTOCOL_GROUP: frozenset(
        {
            "purpose",
            "sentence",
            "necessity_and_proportionality",
            "similar_domestic_order_possible",
            "user_information",
            "offence.listed_offence",
            "offence.annex_iv_category",
        }
    ),
}

_INDEX = re.compile(r"^\d+$")


def member(path: str) -> str:
    """'identification.0.timestamp' -> 'identification.*.timestamp': a path with list indexes generalised."""
    return ".".join("*" if _INDEX.match(part) else part for part in path.split("."))


def requirement(path: str, instrument: object, order_type: str) -> Requirement | None:
    """The requirement that owns this member (or the nearest member holding it), or None when no rule does."""
    group = _GROUPS.get(instrument if isinstance(instrument, str) else "", REGULATION)
    parts = member(path).split(".")
    for length in range(len(parts), 0, -1):
        prefix = ".".join(parts[:length])
        if prefix in STRUCTURAL:
            return None
        owners = OWNERS.get(prefix)
        if owners is not None:
            return owners.get(f"{group}:{order_type}") or owners.get(group)
    return None


def form_only_members(instrument: object) -> frozenset[str]:
    """The members only the shared certificate form asks for under this instrument (none: the Regulation)."""
    return FORM_ONLY.get(
        _GROUPS.get(instrument if isinstance(instrument, str) else "", REGULATION), frozenset()
    )


def form_only(path: str, instrument: object) -> bool:
    """Only the shared certificate form, not the instrument's law, asks for this member (FORM_ONLY)."""
    group = _GROUPS.get(instrument if isinstance(instrument, str) else "", REGULATION)
    parts = member(path).split(".")
    return any(".".join(parts[:length]) in FORM_ONLY.get(group, ()) for length in range(1, len(parts) + 1))


def explain(messages: Any, data: object, order_type: str) -> Any:
    """marshmallow's error messages for a certificate, each prefixed by its owning rule and how to fix it."""
    instrument = data.get("instrument") if isinstance(data, Mapping) else None
    return _explain(messages, "", instrument, order_type)


def _prefix(path: str, instrument: object, order_type: str) -> Callable[[str], str] | None:
    owner = requirement(path, instrument, order_type)
    if owner is not None:
        return owner.explain
    if form_only(path, instrument):
        return lambda problem: f"Certificate form, not a rule of {instrument}: {problem}"
    return None


def _explain(messages: Any, path: str, instrument: object, order_type: str) -> Any:
    if isinstance(messages, Mapping):
        return {
            key: _explain(
                value,
                path if key == "_schema" else ".".join(p for p in (path, str(key)) if p),
                instrument,
                order_type,
            )
            for key, value in messages.items()
        }
    prefix = _prefix(path, instrument, order_type) if path else None
    if prefix is None:
        return messages
    if isinstance(messages, list):
        return [
            prefix(m) if isinstance(m, str) else _explain(m, path, instrument, order_type) for m in messages
        ]
    return prefix(str(messages))

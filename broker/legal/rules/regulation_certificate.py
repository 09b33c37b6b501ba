"""What the certificate must carry for the workflow after issuing: notification, emergency, user, language."""

from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any

from broker.legal.derived import notification_required
from broker.legal.facts import Facts
from broker.legal.facts import blank
from broker.legal.model import Confidence
from broker.legal.model import Issue
from broker.legal.model import Severity
from broker.legal.reference import ReferenceData
from broker.legal.rules.declare import REG
from broker.legal.rules.declare import REGULATION
from broker.legal.rules.declare import how_to_fix
from broker.legal.rules.declare import issuing
from broker.legal.rules.declare import listing
from broker.vocabulary import DataCategory
from broker.vocabulary import UserInformationDecision

ART_8_2 = ("offence_committed_in_issuing_state", "person_resides_in_issuing_state")


@issuing(
    "EE-12",
    f"{REG}, Art. 8(1)-(2)",
    "An EPOC for traffic or content data is also sent to the enforcing State, unless there are reasonable "
    "grounds to believe both that the offence was committed in the issuing State and that the person whose "
    "data are sought resides there; the certificate must say which.",
    Confidence.CONFIRMED,
    "legal-rules.md §1.5 (E7)",
    REGULATION,
)
def ee12(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    if notification_required(facts, reference) is None:
        missing = tuple(name for name in ART_8_2 if facts.get(name) is None)
        yield Issue(
            "Needs data: traffic or content data require notifying the enforcing State unless the offence "
            "was committed in the issuing State and the person whose data are sought resides there (Art. "
            f"8(2)): answer {' and '.join(missing)} (true or false).",
            missing,
            missing_data=True,
        )


@issuing(
    "EE-15",
    f"{REG}, Art. 3(18), Art. 10(4)",
    "An emergency (an imminent threat to a person's life, physical integrity or safety, or to critical "
    "infrastructure) shortens the deadline to 8 hours, so the certificate must explain it.",
    Confidence.CONFIRMED,
    "legal-rules.md §1.6 (E5-de); Art. 3(18) wording UNCONFIRMED",
    REGULATION,
)
def ee15(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    if facts.emergency and blank(facts.get("emergency_justification")):
        yield Issue(
            f"The justification is blank. {how_to_fix(facts, 'emergency_justification')}",
            ("emergency_justification",),
        )


@issuing(
    "EE-24",
    f"{REG}, Art. 13(1)-(3)",
    "The issuing authority decides whether to inform the person whose data are sought; if it delays, "
    "restricts or omits the information, a short justification goes on the EPOC.",
    Confidence.CONFIRMED,
    "legal-rules.md §1.10 (E8)",
    REGULATION,
)
def ee24(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    if not facts.production:
        return
    decision = facts.get("user_information") or {}
    if decision.get("decision") not in (None, UserInformationDecision.INFORM) and blank(
        decision.get("justification")
    ):
        yield Issue(
            f"You chose to {decision['decision']} informing the person whose data are sought and the "
            f"justification is blank. {how_to_fix(facts, 'user_information.justification')}",
            ("user_information.justification",),
        )


@issuing(
    "EE-26",
    f"{REG}, Art. 9(3)-(5), Art. 27, Art. 31",
    "The certificate must be in a language the addressee accepts and, when the enforcing State is notified, "
    "in one that State accepts.",
    Confidence.UNCONFIRMED,
    "legal-rules.md §1.5 (Art 9(3)-(5), 27, 31 UNCONFIRMED); reference/languages.json",
    REGULATION,
)
def ee26(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    yield from addressee_language(facts, "Art. 9")
    accepted = reference.languages.get(facts.enforcing_state)
    if notification_required(facts, reference) and accepted and facts.language not in accepted:
        yield Issue(
            f"This EPOC is also sent to the enforcing State ({facts.enforcing_state}), which accepts "
            f"{listing(accepted)}, not {facts.language!r}: issue it in a language both that State and the "
            "addressee accept (Art. 9).",
            ("language",),
        )


@issuing(
    "EE-36",
    f"{REG}, Art. 5(5), Art. 6(2)-(3); Annexes I and II",
    "The certificate states what the order is about: the data categories, the users or identifiers, the "
    "period, the offence and its provisions, a summary of the case and, for an EPOC-PR, why preservation is "
    "necessary and which production request will follow.",
    Confidence.UNCONFIRMED,
    "legal-rules.md §1.4 (Art 5(5) content list UNCONFIRMED; Art 6 UNCONFIRMED), §7.1-7.2 (Annex I and II "
    "fields, mostly UNCONFIRMED)",
    REGULATION,
)
def ee36(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    yield from blank_statements(
        facts, CONTENT if facts.production else (*CONTENT, "necessity_and_proportionality")
    )


CONTENT = ("offence.description", "case_summary")


def blank_statements(facts: Facts, paths: tuple[str, ...]) -> Iterator[Issue]:
    """A statement the schema accepts but that says nothing ("   "), with its owner's how-to-fix."""
    for path in paths:
        node: Any = facts.certificate
        for step in path.split("."):
            node = node.get(step) if isinstance(node, Mapping) else None
        if blank(node):
            yield Issue(f"The statement is blank. {how_to_fix(facts, path)}", (path,))
    for index, target in enumerate(facts.get("targets") or ()):
        if blank(target.get("value")):
            yield Issue(
                f"Identifier {index + 1} is blank. {how_to_fix(facts, 'targets')}",
                (f"targets.{index}.value",),
            )


@issuing(
    "EE-37",
    f"{REG}, Art. 3(10)",
    "Data sought only to identify the user are IP addresses and, where necessary, source ports and "
    "timestamps: only a person can judge whether a port is necessary, so its absence is a finding that may "
    "be overruled with a reason.",
    Confidence.UNCONFIRMED,
    "legal-rules.md §1.2 (Art 3(10): category [V], exact definition UNCONFIRMED), §7.1 (ip_identification "
    "fields UNCONFIRMED)",
    REGULATION,
    severity=Severity.WARNING,
    overridable=True,
)
def ee37(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    if DataCategory.USER_IDENTIFICATION not in facts.categories:
        return
    for index, seen in enumerate(facts.get("identification") or ()):
        if "source_port" not in seen:
            yield Issue(
                f"IP address {seen['ip_address']} has no source port. Where necessary to identify the user (an "
                "address shared by many, e.g. behind carrier-grade NAT), give the source port; otherwise "
                "overrule this finding with the reason it is not necessary.",
                (f"identification.{index}.source_port",),
            )


def addressee_language(facts: Facts, article: str) -> Iterator[Issue]:
    """The certificate's language is one the addressee declared, per the broker's registry."""
    if not facts.addressee_languages:
        yield Issue(
            "Needs data: the registry lists no language this addressee accepts, so the certificate's "
            "language cannot be checked: ask the registry administrator to record the addressee's languages.",
            ("addressee",),
            missing_data=True,
        )
    elif facts.language not in facts.addressee_languages:
        yield Issue(
            f"The addressee accepts certificates in {listing(facts.addressee_languages)}, not "
            f"{facts.language!r}: translate the certificate into one of them ({article}).",
            ("language",),
        )

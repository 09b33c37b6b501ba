"""Whether the Regulation covers this order at all: date, States, certificate, data, addressee."""

from collections.abc import Iterator
from datetime import date

from broker.legal.facts import IDENTIFYING
from broker.legal.facts import Facts
from broker.legal.model import Confidence
from broker.legal.model import Issue
from broker.legal.model import Severity
from broker.legal.model import Stage
from broker.legal.reference import ReferenceData
from broker.legal.rules.declare import REG
from broker.legal.rules.declare import REGULATION
from broker.legal.rules.declare import enforced_elsewhere
from broker.legal.rules.declare import issuing
from broker.vocabulary import AddresseeType
from broker.vocabulary import AddressingGround

APPLICATION_DATE = date(2026, 8, 18)  # Art. 34: applies from 18 August 2026


@issuing(
    "EE-01",
    f"{REG}, Art. 34",
    "The Regulation applies only from 18 August 2026, so no EPOC or EPOC-PR may be issued under it before "
    "then.",
    Confidence.SECONDARY,
    "legal-rules.md §1.1 (E14, E13); the date is also given by cyjurii.org (2025), read 2026-11-24",
    REGULATION,
)
def ee01(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    if facts.issuing_date < APPLICATION_DATE:
        yield Issue(
            f"The Regulation applies only from 18 August 2026 and this certificate is issued on "
            f"{facts.issuing_date.isoformat()}: issue it on or after that date, or choose another instrument "
            "such as a European Investigation Order or mutual legal assistance (Art. 34).",
            ("instrument",),
        )


@issuing(
    "EE-02",
    f"{REG}, Art. 1(1), Art. 3(1)-(2)",
    "The issuing State and the State where the addressee is (the enforcing State) must both be bound by the "
    "Regulation, and must differ: it covers cross-border orders only, and Denmark is not bound.",
    Confidence.UNCONFIRMED,
    "legal-rules.md §1.1 (E3; Denmark UNCONFIRMED); Art. 1(1) wording read at eumonitor.eu (final text) "
    "2026-11-24; list in reference/participating-states.json",
    REGULATION,
)
def ee02(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    issuing_state, enforcing_state = facts.issuing_state, facts.enforcing_state
    alternative = _alternative(facts, reference)
    if issuing_state not in reference.participating_states:
        yield Issue(
            f"{issuing_state} is not bound by the Regulation, so its authorities cannot issue under it "
            f"(Art. 1(1)){alternative}.",
            ("issuing_authority.country",),
        )
    if enforcing_state not in reference.participating_states:
        yield Issue(
            f"The addressee is in {enforcing_state}, which is not bound by the Regulation: address the "
            f"provider's designated establishment or legal representative in a participating Member State "
            f"(Art. 3(1)-(2)){alternative}.",
            ("addressee.country",),
        )
    if issuing_state == enforcing_state:
        yield Issue(
            f"The addressee is in the issuing State ({issuing_state}): the Regulation covers only orders "
            "to another Member State, so use a domestic order instead (Art. 1(1)).",
            ("addressee.country",),
        )


def _alternative(facts: Facts, reference: ReferenceData) -> str:
    """Point the caseworker to a treaty both States are bound by, when the Regulation does not fit."""
    states = {facts.issuing_state, facts.enforcing_state}
    if len(states) < 2 or states <= reference.participating_states:
        return ""
    if all(reference.bound_by_protocol(state) for state in states):
        return "; both States are Parties to CETS 224: choose cets-224-art7, -art8 or -art9"
    if not facts.production and states <= reference.budapest_parties:
        return "; both States are Parties to the Budapest Convention, so choose cets-185-art29"
    return ""


EE03 = enforced_elsewhere(
    "EE-03",
    f"{REG}, Art. 9(1)",
    "Every order travels as a certificate: an EPOC (Annex I) for production or an EPOC-PR (Annex II) for "
    "preservation; there are no free-form orders.",
    confidence=Confidence.CONFIRMED,
    source="legal-rules.md §1.5 (E18)",
    applies_to=REGULATION,
    stage=Stage.ISSUING,
    enforced_by="Only the epoc and epoc-pr bodies of the wire registry (broker.wire.registry.BODY_SCHEMAS) are "
    "certificates, and validate_check_input refuses any other order type before a rule runs.",
)


@issuing(
    "EE-04",
    f"{REG}, Art. 3(9)-(12), Art. 4, Art. 5",
    "An EPOC that mixes subscriber or IP-identification data with traffic or content data is held to the "
    "strictest conditions of any category it asks for (a design choice of the broker), so it is worth "
    "splitting.",
    Confidence.CONFIRMED,
    "legal-rules.md §6.1 EE-04 (categories [V]; strictest-rule aggregation is a design choice)",
    REGULATION,
    severity=Severity.WARNING,
)
def ee04(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    if facts.production and facts.intrusive and facts.categories & IDENTIFYING:
        yield Issue(
            "This EPOC asks for subscriber or IP-identification data together with traffic or content data, "
            "so the traffic and content conditions (issuing authority, 3-year threshold, notification) apply "
            "to all of it: consider a separate EPOC for the subscriber or identification data.",
            ("data_categories",),
        )


@issuing(
    "EE-27",
    f"{REG}, Art. 3(1)-(2), Art. 7; Annex I Section B",
    "Orders go to a provider's designated establishment or legal representative (Art. 7(1)). By way of "
    "exception (Art. 7(2)), an emergency order may go to any other establishment or legal representative of "
    "the provider in the Union when the designated one did not react within the deadlines or none was "
    "designated within the deadlines of Directive (EU) 2023/1544; the certificate names that ground "
    "(Section B), and the broker holds it to its registry.",
    Confidence.UNCONFIRMED,
    "legal-rules.md §6.1 EE-27 (Annex I Section B [V]; Art 7 UNCONFIRMED) and §7 Section B (the "
    "emergency_other_establishment type [V]); the EU reference implementation's EPOC forms carry an "
    "EmergencyCase mark beside the Section B addressee (reference/etsi/ri-forms, epoc-common.xsd). The "
    "wording of Art. 7(1)-(2) was searched for on 2026-12-07 and not found: verify it before relying on the "
    "conditions.",
    REGULATION,
)
def ee27(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    exception = facts.get("addressing_exception")
    if facts.addressee_type is not AddresseeType.OTHER_ESTABLISHMENT:
        if exception is not None:
            yield Issue(
                "The certificate invokes the Art. 7(2) exception but is addressed to the provider's "
                f"{facts.addressee_type.value.replace('_', ' ')}: remove addressing_exception, or address the "
                "other establishment it is meant for (Art. 7(1)-(2)).",
                ("addressing_exception",),
            )
        return
    if not facts.emergency:
        yield Issue(
            "Only an emergency order may be addressed to another establishment than the provider's designated "
            "establishment or legal representative (Art. 7(2), Art. 3(18)): address the designated one, or, if "
            "there is an imminent threat to life, physical integrity or safety, mark the order as an emergency "
            "and justify it.",
            ("addressee", "emergency"),
        )
    if exception is None:
        yield Issue(
            "The addressee is another establishment of the provider, not its designated establishment or legal "
            "representative: name the ground of the Art. 7(2) exception in addressing_exception (the designated "
            "one did not react within the deadlines, or none was designated), or address the designated one "
            "(Art. 7(1)).",
            ("addressing_exception",),
        )
        return
    yield from _ground_holds(facts, AddressingGround(exception["ground"]))


def _ground_holds(facts: Facts, ground: AddressingGround) -> Iterator[Issue]:
    """Hold the stated ground to the registry, where the caller says what the registry knows."""
    designated = facts.designated_states
    if designated is None:
        return
    if ground is AddressingGround.NOT_DESIGNATED and designated:
        yield Issue(
            f"The provider has designated an establishment or legal representative (in {', '.join(designated)}), "
            "so the ground none_designated of Art. 7(2) does not hold: address the designated one, or, if it did "
            "not react within the deadlines, give the ground designated_did_not_react.",
            ("addressing_exception.ground",),
        )
    if ground is AddressingGround.NO_REACTION and not designated:
        yield Issue(
            "The provider has no designated establishment or legal representative in the registry, so none can "
            "have failed to react: give the ground none_designated (Art. 7(2)).",
            ("addressing_exception.ground",),
        )

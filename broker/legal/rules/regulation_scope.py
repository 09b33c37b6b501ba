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


EE27 = enforced_elsewhere(
    "EE-27",
    f"{REG}, Art. 3(1)-(2), Art. 7; Annex I Section B",
    "Orders go only to a provider's designated establishment or legal representative.",
    confidence=Confidence.UNCONFIRMED,
    source="legal-rules.md §6.1 EE-27 (Annex I Section B [V]; Art 7 UNCONFIRMED)",
    applies_to=REGULATION,
    stage=Stage.ISSUING,
    enforced_by="The addressee comes from the broker's registry (create_draft) and the wire schema admits "
    "only the addressee types designated_establishment and legal_representative; EE-02 checks where it is.",
)

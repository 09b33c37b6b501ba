"""Budapest Convention (CETS 185) Art. 29: a Party asks another to preserve stored data quickly."""

from collections.abc import Iterator

from broker.legal.facts import Facts
from broker.legal.model import Confidence
from broker.legal.model import Issue
from broker.legal.model import Stage
from broker.legal.reference import ReferenceData
from broker.legal.rules.declare import ART29
from broker.legal.rules.declare import BUDAPEST
from broker.legal.rules.declare import enforced_elsewhere
from broker.legal.rules.declare import how_to_fix
from broker.legal.rules.declare import issuing
from broker.legal.rules.regulation_certificate import CONTENT
from broker.legal.rules.regulation_certificate import blank_statements
from broker.vocabulary import SubsequentRequest


@issuing(
    "BC-01",
    f"{BUDAPEST}, Art. 29(2)",
    "A preservation request states the requesting authority, the offence and facts, the data and their link "
    "to the offence, the custodian, why preservation is needed, and that a mutual legal assistance request "
    "will follow; no double criminality is required.",
    Confidence.CONFIRMED,
    "legal-rules.md §3.1 (B3)",
    ART29,
)
def bc01(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    requested = facts.get("subsequent_request")
    if requested is not None and requested != SubsequentRequest.MLA:
        yield Issue(
            f"The request names {requested}, not a mutual legal assistance request (Art. 29(2)(f)). "
            f"{how_to_fix(facts, 'subsequent_request')}",
            ("subsequent_request",),
        )
    # (b) the offence and facts, (e) why preservation is needed: a blank statement states nothing.
    yield from blank_statements(facts, (*CONTENT, "necessity_and_proportionality"))


BC02 = enforced_elsewhere(
    "BC-02",
    f"{BUDAPEST}, Art. 16(2), Art. 29(7)",
    "The requested Party preserves the data for at least 60 days, and then until it decides on the mutual "
    "legal assistance request; a domestic preservation order lasts up to 90 days and may be renewed.",
    confidence=Confidence.SECONDARY,
    source="legal-rules.md §3.1 (Art 16(2) [V] B1; Art 29(7) [V2] B4)",
    applies_to=ART29,
    stage=Stage.LIFECYCLE,
    enforced_by="broker.legal.routes (cets-185-art29: the requested Party receives the request; preservation "
    "for at least 60 days from its receipt, then until the mutual legal assistance request is decided); the "
    "order workflow (broker.orders) starts the derived deadline preservation_at_least_60_days at receipt; when "
    "it falls due the worker records preservation.minimum_reached and ends nothing, and the Regulation's "
    "30-day extension (Art. 11(1)) is refused (broker.workflow.routing).",
)


@issuing(
    "BC-03",
    f"{BUDAPEST}, Art. 29(1)",
    "Only a Party may ask another Party to preserve data on its territory, so both States must be Parties "
    "to the Convention, and different.",
    Confidence.UNCONFIRMED,
    "legal-rules.md §3.1 (B3); Party list from memory, reference/cets-185-parties.json",
    ART29,
)
def bc03(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    for state, field in (
        (facts.issuing_state, "issuing_authority.country"),
        (facts.enforcing_state, "addressee.country"),
    ):
        if state not in reference.budapest_parties:
            yield Issue(
                f"{state} is not a Party to the Budapest Convention, so Art. 29 cannot be used between these "
                "States: use mutual legal assistance instead.",
                (field,),
            )
    if facts.issuing_state == facts.enforcing_state:
        yield Issue(
            f"The data are in the issuing State ({facts.issuing_state}): Art. 29 asks another Party, so use "
            "a domestic preservation order (Art. 16).",
            ("addressee.country",),
        )

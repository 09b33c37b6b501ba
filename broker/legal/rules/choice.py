"""Which instrument fits the order: the choice is explicit on the certificate, and checked."""

from collections.abc import Iterator

from broker.legal.facts import Facts
from broker.legal.model import Confidence
from broker.legal.model import Family
from broker.legal.model import Issue
from broker.legal.reference import ReferenceData
from broker.legal.rules.declare import ALL
from broker.legal.rules.declare import BUDAPEST
from broker.legal.rules.declare import PROTOCOL
from broker.legal.rules.declare import REG
from broker.legal.rules.declare import issuing
from broker.vocabulary import Instrument

PRODUCTION = frozenset(
    {Instrument.REG_2023_1543, Instrument.CETS_224_ART7, Instrument.CETS_224_ART8, Instrument.CETS_224_ART9}
)
PRESERVATION = frozenset({Instrument.REG_2023_1543, Instrument.CETS_185_ART29})


@issuing(
    "INS-01",
    f"{REG}, Art. 9(1); {BUDAPEST}, Art. 29; {PROTOCOL}, Arts. 7-9",
    "The instrument must fit the certificate: production (epoc) under the Regulation or CETS 224 Arts. 7, 8 "
    "or 9; preservation (epoc-pr) under the Regulation or Budapest Art. 29.",
    Confidence.UNCONFIRMED,
    "legal-rules.md §1.5 (E18), §3.1 (B3), §3.2 (CETS 224 article bodies UNCONFIRMED)",
    ALL,
    family=Family.CHOICE,
)
def ins01(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    if facts.production and facts.instrument not in PRODUCTION:
        yield Issue(
            "Budapest Convention Art. 29 asks for preservation, so it travels as an EPOC-PR: send an "
            "EPOC-PR, or for production choose reg-2023-1543, cets-224-art7, cets-224-art8 or cets-224-art9.",
            ("instrument",),
        )
    if not facts.production and facts.instrument not in PRESERVATION:
        yield Issue(
            f"{facts.instrument.value} orders production, so it travels as an EPOC: send an EPOC, or for "
            "preservation choose reg-2023-1543 or cets-185-art29.",
            ("instrument",),
        )

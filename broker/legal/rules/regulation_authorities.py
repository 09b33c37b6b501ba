"""Who may issue and who must validate, per order type and data category (Art. 4)."""

from collections.abc import Iterator

from broker.legal.derived import JUDICIAL
from broker.legal.derived import JUDICIAL_OR_PROSECUTOR
from broker.legal.derived import emergency_exception_applies
from broker.legal.derived import invokes_emergency_exception
from broker.legal.facts import Facts
from broker.legal.model import Confidence
from broker.legal.model import Issue
from broker.legal.reference import ReferenceData
from broker.legal.rules.declare import REG
from broker.legal.rules.declare import REGULATION
from broker.legal.rules.declare import authority
from broker.legal.rules.declare import issuing
from broker.legal.rules.declare import one_of
from broker.vocabulary import AuthorityType


def _issuer_or_validator(
    facts: Facts, allowed: frozenset[AuthorityType], order: str, article: str
) -> Iterator[Issue]:
    """The issuer is one of `allowed`, or a validating authority of those types in the issuing State is."""
    if facts.issuer_type in allowed or invokes_emergency_exception(facts):
        return  # direct issuing; or the emergency exception, which EE-08 judges
    issuer = authority(facts.issuer_type)
    if facts.validator is None:
        yield Issue(
            f"{issuer.capitalize()} may not issue {order} without validation by {one_of(allowed)}: add a "
            f"validating authority of one of those types ({article}).",
            ("validating_authority",),
        )
        return
    if facts.validator_type not in allowed:
        yield Issue(
            f"{authority(facts.validator_type or AuthorityType.OTHER_COMPETENT_AUTHORITY).capitalize()} may "
            f"not validate {order}: the validating authority must be {one_of(allowed)} ({article}).",
            ("validating_authority.authority_type",),
        )
    if facts.validator["country"] != facts.issuing_state:
        yield Issue(
            f"The validating authority must be in the issuing State ({facts.issuing_state}), not in "
            f"{facts.validator['country']}: have the order validated there ({article}).",
            ("validating_authority.country",),
        )


@issuing(
    "EE-05",
    f"{REG}, Art. 4(1)",
    "An EPOC for subscriber data or IP identification is issued by a judge, court, investigating judge or "
    "public prosecutor, or by another competent authority and then validated by one of them in the issuing "
    "State.",
    Confidence.CONFIRMED,
    "legal-rules.md §1.3 (E2); Art. 4(1) read again at fantasticsearch.net 2026-11-24",
    REGULATION,
)
def ee05(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    if facts.production and not facts.intrusive:
        yield from _issuer_or_validator(
            facts, JUDICIAL_OR_PROSECUTOR, "an EPOC for subscriber data or IP identification", "Art. 4(1)(b)"
        )


@issuing(
    "EE-06",
    f"{REG}, Art. 4(2)",
    "An EPOC for traffic or content data is issued by a judge, court or investigating judge, or by another "
    "competent authority, a public prosecutor included, and then validated by a judge, court or "
    "investigating judge; a prosecutor can never validate it.",
    Confidence.SECONDARY,
    "legal-rules.md §1.3 (E2 [V] for Art. 4(2)(a) and the opening of (b); validator list [V2] E10, E17)",
    REGULATION,
)
def ee06(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    if facts.production and facts.intrusive:
        yield from _issuer_or_validator(
            facts, JUDICIAL, "an EPOC for traffic or content data", "Art. 4(2)(b)"
        )


@issuing(
    "EE-07",
    f"{REG}, Art. 4(3)",
    "An EPOC-PR, whatever the data, is issued by a judge, court, investigating judge or public prosecutor, "
    "or by another competent authority and then validated by one of them.",
    Confidence.SECONDARY,
    "legal-rules.md §1.3 (E10); commentary read again at cld.bz/F36giRe/54 2026-11-24",
    REGULATION,
)
def ee07(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    if not facts.production:
        yield from _issuer_or_validator(facts, JUDICIAL_OR_PROSECUTOR, "an EPOC-PR", "Art. 4(3)")


@issuing(
    "EE-08",
    f"{REG}, Art. 4(5)",
    "In an emergency another competent authority may issue without prior validation, but only an EPOC for "
    "subscriber data or IP identification or an EPOC-PR; validation must then be sought within 48 hours.",
    Confidence.SECONDARY,
    "legal-rules.md §1.3 (E10); commentary read again at cld.bz/F36giRe/54 2026-11-24",
    REGULATION,
)
def ee08(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    if invokes_emergency_exception(facts) and not emergency_exception_applies(facts):
        yield Issue(
            "Even in an emergency an EPOC for traffic or content data needs prior validation: the exception "
            "of Art. 4(5) covers only EPOCs for subscriber data or IP identification and EPOC-PRs. Add a "
            f"validating authority that is {one_of(JUDICIAL)}, or ask only for subscriber data or IP "
            "identification.",
            ("validating_authority", "data_categories"),
        )

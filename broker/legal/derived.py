"""Facts computed from an order that rules share and the order workflow acts on (Report.derived)."""

from typing import Any

from broker.legal.facts import Facts
from broker.legal.reference import ReferenceData
from broker.vocabulary import AuthorityType
from broker.vocabulary import DataCategory
from broker.vocabulary import Instrument

JUDICIAL = frozenset({AuthorityType.JUDGE, AuthorityType.COURT, AuthorityType.INVESTIGATING_JUDGE})
JUDICIAL_OR_PROSECUTOR = JUDICIAL | {AuthorityType.PUBLIC_PROSECUTOR}


def direct_issuers(facts: Facts) -> frozenset[AuthorityType]:
    """Who may issue this order without validation under the Regulation (Art. 4(1)-(3))."""
    return JUDICIAL if facts.production and facts.intrusive else JUDICIAL_OR_PROSECUTOR


def invokes_emergency_exception(facts: Facts) -> bool:
    """An issuer that needs validation sends the order in an emergency without it (Art. 4(5))."""
    return (
        facts.instrument is Instrument.REG_2023_1543
        and facts.emergency
        and facts.validator is None
        and facts.issuer_type not in direct_issuers(facts)
    )


def emergency_exception_applies(facts: Facts) -> bool:
    """Art. 4(5) covers only other competent authorities, for identifying EPOCs and any EPOC-PR."""
    return (
        invokes_emergency_exception(facts)
        and facts.issuer_type is AuthorityType.OTHER_COMPETENT_AUTHORITY
        and not (facts.production and facts.intrusive)
    )


def notification_required(facts: Facts, reference: ReferenceData) -> bool | None:
    """Whether the issuing authority must notify a State when it sends the order; None: facts missing."""
    if facts.instrument is Instrument.CETS_224_ART7:
        party = reference.protocol_parties.get(facts.enforcing_state)
        return bool(party and party.art7_simultaneous_notification)
    if facts.instrument is not Instrument.REG_2023_1543 or not (facts.production and facts.intrusive):
        return False
    # Art. 8(2): no notification only if both are believed; one known false settles it.
    grounds = [facts.get("offence_committed_in_issuing_state"), facts.get("person_resides_in_issuing_state")]
    if False in grounds:
        return True
    return None if None in grounds else False


def deadline(facts: Facts) -> str:
    """The clock the workflow starts when the addressee receives the order."""
    match facts.instrument:
        case Instrument.REG_2023_1543 if not facts.production:
            return "preservation_60_days"
        case Instrument.REG_2023_1543:
            return "emergency_8h" if facts.emergency else "10_days"
        case Instrument.CETS_185_ART29:
            return "preservation_at_least_60_days"
        case Instrument.CETS_224_ART7:
            return "art7_30_days"
        case Instrument.CETS_224_ART8:
            return "art8_45_days" if DataCategory.TRAFFIC in facts.categories else "art8_20_days"
        case Instrument.CETS_224_ART9:
            return "art9_emergency"


def derive(facts: Facts, reference: ReferenceData) -> dict[str, Any]:
    """Report.derived: see broker.legal.model.Report for what each key means."""
    notify = notification_required(facts, reference)
    return {
        "notification_required": notify,
        "notify_state": facts.enforcing_state if notify else None,
        "deadline": deadline(facts),
        "ex_post_validation_required": emergency_exception_applies(facts),
    }

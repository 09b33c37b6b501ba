"""Regulation (EU) 2022/2065 (the Digital Services Act), Art. 18: a hosting service provider's notification
of a suspected criminal offence involving a threat to the life or safety of a person, as data.

Ids and confidence follow tco-dsa.md (DSA-xx). A notification is not an order: the broker enforces these
rules when it receives one (broker.orders.threats and broker.wire.threats), never on a certificate.
"""

from broker.legal.model import Confidence
from broker.legal.model import Family
from broker.legal.model import Rule
from broker.legal.model import Severity
from broker.legal.model import Stage

DSA = "Regulation (EU) 2022/2065"
RECEIVED = "broker.orders.operations.record_threat_notification (POST /api/v1/threat-notifications)"


def _rule(
    id: str, citation: str, explanation: str, confidence: Confidence, source: str, enforced_by: str
) -> Rule:
    return Rule(
        id=id,
        instrument=Family.DSA,
        citation=f"{DSA}, {citation}",
        severity=Severity.ERROR,
        explanation=explanation,
        confidence=confidence,
        source=source,
        stage=Stage.LIFECYCLE,
        applies_to=frozenset(),
        enforced_by=enforced_by,
    )


DSA01 = _rule(
    "DSA-01",
    "Art. 18(1)",
    "A hosting service provider aware of information giving rise to a suspicion that a criminal offence "
    "involving a threat to the life or safety of a person has taken place, is taking place or is likely to "
    "take place promptly informs the law-enforcement or judicial authorities of the Member State or States "
    "concerned, with all relevant information available.",
    Confidence.CONFIRMED,
    "tco-dsa.md DSA-01 (V: ANCOM's and the BKA's guidance, legal-rules.md §4.2 S5, S6); legal-rules.md §6.4 DS-02",
    f"{RECEIVED}: only a provider sends it, signed, to a registered issuing or enforcing authority of a "
    "Member State it names as concerned (wrong-recipient otherwise, Europol included); the authority reads it as an emergency "
    "and may answer it with an emergency EPOC or EPOC-PR that names it (broker.orders.threats.answered_reference).",
)
DSA02 = _rule(
    "DSA-02",
    "Art. 18(2)",
    "Where the provider cannot identify the Member State concerned with reasonable certainty, it informs the "
    "law-enforcement authorities of the Member State where it is established or has its legal "
    "representative, or Europol, or both; the Member State concerned is where the offence is suspected to "
    "have taken place, to be taking place or likely to take place, or where the suspected offender or the "
    "victim resides or is located.",
    Confidence.CONFIRMED,
    "tco-dsa.md DSA-02 (V: legal-rules.md §4.2 S5, S6); the registry's addressees of the provider stand for "
    "its establishment and legal representative (the broker's reading); Europol is the registry's one "
    "organisation of kind europol",
    f"{RECEIVED} with broker.orders.threats.recipient_for: an empty member_states_concerned needs its "
    "fallback_reason (broker.wire.threats) and goes to an authority of a State where the provider has a "
    "registered addressee, or to Europol (one notification each, for both); Europol receives none that names "
    "a Member State concerned (wrong-recipient, citing Art. 18(1)), reads those sent to it "
    "(GET /api/v1/threat-notifications) and cannot answer one with an order "
    "(broker.orders.threats.may_answer: it is no issuing authority under Regulation (EU) 2023/1543, Art. 4).",
)
DSA03 = _rule(
    "DSA-03",
    "recital 56",
    "The notification should contain the content concerned, the time of its publication with the time zone, "
    "an explanation of the suspicion and the information needed to locate and identify the recipient of "
    "the service concerned.",
    Confidence.SECONDARY,
    "tco-dsa.md DSA-03 (V: streamlex.eu's DSA Art. 18 page, legal-rules.md §4.2 S7); the recital's number "
    "UNCONFIRMED",
    "the threat-notification body (broker.wire.threats, schemas/threat-notification.v1.json): content, "
    "published_at with its offset (not after the broker's clock), suspicion, recipient_identification.",
)
DSA04 = _rule(
    "DSA-04",
    "Art. 92, Art. 93",
    "Art. 18 applies to very large online platforms and search engines from 25 August 2023 and to all "
    "hosting service providers from 17 February 2024.",
    Confidence.SECONDARY,
    "tco-dsa.md DSA-04 (V2: the BKA's FAQ, legal-rules.md §4.2 S6)",
    "nothing to check: every notification the broker receives is after both dates; recorded for the "
    "catalogue's completeness.",
)

RULES = (DSA01, DSA02, DSA03, DSA04)

"""UK overseas production orders under the UK-US Data Access Agreement, as rules with their citations.

The Crime (Overseas Production Orders) Act 2019 (COPO) lets a UK judge order a provider abroad to
produce data, where a designated international co-operation arrangement covers the provider's
country; the UK-US agreement made under the US CLOUD Act (18 U.S.C. § 2523) is the one in force. The
issuing-stage rules are checked on the order by broker.legal.overseas.check_overseas_order (an
overseas production order is not a certificate, so the certificate engine never runs them); the
clocks are broker.legal.routes.OVERSEAS. Ids follow legal-rules.md §6.5 (CO, CL); the Act's
sections were read (U7-U10), the agreement's terms only in secondary sources (U2-U6).
"""

from dataclasses import dataclass
from datetime import date

from broker.legal.model import Confidence
from broker.legal.model import Family
from broker.legal.model import Rule
from broker.legal.model import Severity
from broker.legal.model import Stage

COPO = "Crime (Overseas Production Orders) Act 2019"
AGREEMENT = "UK-US Data Access Agreement (2019)"
CHECKED = (
    "broker.legal.overseas.check_overseas_order, on the order at draft, check and issue "
    "(broker.orders.overseas.check); a blocking finding stops the issue."
)
V, V2, U = Confidence.CONFIRMED, Confidence.SECONDARY, Confidence.UNCONFIRMED


@dataclass(frozen=True)
class Arrangement:
    """A designated international co-operation arrangement (s.1(5)) and the country on its other side."""

    name: str
    counterpart: str  # ISO 3166-1 alpha-2
    in_force: date
    source: str
    confidence: Confidence


# The arrangements designated for COPO, by the name an order gives. Designation is by regulations
# (s.1(5)(b)); only the UK-US agreement is known to be designated and in force.
ARRANGEMENTS = {
    "uk-us-2019": Arrangement(
        "Agreement between the UK and the US on Access to Electronic Data for the Purpose of Countering "
        "Serious Crime",
        "US",
        date(2022, 10, 3),
        "legal-rules.md §5 (U2, U3, U4): signed 3 October 2019, in force 3 October 2022",
        V2,
    ),
}
SERIOUS_CRIME_MONTHS = 36  # "serious crime": a maximum term of at least three years (U5, U6)


def _rule(
    id: str,
    citation: str,
    explanation: str,
    confidence: Confidence,
    source: str,
    stage: Stage = Stage.ISSUING,
    enforced_by: str = CHECKED,
) -> Rule:
    return Rule(
        id=id,
        instrument=Family.UK_US,
        citation=citation,
        severity=Severity.ERROR,
        explanation=explanation,
        confidence=confidence,
        source=source,
        stage=stage,
        applies_to=frozenset(),
        enforced_by=enforced_by,
    )


CO01 = _rule(
    "CO-01",
    f"{COPO}, s.1(1), s.2",
    "A judge makes an overseas production order, and only on the application of an appropriate officer.",
    V,
    "legal-rules.md §5 (U7, U8); s.1(1) read at legislation.gov.uk (enacted) and vlex.co.uk, 2026-12-07",
)
CO02 = _rule(
    "CO-02",
    f"{COPO}, s.1(2)(a), s.1(5)",
    "The application, and so the order, names the designated international co-operation arrangement it "
    "relies on; only arrangements the Secretary of State designated by regulations count.",
    V,
    "legal-rules.md §5 (U7, U8); list of designated arrangements: broker/legal/rules/copo.py ARRANGEMENTS "
    "(UK-US agreement [V2] U2-U4)",
)
CO03 = _rule(
    "CO-03",
    f"{COPO}, s.1(3), s.3",
    "The application must not specify or describe data the appropriate officer has reasonable grounds to "
    "believe consist of or include excepted electronic data (such as legally privileged material).",
    V,
    "legal-rules.md §5 (U7, U8); s.1(3) read at legislation.gov.uk (enacted), 2026-12-07; s.3(3) read at "
    "legislation.gov.uk/ukpga/2019/5/section/3, 2026-12-07: excepted electronic data are items subject to "
    "legal privilege and confidential personal records (s.3(4)-(5): communications data for a "
    "telecommunications operator; none of the records in a terrorist investigation)",
)
CO04 = _rule(
    "CO-04",
    f"{COPO}, s.4",
    "The respondent operates or is based in a country that is party to the arrangement the order names.",
    V,
    "legal-rules.md §5 (U9)",
)
CO05 = _rule(
    "CO-05",
    f"{COPO}, s.4",
    "An indictable offence has been committed and proceedings for it have been instituted or it is being "
    "investigated, or the order is sought for a terrorist investigation.",
    V,
    "legal-rules.md §5 (U9)",
)
CO06 = _rule(
    "CO-06",
    f"{COPO}, s.9",
    "Only the Secretary of State (orders made in England and Wales or Northern Ireland) or the Lord "
    "Advocate (orders made in Scotland) serves the order, and only in accordance with the arrangement; an "
    "order not served within 3 months beginning with the day it was made is treated as quashed.",
    V,
    "legal-rules.md §5 (U10); s.9 read at legislation.gov.uk (enacted), 2026-12-07",
    Stage.LIFECYCLE,
    "broker.legal.routes.OVERSEAS: the order goes to the registered designated authority "
    "(broker.legal.overseas.serving_authority names which: the Secretary of State or the Lord Advocate), "
    "which takes delivery and serves it (POST /orders/{id}/serve); the service clock runs from the start "
    "of the day the order was made (3 UK calendar months, Timer.due) and, unserved, the worker ends the "
    "order as quashed (order.quashed). At issue, an order whose 3 months have passed is refused "
    "(broker.orders.overseas.check).",
)
CO07 = _rule(
    "CO-07",
    f"{COPO}, s.5",
    "The respondent complies within 7 days beginning with the day the order is served, unless the judge "
    "set another period.",
    V2,
    "legal-rules.md §5 (U6); s.5 not read",
    Stage.LIFECYCLE,
    "broker.legal.routes.OVERSEAS: the compliance clock (the order's production clock) starts at service "
    "(compliance_period_days, else 7 UK calendar days, reckoned by Timer.due); the worker records a missed "
    "deadline strictly after its end. The respondent may withhold excepted electronic data with its "
    "grounds (excepted-data-refusal, COPO s.1(3), s.3).",
)
CL01 = _rule(
    "CL-01",
    f"{AGREEMENT}; 18 U.S.C. § 2523(b)(4)",
    "An order names a specific person, account, address, device or other identifier, and never targets a "
    "person of the other country or a person located in it.",
    V2,
    "legal-rules.md §5 (U2, U3, U4: targeting [V2]; § 2523(b)(4) UNCONFIRMED) and §6.5 CL-01",
)
CL02 = _rule(
    "CL-02",
    f"{AGREEMENT}, serious crime",
    "The agreement serves serious crime only: an offence punishable by a maximum term of imprisonment of at "
    "least three years.",
    V2,
    "legal-rules.md §5 (U5, U6: 'at least 3 years' per the Home Office; the treaty's exact words "
    "UNCONFIRMED) and §6.5 CL-02",
)

RULES = (CO01, CO02, CO03, CO04, CO05, CO06, CO07, CL01, CL02)

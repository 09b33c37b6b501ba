"""Second Additional Protocol (CETS 224) Arts. 7, 8 and 9, with the Parties' declarations.

No article body of the Protocol was read for these rules, so every one is unconfirmed.
"""

from collections.abc import Iterator

from broker.legal.derived import JUDICIAL_OR_PROSECUTOR
from broker.legal.facts import IDENTIFYING
from broker.legal.facts import Facts
from broker.legal.facts import blank
from broker.legal.model import Confidence
from broker.legal.model import Issue
from broker.legal.model import Severity
from broker.legal.model import Stage
from broker.legal.reference import ProtocolParty
from broker.legal.reference import ReferenceData
from broker.legal.routes import PROTOCOL_SEARCHED
from broker.legal.rules.declare import ART7
from broker.legal.rules.declare import ART8
from broker.legal.rules.declare import ART9
from broker.legal.rules.declare import PROTOCOL
from broker.legal.rules.declare import PROTOCOL_ARTICLES
from broker.legal.rules.declare import enforced_elsewhere
from broker.legal.rules.declare import how_to_fix
from broker.legal.rules.declare import issuing
from broker.legal.rules.regulation_certificate import CONTENT
from broker.legal.rules.regulation_certificate import addressee_language
from broker.legal.rules.regulation_certificate import blank_statements
from broker.vocabulary import DataCategory

U = Confidence.UNCONFIRMED
SOURCE = "legal-rules.md §3.2 (article bodies not read: UNCONFIRMED)"
DECLARATIONS = f"{SOURCE}; declarations in reference/cets-224-parties.json"
WORKFLOW = "Order workflow (broker.orders)"


def _requested(facts: Facts, reference: ReferenceData) -> ProtocolParty:
    """The requested Party's declarations; none recorded reads as none made."""
    return reference.protocol_parties.get(facts.enforcing_state) or ProtocolParty(bound=False)


@issuing(
    "P2-10",
    f"{PROTOCOL}, Art. 2",
    "The Protocol applies only between two different States that have both ratified it; a signature alone "
    "does not bind.",
    U,
    DECLARATIONS,
    PROTOCOL_ARTICLES,
)
def p2_10(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    for state, field in (
        (facts.issuing_state, "issuing_authority.country"),
        (facts.enforcing_state, "addressee.country"),
    ):
        if not reference.bound_by_protocol(state):
            yield Issue(
                f"{state} is not bound by the Second Additional Protocol (not a Party, or has only signed "
                "it): use mutual legal assistance, or the Regulation between participating Member States.",
                (field,),
            )
    if facts.issuing_state == facts.enforcing_state:
        yield Issue(
            f"The provider is in the issuing State ({facts.issuing_state}): the Protocol serves cross-border "
            "requests only, so use a domestic order.",
            ("addressee.country",),
        )


@issuing(
    "P2-01",
    f"{PROTOCOL}, Art. 7(1)",
    "An Art. 7 order asks a provider directly for subscriber "
    "information only (here: subscriber data or IP identification), never traffic or content data.",
    U,
    SOURCE,
    ART7,
)
def p2_01(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    if facts.categories - IDENTIFYING:
        yield Issue(
            "An Art. 7 order may seek subscriber information only: remove traffic and content data, and "
            "request traffic data under Art. 8 or content by mutual legal assistance.",
            ("data_categories",),
        )


@issuing(
    "P2-11",
    f"{PROTOCOL}, Art. 7(9)(a)",
    "A Party may reserve the right not to apply Art. 7; no Art. 7 order goes to providers in its territory.",
    U,
    DECLARATIONS,
    ART7,
)
def p2_11(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    if _requested(facts, reference).art7_not_applied:
        yield Issue(
            f"{facts.enforcing_state} does not apply Art. 7 (reservation under Art. 7(9)(a)): ask through "
            "Art. 8 instead (instrument cets-224-art8).",
            ("instrument",),
        )


@issuing(
    "P2-05",
    f"{PROTOCOL}, Art. 7(2)(b)",
    "Where the requested Party has so declared, an Art. 7 order "
    "must be issued by, or under the supervision of, a prosecutor or other judicial authority.",
    U,
    DECLARATIONS,
    ART7,
)
def p2_05(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    supervised = facts.issuer_type in JUDICIAL_OR_PROSECUTOR or facts.validator_type in JUDICIAL_OR_PROSECUTOR
    if _requested(facts, reference).art7_supervision_required and not supervised:
        yield Issue(
            f"{facts.enforcing_state} requires Art. 7 orders to its providers to be issued by, or under the "
            "supervision of, a prosecutor or other judicial authority (Art. 7(2)(b)): have a judge, court, "
            "investigating judge or public prosecutor validate the order.",
            ("validating_authority",),
        )


@issuing(
    "P2-06",
    f"{PROTOCOL}, Art. 7(5)(a)",
    "Where the requested Party has so declared, it is notified "
    "at the same time as the provider, with the order, the supplemental information and a summary of "
    "the facts.",
    U,
    DECLARATIONS,
    ART7,
    severity=Severity.WARNING,
)
def p2_06(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    if _requested(facts, reference).art7_simultaneous_notification:
        yield Issue(
            f"{facts.enforcing_state} requires simultaneous notification (Art. 7(5)(a)): send its authority "
            "the order, the supplemental information and a summary of the facts when the order goes to the "
            "provider.",
        )


@issuing(
    "P2-09",
    f"{PROTOCOL}, Art. 8(1)",
    "Art. 8 gives effect to orders for subscriber information and traffic data only.",
    U,
    SOURCE,
    ART8,
)
def p2_09(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    if DataCategory.CONTENT in facts.categories:
        yield Issue(
            "Art. 8 covers subscriber information and traffic data only: remove content data and request it "
            "by mutual legal assistance.",
            ("data_categories",),
        )


@issuing(
    "P2-07",
    f"{PROTOCOL}, Art. 8(13)",
    "A Party may reserve the right not to give effect under Art. 8 to orders for traffic data.",
    U,
    DECLARATIONS,
    ART8,
)
def p2_07(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    if _requested(facts, reference).art8_no_traffic_data and DataCategory.TRAFFIC in facts.categories:
        yield Issue(
            f"{facts.enforcing_state} does not give effect to orders for traffic data under Art. 8 "
            "(reservation under Art. 8(13)): remove traffic data and request it by mutual legal assistance.",
            ("data_categories",),
        )


@issuing(
    "P2-03",
    f"{PROTOCOL}, Art. 9(1), Art. 3",
    "Art. 9 serves emergencies only, a significant and "
    "imminent risk to the life or safety of a person, and the request shows how the data relate to it.",
    U,
    SOURCE,
    ART9,
)
def p2_03(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    if not facts.emergency:
        yield Issue(
            "Art. 9 is for emergencies only: set emergency to true and describe the risk to life or safety "
            "and how the data relate to it, or use Art. 7 or Art. 8.",
            ("emergency",),
        )
    elif blank(facts.get("emergency_justification")):
        yield Issue(
            f"The description of the emergency is blank. {how_to_fix(facts, 'emergency_justification')}",
            ("emergency_justification",),
        )


@issuing(
    "P2-15",
    f"{PROTOCOL}, Arts. 7, 8 and 9 (contents of an order or request)",
    "An order or request states the offence, the provisions and penalties that apply, a description of the "
    "information sought, the provider and a summary of the facts.",
    U,
    SOURCE,
    PROTOCOL_ARTICLES,
)
def p2_15(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    yield from blank_statements(facts, CONTENT)


@issuing(
    "P2-08",
    f"{PROTOCOL}, Art. 9(1)(b)",
    "Where the requested Party has so declared, it does not "
    "execute Art. 9 requests that seek subscriber information only.",
    U,
    DECLARATIONS,
    ART9,
)
def p2_08(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    if _requested(facts, reference).art9_no_subscriber_only and facts.categories <= IDENTIFYING:
        yield Issue(
            f"{facts.enforcing_state} does not execute Art. 9 requests for subscriber information only "
            "(declaration under Art. 9(1)(b)): use Art. 7 or Art. 8, or add the traffic or content data the "
            "emergency needs.",
            ("instrument", "data_categories"),
        )


@issuing(
    "P2-12",
    f"{PROTOCOL}, Art. 4",
    "An order or request is in a language the provider or requested "
    "Party accepts, or comes with a translation.",
    U,
    SOURCE,
    PROTOCOL_ARTICLES,
)
def p2_12(facts: Facts, reference: ReferenceData) -> Iterator[Issue]:
    yield from addressee_language(facts, "Art. 4")


RULES = (
    p2_10,
    p2_01,
    enforced_elsewhere(
        "P2-02",
        f"{PROTOCOL}, Art. 8",
        "The requested Party serves the order within 45 days of receiving it complete, and orders the data "
        "returned within 20 days for subscriber information and 45 days for traffic data.",
        confidence=U,
        source=f"{SOURCE}; {PROTOCOL_SEARCHED}",
        applies_to=ART8,
        stage=Stage.LIFECYCLE,
        enforced_by="broker.legal.routes (cets-224-art8: the requested Party receives the order, a 45-day "
        "service clock from its receipt, then a 20- or 45-day production clock from service); "
        f"{WORKFLOW} issues the order to the requested Party's competent authority (its registered enforcing "
        "authority), which takes delivery (the service clock starts) and serves it (POST /orders/{id}/serve: "
        "the production clock starts); the provider sees the order only once served, and the worker records "
        "a late service (service.overdue) or a missed production deadline strictly after their ends.",
    ),
    p2_03,
    enforced_elsewhere(
        "P2-04",
        f"{PROTOCOL}, Arts. 7, 8, 9 (declarations and reservations)",
        "Each Party's declarations and reservations under Arts. 7, 8 and 9 are kept up to date, because the "
        "rules P2-05 to P2-08 and P2-11 depend on them.",
        confidence=U,
        source=SOURCE,
        applies_to=PROTOCOL_ARTICLES,
        stage=Stage.RECORD,
        enforced_by="Reference data broker/legal/reference/cets-224-parties.json, versioned, one entry per "
        "State with its source; update it from the Council of Europe Treaty Office.",
    ),
    p2_05,
    p2_06,
    p2_07,
    p2_08,
    p2_09,
    p2_11,
    p2_12,
    p2_15,
    enforced_elsewhere(
        "P2-13",
        f"{PROTOCOL}, Art. 7(7)",
        "If the provider does not disclose within 30 days (or the time frame set), the issuing Party may "
        "pursue the order only through Art. 8 or mutual legal assistance.",
        confidence=U,
        source=SOURCE,
        applies_to=ART7,
        stage=Stage.LIFECYCLE,
        enforced_by="broker.legal.routes (cets-224-art7: a 30-day disclosure clock from the provider's receipt; "
        f"follow-up only under cets-224-art8 or mutual legal assistance); {WORKFLOW} starts the derived "
        "deadline art7_30_days at receipt and refuses the Regulation's Art. 16 enforcement and Art. 12 review "
        "(broker.workflow.routing), but does not yet refuse another Art. 7 order after it.",
    ),
    enforced_elsewhere(
        "P2-14",
        f"{PROTOCOL}, Art. 9(1)(a)",
        "An Art. 9 request goes through the requested Party's 24/7 point of contact.",
        confidence=U,
        source=f"{SOURCE}; {PROTOCOL_SEARCHED}",
        applies_to=ART9,
        stage=Stage.LIFECYCLE,
        enforced_by="broker.legal.routes (cets-224-art9: the channel point_of_contact_24_7 and an 8-hour "
        f"disclosure clock from its receipt); {WORKFLOW} issues the request to the requested Party's "
        "registered 24/7 point of contact (treaty_role point_of_contact_24_7), whose receipt starts the "
        "disclosure clock and which passes the request on (POST /orders/{id}/serve); the provider sees it "
        "only then.",
    ),
)

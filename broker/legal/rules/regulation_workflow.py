"""Regulation rules that a certificate check cannot decide: timers, later steps and records.

Each names where the broker enforces it; the order workflow that does so is separate work, driven
by Report.derived.
"""

from broker.legal.model import Confidence
from broker.legal.model import Severity
from broker.legal.model import Stage
from broker.legal.rules.declare import REG
from broker.legal.rules.declare import REGULATION
from broker.legal.rules.declare import enforced_elsewhere

WORKFLOW = "Order workflow (broker.orders)"
LIFECYCLE, RECORD = Stage.LIFECYCLE, Stage.RECORD
V, V2, U = Confidence.CONFIRMED, Confidence.SECONDARY, Confidence.UNCONFIRMED

RULES = (
    enforced_elsewhere(
        "EE-13",
        f"{REG}, Art. 8(4), Art. 10(2)",
        "When the enforcing State is notified and there is no emergency, the addressee produces the data at "
        "the end of 10 days, or earlier if the enforcing authority confirms it will not refuse. The data may "
        "not leave before the end of the period (Art. 8(4)), so the end is the first instant the addressee "
        "may transfer: it is in breach only after that instant, never at it, and never while the transfer "
        "is held, whatever deadline runs.",
        confidence=V,
        source="legal-rules.md §1.6 (E5), §1.5 (E7: Art. 8(4) suspensive effect); the breach instant is "
        "the broker's reading of 'at the end of that 10-day period' (Art. 10(2))",
        applies_to=REGULATION,
        stage=LIFECYCLE,
        enforced_by=f"{WORKFLOW}: on receipt of a notified EPOC (derived notification_required) start a "
        "10-day timer and hold the release of data until it ends or the enforcing authority confirms early; "
        "the worker records a missed production deadline only strictly after both the deadline and the end "
        "of the hold (broker.orders.deadlines.production_held, broker.workflow.operations.due).",
    ),
    enforced_elsewhere(
        "EE-14",
        f"{REG}, Art. 10(3)",
        "Without notification and without emergency, the addressee produces the data within 10 days of "
        "receipt.",
        confidence=V,
        source="legal-rules.md §1.6 (E5)",
        applies_to=REGULATION,
        stage=LIFECYCLE,
        enforced_by=f"{WORKFLOW}: start the derived deadline 10_days at receipt and flag the order when it "
        "passes.",
    ),
    enforced_elsewhere(
        "EE-16",
        f"{REG}, Art. 12(1)",
        "The enforcing authority may raise a listed refusal ground within 10 days of the notification, or 96 "
        "hours in an emergency.",
        confidence=V,
        source="legal-rules.md §1.7 (E6, E6-de)",
        applies_to=REGULATION,
        stage=LIFECYCLE,
        enforced_by=f"{WORKFLOW}: accept a refusal from the notified enforcing authority only within its "
        "window and only with one of the four Art. 12(1) grounds.",
    ),
    enforced_elsewhere(
        "EE-17",
        f"{REG}, Art. 12(1)(d)",
        "Lack of double criminality is no refusal ground when the EPOC ticks an Annex IV category and the "
        "offence carries a maximum of at least 3 years in the issuing State.",
        confidence=V,
        source="legal-rules.md §1.7 (E6-de)",
        applies_to=REGULATION,
        stage=LIFECYCLE,
        enforced_by=f"{WORKFLOW}: reject a no_double_criminality refusal when the certificate's "
        "offence.annex_iv_category is set and offence.maximum_penalty_months is at least 36.",
    ),
    enforced_elsewhere(
        "EE-18",
        f"{REG}, Art. 10(1)",
        "On receiving an EPOC the addressee must preserve the data at once, before producing them.",
        confidence=V,
        source="legal-rules.md §1.6 (E5, E20)",
        applies_to=REGULATION,
        stage=LIFECYCLE,
        enforced_by=f"{WORKFLOW}: mark every received EPOC as preservation required at the moment of "
        "receipt.",
    ),
    enforced_elsewhere(
        "EE-19",
        f"{REG}, Art. 11(1)-(3)",
        "Preservation under an EPOC-PR ends after 60 days unless extended once by 30 days (Annex VI) or "
        "confirmed by a subsequent production request (Annex V), and ends early when released.",
        confidence=V,
        source="legal-rules.md §1.6 (E6b)",
        applies_to=REGULATION,
        stage=LIFECYCLE,
        enforced_by=f"{WORKFLOW}: start the derived deadline preservation_60_days at receipt; accept one "
        "Annex VI extension before it ends and an Annex V confirmation that makes it open-ended.",
    ),
    enforced_elsewhere(
        "EE-20",
        f"{REG}, Art. 10(5)-(8), Art. 11, Art. 17",
        "An addressee that cannot execute answers with an Annex III reason; asking for clarification pauses "
        "the production clock.",
        confidence=U,
        source="legal-rules.md §1.8 (partly [V] E18, rest UNCONFIRMED)",
        applies_to=REGULATION,
        stage=LIFECYCLE,
        enforced_by="Wire response schema (broker.wire.responses, NonExecutionReason) for the reasons; the "
        "order workflow pauses the clock on a clarification request.",
    ),
    enforced_elsewhere(
        "EE-21",
        f"{REG}, Art. 10(6)",
        "The issuing authority answers a clarification request within 5 days.",
        confidence=U,
        source="legal-rules.md §1.6 (5-day figure UNCONFIRMED)",
        applies_to=REGULATION,
        stage=LIFECYCLE,
        enforced_by=f"{WORKFLOW}: warn the issuing authority when 5 days pass after an Annex III "
        "clarification request.",
        severity=Severity.WARNING,
    ),
    enforced_elsewhere(
        "EE-22",
        f"{REG}, Art. 17",
        "An objection based on third-country law is made within 10 days of receipt, with the law and the "
        "conflict, and leads to a review by a court of the issuing State.",
        confidence=U,
        source="legal-rules.md §1.8 (Art 17 UNCONFIRMED)",
        applies_to=REGULATION,
        stage=LIFECYCLE,
        enforced_by=f"{WORKFLOW}: accept a third_country_conflict answer only within 10 days of receipt and "
        "suspend execution pending the court's review.",
    ),
    enforced_elsewhere(
        "EE-23",
        f"{REG}, Art. 16(1)-(2)",
        "A request for enforcement carries the order, the addressee's Annex III form and a translation into "
        "a language of the enforcing State; the enforcing authority decides within 5 working days.",
        confidence=V,
        source="legal-rules.md §1.9 (E11)",
        applies_to=REGULATION,
        stage=LIFECYCLE,
        enforced_by=f"{WORKFLOW}: refuse an enforcement request missing any of these and time the "
        "recognition decision in working days.",
    ),
    enforced_elsewhere(
        "EE-25",
        f"{REG}, Art. 19(1), (5)",
        "All exchanges use the decentralised IT system; any other channel needs a recorded reason.",
        confidence=V,
        source="legal-rules.md §1.11 (E12a, E12b)",
        applies_to=REGULATION,
        stage=LIFECYCLE,
        enforced_by=f"{WORKFLOW}: record the channel of every exchange and require a reason for any fallback "
        "channel.",
    ),
    enforced_elsewhere(
        "EE-28",
        f"{REG}, Art. 28",
        "Member States report yearly statistics by data category, addressee, emergency, notification, "
        "refusal ground and outcome.",
        confidence=U,
        source="legal-rules.md §1.12 ((a)-(e) [V] E13b; (f)-(j) UNCONFIRMED)",
        applies_to=REGULATION,
        stage=RECORD,
        enforced_by="Order records (broker.orders.models) keep the data category, addressee, emergency and "
        "notification flags, refusal ground, outcome and timestamps the annual report needs.",
    ),
    enforced_elsewhere(
        "EE-29",
        f"{REG}, Art. 14",
        "A provider may claim its costs only if the issuing State reimburses them for similar domestic "
        "orders.",
        confidence=U,
        source="legal-rules.md §1.10 (Art 14 UNCONFIRMED)",
        applies_to=REGULATION,
        stage=LIFECYCLE,
        enforced_by=f"{WORKFLOW}: accept a cost claim only when the issuing State's reimbursement flag is "
        "set.",
    ),
    enforced_elsewhere(
        "EE-30",
        f"{REG}, Art. 13(4)",
        "Certificates and the data produced or preserved are kept confidential, secret and intact.",
        confidence=V,
        source="legal-rules.md §1.10 (E8, E20, E6c)",
        applies_to=REGULATION,
        stage=RECORD,
        enforced_by="Access rules (broker.access) restrict who may read an order, every message is stored as "
        "signed, and the audit log (broker.audit) records each access.",
    ),
    enforced_elsewhere(
        "EE-32",
        f"{REG}, Art. 10(4)",
        "In an emergency the addressee produces within 8 hours, and a notified enforcing authority may "
        "object within 96 hours.",
        confidence=V,
        source="legal-rules.md §1.6 (E5-de, E10)",
        applies_to=REGULATION,
        stage=LIFECYCLE,
        enforced_by=f"{WORKFLOW}: start the derived deadline emergency_8h at receipt and, when notified, a "
        "96-hour objection window.",
    ),
    enforced_elsewhere(
        "EE-33",
        f"{REG}, Art. 4(5)",
        "An order issued without prior validation in an emergency is validated within 48 hours, or withdrawn "
        "and the data obtained deleted or restricted.",
        confidence=V2,
        source="legal-rules.md §1.3 (E10)",
        applies_to=REGULATION,
        stage=LIFECYCLE,
        enforced_by=f"{WORKFLOW}: when derived ex_post_validation_required is true, start a 48-hour timer; "
        "on expiry or refusal withdraw the order and open a deletion task.",
    ),
    enforced_elsewhere(
        "EE-34",
        f"{REG}, Art. 8(1), (3)",
        "A notified EPOC goes to the enforcing authority at the same time as to the addressee, with what it "
        "needs to assess refusal grounds.",
        confidence=V,
        source="legal-rules.md §1.5 (E7)",
        applies_to=REGULATION,
        stage=LIFECYCLE,
        enforced_by=f"{WORKFLOW}: when derived notification_required is true, send the certificate to the "
        "enforcing authority of derived notify_state in the same transaction as to the addressee.",
    ),
)

"""The Regulation's words as people read them: a label for every state, kind, role, clock and message.

The values of broker/vocabulary.py are the wire's and the database's; pages show these labels,
translated (`label(value)` in templates). Each enum has its own table, since two enums may share a
value ("epoc" is an order type and a message type). A value without a label shows as it is, so a
new state is never hidden, and tests/portal/test_portal_catalogues.py fails until it has one.
"""

from enum import StrEnum

from broker.lifecycle import Clock
from broker.portal.i18n import N_
from broker.portal.i18n import translate
from broker.vocabulary import DataCategory
from broker.vocabulary import MessageType
from broker.vocabulary import OrderState
from broker.vocabulary import OrderType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role

LABELS: dict[type[StrEnum], dict[str, str]] = {
    OrderState: {
        OrderState.DRAFT: N_("Draft"),
        OrderState.ISSUED: N_("Issued"),
        OrderState.RECEIVED: N_("Received"),
        OrderState.ACKNOWLEDGED: N_("Acknowledged"),
        OrderState.PRESERVED: N_("Data preserved"),
        OrderState.CLARIFICATION_REQUESTED: N_("Clarification requested"),
        OrderState.UNDER_REVIEW: N_("Under review (immunity concern)"),
        OrderState.SUSPENDED: N_("Suspended (third-country objection)"),
        OrderState.PRODUCED: N_("Produced"),
        OrderState.PARTIALLY_PRODUCED: N_("Partially produced"),
        OrderState.NOT_EXECUTED: N_("Not executed"),
        OrderState.REFUSED: N_("Refused by the enforcing authority"),
        OrderState.ENFORCEMENT_REQUESTED: N_("Enforcement requested"),
        OrderState.ENFORCEMENT_REFUSED: N_("Enforcement refused"),
        OrderState.PRESERVATION_ENDED: N_("Preservation ended"),
        OrderState.WITHDRAWN: N_("Withdrawn"),
        OrderState.CLOSED: N_("Closed"),
    },
    OrderType: {
        OrderType.EPOC: N_("European Production Order (EPOC)"),
        OrderType.EPOC_PR: N_("European Preservation Order (EPOC-PR)"),
    },
    OrganisationKind: {
        OrganisationKind.ISSUING_AUTHORITY: N_("Issuing authority"),
        OrganisationKind.ENFORCING_AUTHORITY: N_("Enforcing authority"),
        OrganisationKind.PROVIDER: N_("Service provider"),
        OrganisationKind.OVERSIGHT_BODY: N_("Oversight body"),
    },
    Role: {
        Role.ADMIN: N_("Administrator"),
        Role.CASEWORKER: N_("Caseworker"),
        Role.LEGAL_OFFICER: N_("Legal officer"),
        Role.REVIEWER: N_("Reviewer"),
        Role.AUDITOR: N_("Auditor"),
    },
    Clock: {
        Clock.PRODUCTION: N_("Production deadline"),
        Clock.ENFORCING_REVIEW: N_("Enforcing authority's review"),
        Clock.OBJECTION_WINDOW: N_("Objection window"),
        Clock.CLARIFICATION: N_("Clarification"),
        Clock.EX_POST_VALIDATION: N_("Ex-post validation"),
        Clock.PRESERVATION: N_("Preservation"),
        Clock.ENFORCEMENT_DECISION: N_("Enforcement decision"),
    },
    DataCategory: {
        DataCategory.SUBSCRIBER: N_("Subscriber data"),
        DataCategory.USER_IDENTIFICATION: N_("Data requested for the sole purpose of identifying the user"),
        DataCategory.TRAFFIC: N_("Traffic data"),
        DataCategory.CONTENT: N_("Content data"),
    },
    MessageType: {
        MessageType.EPOC: N_("Production order certificate"),
        MessageType.EPOC_PR: N_("Preservation order certificate"),
        MessageType.CLARIFICATION_ANSWER: N_("Clarification answer"),
        MessageType.ORDER_DECISION: N_("Decision on a concern"),
        MessageType.COURT_REVIEW_OUTCOME: N_("Court review outcome"),
        MessageType.WITHDRAWAL: N_("Withdrawal"),
        MessageType.NEW_DEADLINE: N_("New deadline"),
        MessageType.PRESERVATION_EXTENSION: N_("Preservation extension"),
        MessageType.PRODUCTION_REQUEST_CONFIRMATION: N_("Confirmation of a production request"),
        MessageType.PRESERVATION_RELEASE: N_("Preservation release"),
        MessageType.EX_POST_VALIDATION: N_("Ex-post validation"),
        MessageType.CLOSURE: N_("Closure"),
        MessageType.ENFORCEMENT_REQUEST: N_("Enforcement request"),
        MessageType.RESPONSE: N_("Response"),
        MessageType.ACKNOWLEDGEMENT: N_("Acknowledgement"),
        MessageType.PRESERVATION_NOTICE: N_("Preservation notice"),
        MessageType.CLARIFICATION_REQUEST: N_("Clarification request"),
        MessageType.IMMUNITY_CONCERN: N_("Immunity concern"),
        MessageType.THIRD_COUNTRY_OBJECTION: N_("Third-country objection"),
        MessageType.EVIDENCE_MANIFEST: N_("Evidence manifest"),
        MessageType.ENFORCING_REVIEW: N_("Enforcing authority's review"),
        MessageType.ENFORCEMENT_DECISION: N_("Enforcement decision"),
    },
}


def label(value: object, of: type[StrEnum] | None = None) -> str:
    """The translated label of an enum member, or of a value read from a document (`of` its enum)."""
    if isinstance(value, StrEnum):
        of = type(value)
    text = str(value)
    for enum in (of,) if of is not None else tuple(LABELS):
        found = LABELS.get(enum, {}).get(text)
        if found is not None:
            return translate(found)
    return text


CLOCK_STATUSES = {
    "running": N_("Running"),
    "paused": N_("Paused"),
    "stopped": N_("Stopped"),
    "fired": N_("Ended"),
}


def clock_status(status: str) -> str:
    """A clock's status (broker/clocks/models.py) in words."""
    return translate(CLOCK_STATUSES[status]) if status in CLOCK_STATUSES else status

"""Which schema checks a body, by (message type, schema version), and the one call that applies it."""

import functools
from collections.abc import Mapping
from enum import StrEnum
from typing import Any
from typing import TypeVar

from marshmallow import Schema
from marshmallow import ValidationError

from broker.vocabulary import MessageType
from broker.vocabulary import RemovalMessageType
from broker.wire.certificates import EpocPrSchema
from broker.wire.certificates import EpocPrV2Schema
from broker.wire.certificates import EpocPrV3Schema
from broker.wire.certificates import EpocSchema
from broker.wire.certificates import EpocV2Schema
from broker.wire.certificates import EpocV3Schema
from broker.wire.evidence import EvidenceManifestSchema
from broker.wire.lifecycle import AcknowledgementSchema
from broker.wire.lifecycle import ClarificationAnswerSchema
from broker.wire.lifecycle import ClarificationRequestSchema
from broker.wire.lifecycle import ClosureSchema
from broker.wire.lifecycle import CourtReviewOutcomeSchema
from broker.wire.lifecycle import EnforcementDecisionSchema
from broker.wire.lifecycle import EnforcementRequestSchema
from broker.wire.lifecycle import EnforcingReviewSchema
from broker.wire.lifecycle import ExPostValidationSchema
from broker.wire.lifecycle import ImmunityConcernSchema
from broker.wire.lifecycle import NewDeadlineSchema
from broker.wire.lifecycle import OrderDecisionSchema
from broker.wire.lifecycle import PreservationExtensionSchema
from broker.wire.lifecycle import PreservationNoticeSchema
from broker.wire.lifecycle import PreservationReleaseSchema
from broker.wire.lifecycle import ProductionRequestConfirmationSchema
from broker.wire.lifecycle import ThirdCountryObjectionSchema
from broker.wire.lifecycle import WithdrawalSchema
from broker.wire.overseas import ExceptedDataRefusal
from broker.wire.overseas import OverseasProductionOrder
from broker.wire.removal import ContentProviderInformationSchema
from broker.wire.removal import ImpossibilityCeasedSchema
from broker.wire.removal import RemovalClarificationRequestSchema
from broker.wire.removal import RemovalClarificationSchema
from broker.wire.removal import RemovalComplaintOutcomeSchema
from broker.wire.removal import RemovalComplaintSchema
from broker.wire.removal import RemovalConfirmationSchema
from broker.wire.removal import RemovalImpossibilitySchema
from broker.wire.removal import RemovalOrderSchema
from broker.wire.removal import RemovalPreservationExtensionSchema
from broker.wire.removal import RemovalReinstatementSchema
from broker.wire.removal import RemovalScrutinyDecisionSchema
from broker.wire.removal import RemovalScrutinyIntentionSchema
from broker.wire.removal import RemovalScrutinyRequestSchema
from broker.wire.removal import RemovalWithholdingSchema
from broker.wire.responses import ResponseSchema
from broker.wire.threats import ThreatNotificationSchema
from broker.wire.treaty import RequestedPartyRefusal

BODY_SCHEMAS: dict[tuple[MessageType, int], type[Schema]] = {
    (MessageType.EPOC, 1): EpocSchema,
    (MessageType.EPOC_PR, 1): EpocPrSchema,
    # Version 2: another establishment as addressee, by the exception of Art. 7(2) (schemas/README.md).
    (MessageType.EPOC, 2): EpocV2Schema,
    (MessageType.EPOC_PR, 2): EpocPrV2Schema,
    # Version 3: a Council of Europe order without the members only the Regulation's form asks for.
    (MessageType.EPOC, 3): EpocV3Schema,
    (MessageType.EPOC_PR, 3): EpocPrV3Schema,
    (MessageType.RESPONSE, 1): ResponseSchema,
    (MessageType.CLARIFICATION_ANSWER, 1): ClarificationAnswerSchema,
    (MessageType.ORDER_DECISION, 1): OrderDecisionSchema,
    (MessageType.COURT_REVIEW_OUTCOME, 1): CourtReviewOutcomeSchema,
    (MessageType.WITHDRAWAL, 1): WithdrawalSchema,
    (MessageType.NEW_DEADLINE, 1): NewDeadlineSchema,
    (MessageType.PRESERVATION_EXTENSION, 1): PreservationExtensionSchema,
    (MessageType.PRODUCTION_REQUEST_CONFIRMATION, 1): ProductionRequestConfirmationSchema,
    (MessageType.PRESERVATION_RELEASE, 1): PreservationReleaseSchema,
    (MessageType.EX_POST_VALIDATION, 1): ExPostValidationSchema,
    (MessageType.CLOSURE, 1): ClosureSchema,
    (MessageType.ENFORCEMENT_REQUEST, 1): EnforcementRequestSchema,
    (MessageType.ACKNOWLEDGEMENT, 1): AcknowledgementSchema,
    (MessageType.PRESERVATION_NOTICE, 1): PreservationNoticeSchema,
    (MessageType.CLARIFICATION_REQUEST, 1): ClarificationRequestSchema,
    (MessageType.IMMUNITY_CONCERN, 1): ImmunityConcernSchema,
    (MessageType.THIRD_COUNTRY_OBJECTION, 1): ThirdCountryObjectionSchema,
    (MessageType.ENFORCING_REVIEW, 1): EnforcingReviewSchema,
    (MessageType.ENFORCEMENT_DECISION, 1): EnforcementDecisionSchema,
    (MessageType.EVIDENCE_MANIFEST, 1): EvidenceManifestSchema,
    # Crime (Overseas Production Orders) Act 2019 (envelope version 3): the order and the respondent's
    # refusal of excepted electronic data (s.3).
    (MessageType.OVERSEAS_PRODUCTION_ORDER, 1): OverseasProductionOrder,
    (MessageType.EXCEPTED_DATA_REFUSAL, 1): ExceptedDataRefusal,
    # CETS 224 Art. 8(7), Budapest Art. 29(4)-(5) (envelope version 3): the requested Party refuses.
    (MessageType.REQUESTED_PARTY_REFUSAL, 1): RequestedPartyRefusal,
}

# Regulation (EU) 2021/784: kept apart from BODY_SCHEMAS so no e-evidence step accepts a removal message.
REMOVAL_BODY_SCHEMAS: dict[tuple[RemovalMessageType, int], type[Schema]] = {
    (RemovalMessageType.REMOVAL_ORDER, 1): RemovalOrderSchema,
    (RemovalMessageType.REMOVAL_CONFIRMATION, 1): RemovalConfirmationSchema,
    (RemovalMessageType.REMOVAL_IMPOSSIBILITY, 1): RemovalImpossibilitySchema,
    (RemovalMessageType.IMPOSSIBILITY_CEASED, 1): ImpossibilityCeasedSchema,
    (RemovalMessageType.REMOVAL_CLARIFICATION_REQUEST, 1): RemovalClarificationRequestSchema,
    (RemovalMessageType.REMOVAL_CLARIFICATION, 1): RemovalClarificationSchema,
    # Envelope version 3: cross-border scrutiny (Art. 4(4)-(7)) and preservation (Art. 6(2)).
    (RemovalMessageType.REMOVAL_SCRUTINY_REQUEST, 1): RemovalScrutinyRequestSchema,
    (RemovalMessageType.REMOVAL_SCRUTINY_INTENTION, 1): RemovalScrutinyIntentionSchema,
    (RemovalMessageType.REMOVAL_SCRUTINY_DECISION, 1): RemovalScrutinyDecisionSchema,
    (RemovalMessageType.REMOVAL_REINSTATEMENT, 1): RemovalReinstatementSchema,
    (RemovalMessageType.REMOVAL_PRESERVATION_EXTENSION, 1): RemovalPreservationExtensionSchema,
    # Envelope version 3: the content provider's rights (Arts. 10-11).
    (RemovalMessageType.CONTENT_PROVIDER_INFORMATION, 1): ContentProviderInformationSchema,
    (RemovalMessageType.REMOVAL_WITHHOLDING, 1): RemovalWithholdingSchema,
    (RemovalMessageType.REMOVAL_COMPLAINT, 1): RemovalComplaintSchema,
    (RemovalMessageType.REMOVAL_COMPLAINT_OUTCOME, 1): RemovalComplaintOutcomeSchema,
}


# Regulation (EU) 2022/2065, Art. 18: a notification that belongs to no order (broker.orders.threats).
NOTIFICATION_BODY_SCHEMAS: dict[tuple[MessageType, int], type[Schema]] = {
    (MessageType.THREAT_NOTIFICATION, 1): ThreatNotificationSchema,
}


S = TypeVar("S", bound=Schema)


@functools.cache
def shared(schema: type[S]) -> S:
    """The one instance of a schema class: building a marshmallow schema costs more than using it.

    Loading and dumping keep no state on the instance, so one instance serves every thread.
    """
    return schema()


class UnknownMessageType(ValueError):
    """No schema for this (type, version): refuse the message rather than guess at its meaning."""


def validate_body(message_type: str, version: int, body: object) -> dict[str, Any]:
    """Check body and return it untouched: the broker stores and signs the wire form, not loaded objects."""
    return _validate(BODY_SCHEMAS, MessageType, message_type, version, body)


def validate_removal_body(message_type: str, version: int, body: object) -> dict[str, Any]:
    """validate_body for the messages of a removal order (Regulation (EU) 2021/784)."""
    return _validate(REMOVAL_BODY_SCHEMAS, RemovalMessageType, message_type, version, body)


def _validate(
    schemas: Mapping[tuple[Any, int], type[Schema]],
    family: type[StrEnum],
    message_type: str,
    version: int,
    body: object,
) -> dict[str, Any]:
    try:
        schema = schemas[family(message_type), version]
    except (ValueError, KeyError):
        raise UnknownMessageType(f"no body schema for {message_type!r} version {version!r}") from None
    if not isinstance(body, dict):
        raise ValidationError("The body must be a JSON object.")
    shared(schema).load(body)
    return body


def validate_message_body(message_type: str, version: int, body: object) -> dict[str, Any]:
    """validate_body or validate_removal_body, by the family the type belongs to: for the broker's one
    inbound path, where the lifecycle table then keeps each family's messages to its own orders."""
    if message_type in set(RemovalMessageType):
        return validate_removal_body(message_type, version, body)
    if message_type == MessageType.THREAT_NOTIFICATION:
        return _validate(NOTIFICATION_BODY_SCHEMAS, MessageType, message_type, version, body)
    return validate_body(message_type, version, body)

"""Bodies of the messages that follow a certificate: answers, concerns, decisions and follow-ups.

One schema per MessageType other than the certificates and the response. Which party may send which
message, and when, is broker.lifecycle's business; these schemas check only the shape, and the
cross-field rules schemas/<type>.v1.json states with if/then.
"""

from typing import Any

from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate
from marshmallow import validates_schema

from broker.vocabulary import CourtReviewOutcome
from broker.vocabulary import EnforcementOutcome
from broker.vocabulary import NonExecutionReason
from broker.vocabulary import OrderDecision
from broker.vocabulary import RefusalGround
from broker.vocabulary import ReviewDecision
from broker.vocabulary import SubsequentRequest
from broker.vocabulary import ValidationOutcome
from broker.wire.certificates import LANGUAGE_PATTERN
from broker.wire.fields import Authority
from broker.wire.fields import CalendarDate
from broker.wire.fields import CountryCode
from broker.wire.fields import OffsetTimestamp
from broker.wire.fields import StrictBoolean
from broker.wire.fields import UuidString
from broker.wire.fields import WireSchema
from broker.wire.fields import choice
from broker.wire.fields import required_iff
from broker.wire.fields import text

# A member or list item of the certificate, e.g. targets.0.value: certificate members are snake_case.
CERTIFICATE_PATH_PATTERN = r"^[a-z_]+(?:\.(?:[a-z_]+|[0-9]+))*$(?!\n)"


# addressee -> issuing authority


class AcknowledgementSchema(WireSchema):
    """The addressee has the certificate; its file number lets later messages cite the provider's case."""

    addressee_file_number = text(100)


class PreservationNoticeSchema(WireSchema):
    """Art. 10(1): the data are preserved pending production, from this instant."""

    preserved_at = OffsetTimestamp(required=True)
    addressee_file_number = text(100)


class ClarificationRequestSchema(WireSchema):
    """Annex III, Art. 10(6): the certificate is incomplete or wrong, and the production clock stops.

    The reason is fixed so the body reads as the Annex III form does; other Annex III reasons travel as a
    response or as their own message type.
    """

    reason = fields.String(
        required=True,
        validate=validate.OneOf([NonExecutionReason.INCOMPLETE_OR_MANIFEST_ERROR.value]),
    )
    explanation = text(8000, required=True)
    # `fields` would shadow Schema.fields, hence the attribute name.
    certificate_fields = fields.List(
        fields.String(
            validate=[
                validate.Length(min=1, max=200),
                validate.Regexp(CERTIFICATE_PATH_PATTERN, error="Not a dotted certificate path."),
            ]
        ),
        data_key="fields",
        validate=validate.Length(min=1, max=50),
    )


class ImmunityConcernSchema(WireSchema):
    """Annex III, Art. 10(5): the data may be protected by immunity, privilege or press freedom."""

    explanation = text(8000, required=True)
    grounds = fields.List(text(500), validate=validate.Length(min=1, max=50))


class ThirdCountryObjectionSchema(WireSchema):
    """Annex III, Art. 17(1)-(2): a reasoned objection that complying would breach a third country's law.

    That the objection may not rest merely on data being stored abroad is a legal rule, not schema.
    """

    third_country = CountryCode(required=True)
    law = text(500, required=True)
    provision = text(500, required=True)
    applicability = text(4000, required=True)
    nature_of_conflict = text(4000, required=True)


# issuing authority -> addressee (and enforcing authority)


class ClarificationAnswerSchema(WireSchema):
    """Art. 10(6): the issuing authority's answer; the production clock runs again."""

    explanation = text(8000, required=True)


class OrderDecisionSchema(WireSchema):
    """Art. 10(5): after a concern, the issuing authority maintains, adapts or withdraws the order."""

    decision = choice(OrderDecision, required=True)
    explanation = text(8000, required=True)


class CourtReviewOutcomeSchema(WireSchema):
    """Art. 17: the issuing State's court upheld or lifted the order after a third-country objection."""

    outcome = choice(CourtReviewOutcome, required=True)
    court = text(300, required=True)
    decided_on = CalendarDate(required=True)
    explanation = text(8000, required=True)


class WithdrawalSchema(WireSchema):
    """The order is withdrawn; the flag says whether data already received must be deleted or restricted."""

    reason = text(4000, required=True)
    delete_received_data = StrictBoolean(required=True)


class NewDeadlineSchema(WireSchema):
    """Art. 10(8): a new production deadline after the addressee said it could not meet the first."""

    deadline = OffsetTimestamp(required=True)
    reason = text(4000, required=True)


class PreservationExtensionSchema(WireSchema):
    """Annex VI, Art. 11(1): preservation extended once by 30 days; the broker counts the days."""

    reason = text(4000, required=True)


class ProductionRequestConfirmationSchema(WireSchema):
    """Annex V, Art. 11(1)-(2): a production request was issued, so preservation continues until it arrives."""

    request_type = choice(SubsequentRequest, required=True)
    reference = text(200, required=True)
    issued_on = CalendarDate(required=True)


class PreservationReleaseSchema(WireSchema):
    """Art. 11(3): preservation is no longer needed, and the addressee's duty ends."""

    reason = text(4000, required=True)


class ExPostValidationSchema(WireSchema):
    """Art. 4(5): the validating authority's decision on an emergency order issued without it."""

    outcome = choice(ValidationOutcome, required=True)
    validating_authority = fields.Nested(Authority, required=True)
    explanation = text(4000, required=True)


class ClosureSchema(WireSchema):
    """The issuing authority closes a completed order; nothing more is expected on it."""

    reason = text(4000)


class EnforcementRequestSchema(WireSchema):
    """Art. 16(1): the issuing authority asks the enforcing authority to enforce, in a language it accepts."""

    annex_iii_message = UuidString()
    language = fields.String(
        required=True,
        validate=validate.Regexp(LANGUAGE_PATTERN, error="Not an ISO 639-1 code (two lowercase letters)."),
    )
    explanation = text(8000, required=True)


# enforcing authority -> issuing authority and addressee


class EnforcingReviewSchema(WireSchema):
    """Art. 12: no objection, or a refusal that names its Art. 12(1) ground and explains it."""

    decision = choice(ReviewDecision, required=True)
    ground = choice(RefusalGround)
    explanation = text(8000)
    conditions = text(4000)  # Art. 10(4): conditions on using data produced in an emergency

    @validates_schema
    def _refusal_rules(self, data: dict[str, Any], **kwargs: Any) -> None:
        refusal = data["decision"] == ReviewDecision.REFUSAL
        errors = required_iff(data, "ground", refusal, "decision is refusal")
        if refusal and "explanation" not in data:
            errors["explanation"] = ["Required when decision is refusal."]
        if errors:
            raise ValidationError(errors)


class EnforcementDecisionSchema(WireSchema):
    """Art. 16(2)-(5): the order is recognised and enforced, or refused on a ground the decision names."""

    outcome = choice(EnforcementOutcome, required=True)
    ground = text(500)
    explanation = text(8000, required=True)

    @validates_schema
    def _refusal_rules(self, data: dict[str, Any], **kwargs: Any) -> None:
        refused = data["outcome"] == EnforcementOutcome.REFUSED
        if errors := required_iff(data, "ground", refused, "outcome is refused"):
            raise ValidationError(errors)

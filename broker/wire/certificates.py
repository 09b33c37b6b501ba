"""The two certificates of Art. 9(1): EPOC (Annex I, production) and EPOC-PR (Annex II, preservation)."""

from typing import Any
from typing import ClassVar

from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate
from marshmallow import validates_schema

from broker.vocabulary import DESIGNATED_ADDRESSEES
from broker.vocabulary import DataCategory
from broker.vocabulary import Instrument
from broker.vocabulary import Purpose
from broker.vocabulary import SubsequentRequest
from broker.wire.fields import Addressee
from broker.wire.fields import AddresseeV2
from broker.wire.fields import AddressingException
from broker.wire.fields import Authority
from broker.wire.fields import IpIdentification
from broker.wire.fields import Offence
from broker.wire.fields import Sentence
from broker.wire.fields import StrictBoolean
from broker.wire.fields import Target
from broker.wire.fields import TimeRange
from broker.wire.fields import UserInformation
from broker.wire.fields import WholeNumber
from broker.wire.fields import WireSchema
from broker.wire.fields import choice
from broker.wire.fields import required_iff
from broker.wire.fields import text
from broker.wire.fields import unique_items
from broker.wire.requirements import explain
from broker.wire.requirements import form_only_members

LANGUAGE_PATTERN = r"^[a-z]{2}$(?!\n)"


class _CertificateSchema(WireSchema):
    """What Annex I and Annex II share, with the rules that tie their fields together.

    Every error on a member a legal rule owns names that rule, its citation and how to fix it
    (broker.wire.requirements), so a refusal here reads like the legal engine's finding on the same
    member; which documents are valid does not change.
    """

    ORDER_TYPE: ClassVar[str]

    instrument = choice(Instrument, required=True)
    issuing_authority = fields.Nested(Authority, required=True)
    validating_authority = fields.Nested(Authority, allow_none=True)
    addressee = fields.Nested(Addressee, required=True)
    data_categories = fields.List(
        choice(DataCategory), required=True, validate=[validate.Length(min=1, max=4), unique_items]
    )
    targets = fields.List(fields.Nested(Target), required=True, validate=validate.Length(min=1, max=100))
    identification = fields.List(fields.Nested(IpIdentification), validate=validate.Length(max=100))
    time_range = fields.Nested(TimeRange, required=True)
    offence = fields.Nested(Offence, required=True)
    purpose = choice(Purpose, required=True)
    sentence = fields.Nested(Sentence)
    emergency = StrictBoolean(required=True)
    emergency_justification = text(4000)
    necessity_and_proportionality = text(8000, required=True)
    case_summary = text(8000, required=True)
    language = fields.String(
        required=True,
        validate=validate.Regexp(LANGUAGE_PATTERN, error="Not an ISO 639-1 code (two lowercase letters)."),
    )

    @validates_schema
    def _cross_field_rules(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        if DataCategory.USER_IDENTIFICATION in data["data_categories"] and not data.get("identification"):
            errors["identification"] = [
                "Required, and not empty, when data_categories has user_identification."
            ]
        sentence_execution = data.get("purpose") == Purpose.SENTENCE_EXECUTION  # absent: version 3 only
        errors |= required_iff(data, "sentence", sentence_execution, "purpose is sentence_execution")
        emergency = bool(data.get("emergency"))
        errors |= required_iff(data, "emergency_justification", emergency, "emergency is true")
        if errors:
            raise ValidationError(errors)

    def handle_error(self, error: ValidationError, data: Any, *, many: bool, **kwargs: Any) -> None:
        raise ValidationError(explain(error.messages, data, self.ORDER_TYPE)) from error


class EpocSchema(_CertificateSchema):
    """Annex I: the European Production Order Certificate."""

    ORDER_TYPE = "epoc"

    similar_domestic_order_possible = StrictBoolean(required=True)
    user_information = fields.Nested(UserInformation, required=True)
    # Art. 8(2): reasonable grounds to believe each holds. Only traffic or content data under the
    # Regulation need them (to decide notification), so they are optional and broker.legal asks for them.
    offence_committed_in_issuing_state = StrictBoolean()
    person_resides_in_issuing_state = StrictBoolean()


class EpocPrSchema(_CertificateSchema):
    """Annex II: the European Preservation Order Certificate, which keeps data until a production request."""

    ORDER_TYPE = "epoc-pr"

    subsequent_request = choice(SubsequentRequest, required=True)


class EpocV2Schema(EpocSchema):
    """Annex I: the European Production Order Certificate; version 2 may address another establishment (Art. 7(2))."""

    addressee = fields.Nested(AddresseeV2, required=True)
    addressing_exception = fields.Nested(AddressingException)


class EpocPrV2Schema(EpocPrSchema):
    """Annex II: the European Preservation Order Certificate; version 2 may address another establishment (Art. 7(2))."""

    addressee = fields.Nested(AddresseeV2, required=True)
    addressing_exception = fields.Nested(AddressingException)


# Version 3: an order under Budapest Art. 29 or CETS 224 need not carry what only the Regulation's form
# asks for (broker.wire.requirements.FORM_ONLY: the purpose, the EU user-information decision, the
# attestation of a similar domestic order, ...); under the Regulation every member is required as before.
OPTIONAL_IN_V3 = (
    "purpose",
    "emergency",
    "necessity_and_proportionality",
    "language",
    "similar_domestic_order_possible",
    "user_information",
)
PENALTY = "offence.maximum_penalty_months"


class OffenceV3(Offence):
    """The offence; its maximum penalty is required unless the instrument's law does not ask for it."""

    maximum_penalty_months = WholeNumber(allow_none=True, validate=validate.Range(min=0))


class _Version3(WireSchema):
    """What version 3 changes: members only the Regulation's form asks for are required per instrument."""

    @validates_schema
    def _required_by_instrument(self, data: dict[str, Any], **kwargs: Any) -> None:
        optional = form_only_members(data.get("instrument"))
        errors: dict[str, Any] = {
            name: ["Missing data for required field."]
            for name in OPTIONAL_IN_V3
            if name in self.fields and name not in optional and name not in data
        }
        if PENALTY not in optional and "maximum_penalty_months" not in data["offence"]:
            errors["offence"] = {"maximum_penalty_months": ["Missing data for required field."]}
        if errors:
            raise ValidationError(errors)


def _only_where_asked(rule: str) -> dict[str, Any]:
    """The field's metadata: which instruments' law asks for it (broker.wire.requirements.FORM_ONLY)."""
    return {
        "description": f"Required under reg-2023-1543 ({rule}) and where the instrument's own rule asks for it."
    }


class EpocV3Schema(_Version3, EpocV2Schema):
    """Annex I; version 3 asks a Council of Europe order only for what its instrument's law asks for."""

    offence = fields.Nested(OffenceV3, required=True)
    purpose = choice(Purpose, metadata=_only_where_asked("EE-10"))
    emergency = StrictBoolean(metadata=_only_where_asked("EE-15"))
    necessity_and_proportionality = text(8000, metadata=_only_where_asked("EE-11"))
    language = fields.String(
        validate=validate.Regexp(LANGUAGE_PATTERN, error="Not an ISO 639-1 code (two lowercase letters)."),
        metadata=_only_where_asked("EE-26"),
    )
    similar_domestic_order_possible = StrictBoolean(metadata=_only_where_asked("EE-11"))
    user_information = fields.Nested(UserInformation, metadata=_only_where_asked("EE-24"))


class EpocPrV3Schema(_Version3, EpocPrV2Schema):
    """Annex II; version 3 asks a Budapest Art. 29 request only for what Art. 29(2) asks for."""

    offence = fields.Nested(OffenceV3, required=True)
    purpose = choice(Purpose, metadata=_only_where_asked("EE-35"))
    emergency = StrictBoolean(metadata=_only_where_asked("EE-15"))
    necessity_and_proportionality = text(8000, metadata=_only_where_asked("EE-36"))
    language = fields.String(
        validate=validate.Regexp(LANGUAGE_PATTERN, error="Not an ISO 639-1 code (two lowercase letters)."),
        metadata=_only_where_asked("EE-26"),
    )


def needs_version_3(certificate: dict[str, Any]) -> bool:
    """A Council of Europe certificate that leaves out a member only the Regulation's form asks for."""
    optional = form_only_members(certificate.get("instrument"))
    offence = certificate.get("offence")
    no_penalty = isinstance(offence, dict) and "maximum_penalty_months" not in offence
    return any(name in optional and name not in certificate for name in OPTIONAL_IN_V3) or (
        PENALTY in optional and no_penalty
    )


def certificate_version(certificate: Any) -> int:
    """The schema version a certificate needs: 2 only for what version 1 cannot say (Art. 7(2)), 3 only
    for a Council of Europe order that leaves out what only the Regulation's form asks for.

    Every version 1 certificate is also a version 2 one, and every version 2 one a version 3 one; keeping
    each at the lowest version lets parties that know only the older versions go on reading them.
    """
    if not isinstance(certificate, dict):
        return 1
    if needs_version_3(certificate):
        return 3
    addressee = certificate.get("addressee")
    addressee_type = addressee.get("addressee_type") if isinstance(addressee, dict) else None
    designated = addressee_type is None or addressee_type in DESIGNATED_ADDRESSEES
    return 1 if designated and "addressing_exception" not in certificate else 2

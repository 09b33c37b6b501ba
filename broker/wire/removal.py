"""The removal order of Regulation (EU) 2021/784 (terrorist content online) and the provider's answers.

Annex I's contents are the order's members: (a) the issuing authority, (b) a statement of reasons with
the type of material of Art. 2(7), (c) the exact URLs and what else identifies the content, (d) the
legal basis, (f) redress information and (g) any decision to withhold information from the content
provider (Art. 11(3)). Annex I (e), the date, time stamp and electronic signature, is the signed
envelope itself (issued_at and the JWS). The field list is UNCONFIRMED against the Official Journal
(tco-dsa.md TCO-05). Who may send which message when is broker.lifecycle.REMOVAL_RULES.
"""

from typing import Any

from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate
from marshmallow import validates_schema

from broker.vocabulary import ComplaintOutcome
from broker.vocabulary import ContentProviderDisclosure
from broker.vocabulary import PreservationRequester
from broker.vocabulary import ReinstatementAction
from broker.vocabulary import RemovalAction
from broker.vocabulary import RemovalAddresseeType
from broker.vocabulary import RemovalImpediment
from broker.vocabulary import RemovalOrderDefect
from broker.vocabulary import ScrutinyFinding
from broker.vocabulary import ScrutinyGround
from broker.vocabulary import ScrutinyRequester
from broker.vocabulary import TerroristMaterial
from broker.vocabulary import WithholdingDecision
from broker.wire.certificates import LANGUAGE_PATTERN
from broker.wire.fields import Authority
from broker.wire.fields import CalendarDate
from broker.wire.fields import CountryCode
from broker.wire.fields import OffsetTimestamp
from broker.wire.fields import Provider
from broker.wire.fields import StrictBoolean
from broker.wire.fields import UuidString
from broker.wire.fields import WireSchema
from broker.wire.fields import choice
from broker.wire.fields import required_iff
from broker.wire.fields import text
from broker.wire.fields import unique_items
from broker.wire.lifecycle import CERTIFICATE_PATH_PATTERN

LEGAL_BASIS = "reg-2021-784"  # Annex I (d): Regulation (EU) 2021/784
# An exact address of the content (Annex I (c)): an http(s) URL without spaces.
URL_PATTERN = r"^https?://[^\s]+$(?!\n)"


class RemovalAddressee(WireSchema):
    """The hosting service provider's contact point (Art. 15) or legal representative (Art. 17)."""

    id = UuidString(required=True)
    provider = fields.Nested(Provider, required=True)
    addressee_type = choice(RemovalAddresseeType, required=True)
    name = text(200, required=True)
    country = CountryCode(required=True)
    address = text(500, required=True)


class StatementOfReasons(WireSchema):
    """Annex I (b): why the content is terrorist content, naming the types of material of Art. 2(7)."""

    material_types = fields.List(
        choice(TerroristMaterial), required=True, validate=[validate.Length(min=1, max=5), unique_items]
    )
    statement = text(8000, required=True)


class ContentLocation(WireSchema):
    """Annex I (c): one exact URL and, where necessary, what else identifies the content there."""

    url = fields.String(
        required=True,
        validate=[
            validate.Length(min=8, max=2000),
            validate.Regexp(URL_PATTERN, error="Not an http or https URL without spaces."),
        ],
    )
    identification = text(2000)


class Withholding(WireSchema):
    """Annex I (g), Art. 11(3): the provider must not tell the content provider until this day."""

    until = CalendarDate(required=True)
    reasons = text(4000, required=True)


class RemovalOrderSchema(WireSchema):
    """Annex I: the removal order, from a competent authority to the provider, for all Member States."""

    legal_basis = fields.String(required=True, validate=validate.OneOf([LEGAL_BASIS]))
    issuing_authority = fields.Nested(Authority, required=True)
    addressee = fields.Nested(RemovalAddressee, required=True)
    reasons = fields.Nested(StatementOfReasons, required=True)
    content = fields.List(
        fields.Nested(ContentLocation), required=True, validate=validate.Length(min=1, max=100)
    )
    redress = text(4000, required=True)
    withholding = fields.Nested(Withholding)
    emergency = StrictBoolean(required=True)
    emergency_justification = text(4000)
    language = fields.String(
        required=True,
        validate=validate.Regexp(LANGUAGE_PATTERN, error="Not an ISO 639-1 code (two lowercase letters)."),
    )

    @validates_schema
    def _justified(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Art. 3(2): only a duly justified emergency dispenses with the first-order notice."""
        errors = required_iff(data, "emergency_justification", data["emergency"], "emergency is true")
        if errors:
            raise ValidationError(errors)


class RemovalConfirmationSchema(WireSchema):
    """Annex II, Art. 3(6): the content is removed or access to it disabled, from this instant."""

    action = choice(RemovalAction, required=True)
    done_at = OffsetTimestamp(required=True)
    provider_file_number = text(100)


class RemovalImpossibilitySchema(WireSchema):
    """Annex III, Art. 3(7): force majeure or de facto impossibility; the hour waits for its end."""

    reason = choice(RemovalImpediment, required=True)
    explanation = text(8000, required=True)
    expected_end = OffsetTimestamp()


class ImpossibilityCeasedSchema(WireSchema):
    """Art. 3(7): the reasons ceased at this instant, and the hour runs again from it."""

    ceased_at = OffsetTimestamp(required=True)


class RemovalClarificationRequestSchema(WireSchema):
    """Annex III, Art. 3(8): manifest errors or too little information to comply; the hour waits."""

    reason = choice(RemovalOrderDefect, required=True)
    explanation = text(8000, required=True)
    # `fields` would shadow Schema.fields, hence the attribute name.
    order_fields = fields.List(
        fields.String(
            validate=[
                validate.Length(min=1, max=200),
                validate.Regexp(CERTIFICATE_PATH_PATTERN, error="Not a dotted path of the order."),
            ]
        ),
        data_key="fields",
        validate=validate.Length(min=1, max=50),
    )


class RemovalClarificationSchema(WireSchema):
    """Art. 3(8): the issuer's clarification; the hour runs again from its receipt."""

    explanation = text(8000, required=True)
    content = fields.List(fields.Nested(ContentLocation), validate=validate.Length(min=1, max=100))


# Cross-border scrutiny (Art. 4(3)-(7)): the host State's competent authority, which got a copy of the order
# (Art. 4(1)), scrutinises it on its own initiative or on a reasoned request; on a finding of infringement
# the order ceases to have legal effects and the provider reinstates the content. Text read on lexray.eu
# ([T2]): the 72 hours from the request; the 48-hour request window is UNCONFIRMED (tco-dsa.md TCO-12, 13).


class RemovalScrutinyRequestSchema(WireSchema):
    """Art. 4(4): a reasoned request to the host State's authority to scrutinise the order within 72 hours.

    The content provider asks through the provider, which relays it with the instant the content provider
    received the information of Art. 11(2), from which its 48 hours run.
    """

    requested_by = choice(ScrutinyRequester, required=True)
    reasons = text(8000, required=True)
    information_received_at = OffsetTimestamp()

    @validates_schema
    def _content_provider_window(self, data: dict[str, Any], **kwargs: Any) -> None:
        """The content provider's 48 hours run from its receipt of the Art. 11(2) information."""
        errors = required_iff(
            data,
            "information_received_at",
            data["requested_by"] == ScrutinyRequester.CONTENT_PROVIDER,
            "requested_by is content_provider",
        )
        if errors:
            raise ValidationError(errors)


class RemovalScrutinyIntentionSchema(WireSchema):
    """Art. 4(5): before finding an infringement, the host State's authority tells the issuer it intends to,
    and why."""

    grounds = fields.List(
        choice(ScrutinyGround), required=True, validate=[validate.Length(min=1), unique_items]
    )
    reasons = text(8000, required=True)


class RemovalScrutinyDecisionSchema(WireSchema):
    """Art. 4(3)-(4), (6): the host State's reasoned decision; an infringement ends the order's legal effects."""

    finding = choice(ScrutinyFinding, required=True)
    grounds = fields.List(choice(ScrutinyGround), validate=[validate.Length(min=1), unique_items])
    reasons = text(8000, required=True)

    @validates_schema
    def _grounds_of_infringement(self, data: dict[str, Any], **kwargs: Any) -> None:
        """An infringement names what it infringes; a decision finding none names nothing."""
        errors = required_iff(
            data, "grounds", data["finding"] == ScrutinyFinding.INFRINGEMENT, "finding is infringement"
        )
        if errors:
            raise ValidationError(errors)


class RemovalReinstatementSchema(WireSchema):
    """Art. 4(7): the provider reinstated the content or access to it, at this instant."""

    action = choice(ReinstatementAction, required=True)
    done_at = OffsetTimestamp(required=True)


class RemovalPreservationExtensionSchema(WireSchema):
    """Art. 6(2): preserve the removed content and related data until this instant, for ongoing review
    proceedings (Art. 6(1)(a)); the 6 months and the extension's terms are UNCONFIRMED (TCO-15)."""

    requested_by = choice(PreservationRequester, required=True)
    until = OffsetTimestamp(required=True)
    proceedings = text(500, required=True)
    reasons = text(4000, required=True)


# The content provider's rights (Arts. 10-11). The provider tells the issuing authority what it did for the
# content provider; the broker records those statements, never the removed content (tco-dsa.md TCO-16..18).


class ContentProviderInformationSchema(WireSchema):
    """Art. 11(1)-(2): the provider made information on the removal available to the content provider, at
    this instant, by these means; at the content provider's request, it gave the reasons and the
    possibilities to challenge the order, or a copy of it."""

    informed_at = OffsetTimestamp(required=True)
    means = text(500, required=True)
    on_request = choice(ContentProviderDisclosure)
    requested_at = OffsetTimestamp()

    @validates_schema
    def _requested(self, data: dict[str, Any], **kwargs: Any) -> None:
        """What was given on request comes with the instant of the request, and only then."""
        errors = required_iff(data, "requested_at", "on_request" in data, "on_request is given")
        if errors:
            raise ValidationError(errors)


class RemovalWithholdingSchema(WireSchema):
    """Art. 11(3): the issuing authority decides that the provider must not disclose the removal to the
    content provider until this instant, for reasons of public security, or renews that decision; at most
    6 weeks from the decision, renewable by 6 weeks (UNCONFIRMED, tco-dsa.md TCO-17)."""

    decision = choice(WithholdingDecision, required=True)
    until = OffsetTimestamp(required=True)
    reasons = text(4000, required=True)


class RemovalComplaintSchema(WireSchema):
    """Art. 10(1): the provider received, at this instant, the content provider's complaint asking for the
    content to be reinstated; the outcome is due within two weeks (UNCONFIRMED, TCO-18)."""

    received_at = OffsetTimestamp(required=True)
    grounds = text(8000, required=True)
    complaint_reference = text(100)


class RemovalComplaintOutcomeSchema(WireSchema):
    """Art. 10(2): the provider informed the complainant of the outcome: the content reinstated, or the
    complaint dismissed with its reasons and the remedies left."""

    outcome = choice(ComplaintOutcome, required=True)
    decided_at = OffsetTimestamp(required=True)
    reasons = text(4000, required=True)
    remedies = text(4000)

    @validates_schema
    def _remedies(self, data: dict[str, Any], **kwargs: Any) -> None:
        """A dismissed complaint names the remedies left to the content provider."""
        errors = required_iff(
            data, "remedies", data["outcome"] == ComplaintOutcome.DISMISSED, "outcome is dismissed"
        )
        if errors:
            raise ValidationError(errors)

"""The notification of suspicions of criminal offences of Regulation (EU) 2022/2065 (the Digital Services
Act), Art. 18: a hosting service provider tells the law-enforcement or judicial authorities of the Member
State(s) concerned of information giving rise to a suspicion of a criminal offence involving a threat to
the life or safety of a person, with all relevant information available.

The members follow the DSA's recital on what the notification should contain (tco-dsa.md DSA-03: the
content concerned, the time of publication with its time zone, an explanation of the suspicion, the
information needed to locate and identify the recipient concerned; the recital's number UNCONFIRMED) and
Art. 18(2) on whom it goes to (DSA-02: the Member States concerned, or, where none can be identified with
reasonable certainty, the State of main establishment or legal representative, or Europol, with why).
"""

from typing import Any

from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate
from marshmallow import validates_schema

from broker.vocabulary import OffenceTiming
from broker.wire.fields import CountryCode
from broker.wire.fields import OffsetTimestamp
from broker.wire.fields import WireSchema
from broker.wire.fields import choice
from broker.wire.fields import required_iff
from broker.wire.fields import text
from broker.wire.fields import unique_items
from broker.wire.removal import URL_PATTERN


class ContentConcerned(WireSchema):
    """The content that gives rise to the suspicion: what it says or shows, and where it was."""

    description = text(8000, required=True)
    urls = fields.List(
        fields.String(
            validate=[
                validate.Length(min=8, max=2000),
                validate.Regexp(URL_PATTERN, error="Not an http or https URL without spaces."),
            ]
        ),
        validate=[validate.Length(min=1, max=20), unique_items],
    )


class ThreatNotificationSchema(WireSchema):
    """DSA Art. 18: a suspicion of a criminal offence involving a threat to the life or safety of persons."""

    content = fields.Nested(ContentConcerned, required=True)
    published_at = OffsetTimestamp(required=True)
    offence_timing = choice(OffenceTiming, required=True)
    suspicion = text(8000, required=True)
    recipient_identification = text(4000, required=True)
    member_states_concerned = fields.List(
        CountryCode(), required=True, validate=[validate.Length(max=30), unique_items]
    )
    fallback_reason = text(2000)
    provider_reference = text(100)

    @validates_schema
    def _fallback(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Art. 18(2): no Member State identified with reasonable certainty, and only then, says why."""
        errors = required_iff(
            data, "fallback_reason", not data["member_states_concerned"], "member_states_concerned is empty"
        )
        if errors:
            raise ValidationError(errors)

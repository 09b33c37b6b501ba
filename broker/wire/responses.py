"""The addressee's answer to a certificate: what it did and, if not everything, why (Annex III)."""

from typing import Any

from marshmallow import ValidationError
from marshmallow import validates_schema

from broker.vocabulary import NonExecutionReason
from broker.vocabulary import ResponseOutcome
from broker.wire.fields import StrictBoolean
from broker.wire.fields import WireSchema
from broker.wire.fields import choice
from broker.wire.fields import required_iff
from broker.wire.fields import text

_NEEDS_REASON = frozenset({ResponseOutcome.NOT_EXECUTED, ResponseOutcome.PARTIALLY_PRODUCED})


class ResponseSchema(WireSchema):
    """An addressee's response; a shortfall must carry an Annex III reason and its explanation."""

    outcome = choice(ResponseOutcome, required=True)
    reason = choice(NonExecutionReason)
    explanation = text(8000)
    data_preserved = StrictBoolean(required=True)
    addressee_file_number = text(100)

    @validates_schema
    def _reason_rules(self, data: dict[str, Any], **kwargs: Any) -> None:
        when = "outcome is not_executed or partially_produced"
        errors = required_iff(data, "reason", data["outcome"] in _NEEDS_REASON, when)
        if "reason" in data and "explanation" not in data:
            errors["explanation"] = ["Required when a reason is given."]
        if errors:
            raise ValidationError(errors)

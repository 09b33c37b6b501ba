"""The requested Party's own messages on a Council of Europe route (broker.legal.routes).

Under CETS 224 Art. 8 and Budapest Art. 29 the issuing authority's order goes to the requested Party,
which gives effect to it and serves it on the provider, or refuses to. Its refusal is its signed
message to the issuing authority: the grounds and its reasons. Which grounds a route allows is the
route's data (Refusal.grounds), checked by broker.workflow.routing; this schema checks only shape.
"""

from marshmallow import fields
from marshmallow import validate

from broker.vocabulary import TreatyRefusalGround
from broker.wire.fields import WireSchema
from broker.wire.fields import choice
from broker.wire.fields import text
from broker.wire.fields import unique_items


class RequestedPartyRefusal(WireSchema):
    """The requested Party will not give effect to the order (CETS 224 Art. 8(7); Budapest Art. 29(4)-(5)):
    on which grounds and why; it notifies the requesting Party so that it can pursue mutual assistance."""

    grounds = fields.List(
        choice(TreatyRefusalGround),
        required=True,
        validate=[validate.Length(min=1, max=len(TreatyRefusalGround)), unique_items],
    )
    explanation = text(8000, required=True)

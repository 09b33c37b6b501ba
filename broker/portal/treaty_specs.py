"""The requested Party's signed answers on a Council of Europe route, one form each (broker.legal.routes).

Its authority takes delivery of a CETS 224 Art. 8 order or a Budapest Art. 29 request and serves it on
the provider (two buttons, broker/portal/views/actions.py), or refuses to give effect to it: a signed
requested-party-refusal to the issuing authority, on the grounds the route's treaty allows (the broker
refuses any other, naming the article).
"""

from broker.portal.i18n import N_
from broker.portal.message_fields import Field
from broker.portal.message_fields import Kind
from broker.portal.message_fields import Spec
from broker.portal.message_fields import explanation
from broker.vocabulary import MessageType as M
from broker.vocabulary import TreatyRefusalGround

GROUNDS_PATTERN = "|".join(ground.value for ground in TreatyRefusalGround)
GROUNDS_HINT = N_(
    "One a line: political_offence (Budapest Convention Art. 27(4)(a), 29(5)(a)), essential_interests "
    "(sovereignty, security, ordre public or other essential interests: Art. 27(4)(b), 29(5)(b)), "
    "mutual_assistance_law (your law or mutual assistance treaties, Art. 25(4): CETS 224 Art. 8 orders "
    "only), dual_criminality (Art. 29(4): preservation requests only, where your State reserved it)."
)

TREATY_ENFORCER_SPECS = (
    Spec(
        "refuse-to-give-effect",
        M.REQUESTED_PARTY_REFUSAL,
        N_("Refuse to give effect to the order"),
        N_(
            "CETS 224 Art. 8(7) (unconfirmed), Budapest Convention Art. 29(4)-(5): as the requested Party, "
            "refuse to execute the order on a ground the treaty allows. The issuing authority is told at once; "
            "the order is not served and its deadlines end."
        ),
        N_("Your signed refusal was sent to the issuing authority."),
        (
            Field(
                "grounds",
                Kind.LINES,
                N_("On which grounds do you refuse?"),
                N_("Enter at least one ground, one a line"),
                hint=GROUNDS_HINT,
                limit=40,
                pattern=GROUNDS_PATTERN,
                pattern_message=N_(
                    "Enter political_offence, essential_interests, mutual_assistance_law or dual_criminality "
                    "on each line"
                ),
            ),
            explanation(N_("Your reasons"), N_("Explain the refusal")),
        ),
    ),
)

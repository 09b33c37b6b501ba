"""The form of each lifecycle message a person sends, one question per member of its wire body, in the
Regulation's words (marked `N_`, translated where the page shows them).

The parts are in broker/portal/message_fields.py; broker/portal/message_forms.py reads the answers.
"""

from broker.portal.i18n import N_
from broker.portal.message_fields import Field
from broker.portal.message_fields import Kind
from broker.portal.message_fields import Spec
from broker.portal.message_fields import choice
from broker.portal.message_fields import explanation
from broker.portal.message_fields import reason
from broker.portal.message_fields import when
from broker.portal.removal_specs import REMOVAL_ADDRESSEE_SPECS
from broker.portal.removal_specs import REMOVAL_ENFORCER_SPECS
from broker.portal.removal_specs import REMOVAL_ISSUER_SPECS
from broker.portal.treaty_specs import TREATY_ENFORCER_SPECS
from broker.vocabulary import CourtReviewOutcome
from broker.vocabulary import EnforcementOutcome
from broker.vocabulary import MessageType as M
from broker.vocabulary import NonExecutionReason
from broker.vocabulary import OrderDecision
from broker.vocabulary import RefusalGround
from broker.vocabulary import ResponseOutcome
from broker.vocabulary import ReviewDecision
from broker.vocabulary import SubsequentRequest
from broker.vocabulary import ValidationOutcome

SHORTFALL = when("outcome", ResponseOutcome.NOT_EXECUTED, ResponseOutcome.PARTIALLY_PRODUCED)
REFUSAL = when("decision", ReviewDecision.REFUSAL)
ENFORCEMENT_REFUSED = when("outcome", EnforcementOutcome.REFUSED)
FILE_NUMBER = Field(
    "addressee_file_number",
    Kind.TEXT,
    N_("Your file number (optional)"),
    hint=N_("Your own reference for this order, so that later messages can cite it."),
    limit=100,
)


ADDRESSEE_SPECS = (
    Spec(
        "acknowledge",
        M.ACKNOWLEDGEMENT,
        N_("Acknowledge the order"),
        N_(
            "You confirm that your organisation holds the certificate. The issuing authority is told at once."
        ),
        N_("Your signed acknowledgement was sent."),
        (FILE_NUMBER,),
    ),
    Spec(
        "preserve",
        M.PRESERVATION_NOTICE,
        N_("Confirm that the data are preserved"),
        N_("Art. 10(1): you preserve the data until they are produced, or until the order ends."),
        N_("Your signed preservation notice was sent."),
        (
            Field(
                "preserved_at",
                Kind.INSTANT,
                N_("When were the data preserved?"),
                N_("Enter when the data were preserved"),
                hint=N_("A date and time with its offset from UTC, for example 2026-12-07T14:30+01:00."),
                now_by_default=True,
            ),
            FILE_NUMBER,
        ),
    ),
    Spec(
        "respond",
        M.RESPONSE,
        N_("Answer the order"),
        N_(
            "Say what your organisation did: the data produced or preserved, or, if not all of them, why not "
            "(Annex III), for instance a de facto impossibility or data not stored."
        ),
        N_("Your signed response was sent."),
        (
            choice("outcome", ResponseOutcome, N_("What did you do?"), N_("Select what you did")),
            choice(
                "reason",
                NonExecutionReason,
                N_("Why were the data not produced, or not all of them?"),
                N_("Select why the order was not fully executed"),
                hint=N_("Only if the order was not executed or only partly."),
                only_if=SHORTFALL,
            ),
            explanation(
                N_("Explain the reason"),
                N_("Explain why the order was not fully executed"),
                hint=N_("Needed if the order was not executed or only partly."),
                needed_if=SHORTFALL,
            ),
            Field(
                "data_preserved",
                Kind.YES_NO,
                N_("Are the data preserved?"),
                N_("Select whether the data are preserved"),
            ),
            FILE_NUMBER,
        ),
    ),
    Spec(
        "request-clarification",
        M.CLARIFICATION_REQUEST,
        N_("Ask for clarification"),
        N_(
            "Annex III, Art. 10(6): the certificate is incomplete, contains manifest errors or lacks "
            "information you need. The production deadline stops until the issuing authority answers."
        ),
        N_("Your signed request for clarification was sent."),
        (
            Field(
                "reason",
                Kind.FIXED,
                fixed=NonExecutionReason.INCOMPLETE_OR_MANIFEST_ERROR.value,
                choices=NonExecutionReason,
                summary=N_("Reason"),
            ),
            explanation(N_("What is missing or wrong?"), N_("Explain what is missing or wrong")),
            Field(
                "fields",
                Kind.LINES,
                N_("Which fields of the certificate? (optional)"),
                hint=N_("One a line, as the certificate names them, for example targets.0.value."),
                limit=200,
                pattern=r"[a-z_]+(?:\.(?:[a-z_]+|[0-9]+))*",
                pattern_message=N_("Name each field as the certificate does, for example targets.0.value"),
            ),
        ),
    ),
    Spec(
        "raise-immunity-concern",
        M.IMMUNITY_CONCERN,
        N_("Raise an immunity or privilege concern"),
        N_(
            "Annex III, Art. 10(5): the data may be protected by immunities or privileges, or by rules on "
            "freedom of the press. The deadline stops until the issuing authority decides."
        ),
        N_("Your signed concern was sent."),
        (
            explanation(N_("What is the concern?"), N_("Explain the concern")),
            Field(
                "grounds",
                Kind.LINES,
                N_("Grounds (optional)"),
                hint=N_("The immunities, privileges or rules that apply, one a line."),
                limit=500,
            ),
        ),
    ),
    Spec(
        "object",
        M.THIRD_COUNTRY_OBJECTION,
        N_("Object: conflict with the law of a third country"),
        N_(
            "Annex III, Art. 17: complying would breach the law of a third country. A reasoned objection "
            "within 10 days of receipt suspends execution while a court reviews it."
        ),
        N_("Your signed objection was sent."),
        (
            Field(
                "third_country",
                Kind.COUNTRY,
                N_("Which third country?"),
                N_("Enter the third country"),
                hint=N_("Its two-letter code, for example US."),
            ),
            Field("law", Kind.TEXT, N_("Which law?"), N_("Enter the law"), limit=500),
            Field("provision", Kind.TEXT, N_("Which provision?"), N_("Enter the provision"), limit=500),
            Field(
                "applicability",
                Kind.PARAGRAPH,
                N_("Why does that law apply?"),
                N_("Explain why the law applies"),
                limit=4000,
            ),
            Field(
                "nature_of_conflict",
                Kind.PARAGRAPH,
                N_("What is the conflict?"),
                N_("Explain the conflict"),
                limit=4000,
            ),
        ),
    ),
)

ISSUER_SPECS = (
    Spec(
        "answer-clarification",
        M.CLARIFICATION_ANSWER,
        N_("Answer the request for clarification"),
        N_("Art. 10(6): the missing information or the correction. The deadline runs again."),
        N_("Your signed clarification was sent."),
        (explanation(N_("Your answer"), N_("Enter your answer")),),
    ),
    Spec(
        "decide-concern",
        M.ORDER_DECISION,
        N_("Decide on the concern"),
        N_("Art. 10(5): after an immunity or privilege concern, maintain, adapt or withdraw the order."),
        N_("Your signed decision was sent."),
        (
            choice("decision", OrderDecision, N_("What do you decide?"), N_("Select your decision")),
            explanation(N_("Why?"), N_("Explain your decision")),
        ),
    ),
    Spec(
        "record-court-review",
        M.COURT_REVIEW_OUTCOME,
        N_("Record the court's decision on the objection"),
        N_("Art. 17: the court of your State upheld or lifted the order after a third-country objection."),
        N_("The court's decision was sent, signed."),
        (
            choice(
                "outcome", CourtReviewOutcome, N_("What did the court decide?"), N_("Select the decision")
            ),
            Field("court", Kind.TEXT, N_("Which court?"), N_("Enter the court"), limit=300),
            Field(
                "decided_on",
                Kind.DATE,
                N_("When did it decide?"),
                N_("Enter the date of the decision"),
                hint=N_("For example 2026-11-30."),
            ),
            explanation(N_("The court's reasons"), N_("Enter the court's reasons")),
        ),
    ),
    Spec(
        "set-new-deadline",
        M.NEW_DEADLINE,
        N_("Set a new deadline"),
        N_("Art. 10(8): a new deadline for producing the data."),
        N_("Your signed new deadline was sent."),
        (
            Field(
                "deadline",
                Kind.INSTANT,
                N_("What is the new deadline?"),
                N_("Enter the new deadline"),
                hint=N_("A date and time with its offset from UTC, for example 2026-12-07T14:30+01:00."),
            ),
            reason(N_("Why?"), N_("Enter why the deadline changes")),
        ),
    ),
    Spec(
        "extend-preservation",
        M.PRESERVATION_EXTENSION,
        N_("Extend the preservation by 30 days"),
        N_("Annex VI, Art. 11(1): once, by 30 days, before the 60 days end."),
        N_("Your signed extension was sent."),
        (reason(N_("Why is more time needed?"), N_("Enter why the preservation is extended")),),
    ),
    Spec(
        "confirm-production-request",
        M.PRODUCTION_REQUEST_CONFIRMATION,
        N_("Confirm that a production request was issued"),
        N_("Annex V, Art. 11(1)-(2): the data stay preserved until the production request is executed."),
        N_("Your signed confirmation was sent."),
        (
            choice(
                "request_type",
                SubsequentRequest,
                N_("Which request was issued?"),
                N_("Select the request issued"),
            ),
            Field(
                "reference", Kind.TEXT, N_("Its reference"), N_("Enter the request's reference"), limit=200
            ),
            Field(
                "issued_on",
                Kind.DATE,
                N_("When was it issued?"),
                N_("Enter the date the request was issued"),
                hint=N_("For example 2026-11-30."),
            ),
        ),
    ),
    Spec(
        "release-preservation",
        M.PRESERVATION_RELEASE,
        N_("Release the preservation"),
        N_("Art. 11(3): the data need not be preserved any longer; the provider's duty ends."),
        N_("Your signed release was sent."),
        (reason(N_("Why is preservation no longer needed?"), N_("Enter why the preservation ends")),),
    ),
    Spec(
        "record-validation",
        M.EX_POST_VALIDATION,
        N_("Record the ex-post validation"),
        N_(
            "Art. 4(5): an emergency order issued without prior validation must be validated within 48 hours; "
            "if validation is refused the order is withdrawn and the data deleted."
        ),
        N_("The signed validation decision was sent."),
        (
            choice(
                "outcome",
                ValidationOutcome,
                N_("Was the order validated?"),
                N_("Select the validation decision"),
            ),
            Field(
                "validating_authority",
                Kind.AUTHORITY,
                N_("Which authority decided?"),
                N_("Select the validating authority"),
            ),
            explanation(N_("Its reasons"), N_("Enter the validating authority's reasons"), limit=4000),
        ),
    ),
    Spec(
        "request-enforcement",
        M.ENFORCEMENT_REQUEST,
        N_("Ask the enforcing authority to enforce the order"),
        N_("Art. 16(1): the addressee did not comply without reasons you accept."),
        N_("Your signed enforcement request was sent."),
        (
            Field(
                "annex_iii_message",
                Kind.MESSAGE,
                N_("Which Annex III form of the addressee does it follow? (optional)"),
            ),
            Field(
                "language",
                Kind.LANGUAGE,
                N_("In which language is the request?"),
                N_("Enter the language of the request"),
                hint=N_("A language the enforcing State accepts, as its two-letter code, for example en."),
            ),
            explanation(N_("Why must the order be enforced?"), N_("Explain why the order must be enforced")),
        ),
    ),
    Spec(
        "withdraw",
        M.WITHDRAWAL,
        N_("Withdraw the order"),
        N_("The order ends: the provider must stop executing it, and every deadline stops."),
        N_("Your signed withdrawal was sent."),
        (
            reason(N_("Why is the order withdrawn?"), N_("Enter why the order is withdrawn")),
            Field(
                "delete_received_data",
                Kind.YES_NO,
                N_("Must data already received be deleted or their use restricted?"),
                N_("Select whether data already received must be deleted"),
            ),
        ),
    ),
    Spec(
        "close",
        M.CLOSURE,
        N_("Close the order"),
        N_("The order has run its course: nothing more is expected on it, and every deadline stops."),
        N_("Your signed closure was sent."),
        (reason(N_("Why is the order closed? (optional)"), None),),
    ),
)

ENFORCER_SPECS = (
    Spec(
        "review",
        M.ENFORCING_REVIEW,
        N_("Record your review (Art. 12)"),
        N_(
            "Art. 12: raise no objection, or refuse on one of the grounds of Art. 12(1). No objection lets "
            "the data go to the issuing authority at once (Art. 10(2))."
        ),
        N_("Your signed review was sent."),
        (
            choice("decision", ReviewDecision, N_("What do you decide?"), N_("Select your decision")),
            choice(
                "ground",
                RefusalGround,
                N_("On which ground do you refuse?"),
                N_("Select the ground for refusal"),
                hint=N_("Only if you refuse."),
                only_if=REFUSAL,
            ),
            explanation(
                N_("Your reasons"),
                N_("Explain the refusal"),
                hint=N_("Needed if you refuse."),
                needed_if=REFUSAL,
            ),
            Field(
                "conditions",
                Kind.PARAGRAPH,
                N_("Conditions on using data produced in an emergency (optional)"),
                hint=N_("Art. 10(4)."),
                limit=4000,
            ),
        ),
    ),
    Spec(
        "decide-enforcement",
        M.ENFORCEMENT_DECISION,
        N_("Decide on enforcement"),
        N_("Art. 16(2)-(5): recognise the order and enforce it, or refuse on a ground you name."),
        N_("Your signed enforcement decision was sent."),
        (
            choice("outcome", EnforcementOutcome, N_("What do you decide?"), N_("Select your decision")),
            Field(
                "ground",
                Kind.TEXT,
                N_("On which ground do you refuse?"),
                N_("Enter the ground for refusal"),
                hint=N_("Only if you refuse."),
                limit=500,
                only_if=ENFORCEMENT_REFUSED,
            ),
            explanation(N_("Your reasons"), N_("Explain your decision")),
        ),
    ),
)

SPECS: dict[str, Spec] = {
    spec.slug: spec
    for spec in (
        *ADDRESSEE_SPECS,
        *ISSUER_SPECS,
        *ENFORCER_SPECS,
        *REMOVAL_ADDRESSEE_SPECS,  # Regulation (EU) 2021/784: broker/portal/removal_specs.py
        *REMOVAL_ISSUER_SPECS,
        *REMOVAL_ENFORCER_SPECS,
        *TREATY_ENFORCER_SPECS,  # CETS 224 Art. 8(7), Budapest Art. 29(4)-(5): broker/portal/treaty_specs.py
    )
}
BY_TYPE: dict[M, Spec] = {spec.message_type: spec for spec in SPECS.values()}

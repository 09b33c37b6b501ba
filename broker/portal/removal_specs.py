"""The forms of a removal order's answers (Regulation (EU) 2021/784), one question per member of the wire
body (schemas/removal-*.v1.json, impossibility-ceased.v1.json), in the Regulation's words.

The hosting service provider confirms removal or disabling (Art. 3(6), Annex II), reports force
majeure or a de facto impossibility (Art. 3(7), Annex III) and its end, or asks for clarification of a
manifestly erroneous or insufficient order (Art. 3(8), Annex III); the competent authority clarifies.
The provider also records what it did for the content provider (Art. 11(1)-(2) information, Art. 10
complaints and their outcome), and the issuing authority decides to withhold that information (Art. 11(3)).
Their slugs differ from the certificates' forms, so one address names one message. broker/portal/
message_specs.py adds them to the portal's forms; the lifecycle table (broker.lifecycle.REMOVAL_RULES)
decides when each is offered.
"""

from broker.portal.i18n import N_
from broker.portal.message_fields import Condition
from broker.portal.message_fields import Field
from broker.portal.message_fields import Kind
from broker.portal.message_fields import Spec
from broker.portal.message_fields import choice
from broker.portal.message_fields import explanation
from broker.portal.message_fields import when
from broker.vocabulary import ComplaintOutcome
from broker.vocabulary import ContentProviderDisclosure
from broker.vocabulary import MessageType as M
from broker.vocabulary import PreservationRequester
from broker.vocabulary import ReinstatementAction
from broker.vocabulary import RemovalAction
from broker.vocabulary import RemovalImpediment
from broker.vocabulary import RemovalOrderDefect
from broker.vocabulary import ScrutinyFinding
from broker.vocabulary import ScrutinyRequester
from broker.vocabulary import WithholdingDecision

INSTANT_HINT = N_("A date and time with its offset from UTC, for example 2026-12-07T14:30+01:00.")
# Art. 4(3): what a removal order may seriously or manifestly infringe, one a line (ScrutinyGround's values).
GROUNDS_PATTERN = "regulation|charter"
GROUNDS_HINT = N_(
    "One a line: regulation (Regulation (EU) 2021/784 itself), charter (the fundamental rights and "
    "freedoms of the Charter), or both."
)


def reasons(label: str, missing: str, limit: int = 8000) -> Field:
    """The `reasons` member of a scrutiny step or an extension."""
    return Field("reasons", Kind.PARAGRAPH, label, missing, limit=limit)


def grounds(only_if: Condition | None = None) -> Field:
    """Art. 4(3): the Regulation, the Charter, or both."""
    return Field(
        "grounds",
        Kind.LINES,
        N_("What does the order infringe?"),
        N_("Enter regulation, charter, or both, one a line"),
        hint=GROUNDS_HINT,
        limit=20,
        pattern=GROUNDS_PATTERN,
        pattern_message=N_("Enter regulation or charter on each line"),
        only_if=only_if,
    )


REMOVAL_ADDRESSEE_SPECS: tuple[Spec, ...] = (
    Spec(
        "confirm-removal",
        M.REMOVAL_CONFIRMATION,
        N_("Confirm the removal"),
        N_(
            "Art. 3(6), Annex II: you removed the terrorist content or disabled access to it in all Member "
            "States. The one-hour deadline stops; if the time you give is after the hour, the deadline is "
            "recorded as missed."
        ),
        N_("Your signed confirmation of removal was sent."),
        (
            choice("action", RemovalAction, N_("What did you do?"), N_("Select what you did")),
            Field(
                "done_at",
                Kind.INSTANT,
                N_("When was the content removed or access to it disabled?"),
                N_("Enter when the content was removed or disabled"),
                hint=INSTANT_HINT,
                now_by_default=True,
            ),
            Field(
                "provider_file_number",
                Kind.TEXT,
                N_("Your file number (optional)"),
                hint=N_("Your own reference for this order."),
                limit=100,
            ),
        ),
    ),
    Spec(
        "report-impossibility",
        M.REMOVAL_IMPOSSIBILITY,
        N_("Report that you cannot remove the content"),
        N_(
            "Art. 3(7), Annex III: force majeure, or a de facto impossibility not attributable to you, "
            "including objectively justifiable technical or operational reasons. The hour waits, and starts "
            "again in full when the reasons cease."
        ),
        N_("Your signed report of impossibility was sent."),
        (
            choice("reason", RemovalImpediment, N_("Why can you not comply?"), N_("Select why")),
            explanation(N_("Explain the reasons"), N_("Explain why you cannot comply")),
            Field(
                "expected_end",
                Kind.INSTANT,
                N_("When do you expect the reasons to cease? (optional)"),
                hint=INSTANT_HINT,
            ),
        ),
    ),
    Spec(
        "end-impossibility",
        M.IMPOSSIBILITY_CEASED,
        N_("Report that the impossibility has ended"),
        N_(
            "Art. 3(7): the reasons ceased. The one-hour deadline starts again, in full, from the time you "
            "give, which may not be later than now."
        ),
        N_("Your signed report that the impossibility ended was sent."),
        (
            Field(
                "ceased_at",
                Kind.INSTANT,
                N_("When did the reasons cease?"),
                N_("Enter when the reasons ceased"),
                hint=INSTANT_HINT,
                now_by_default=True,
            ),
        ),
    ),
    Spec(
        "request-removal-clarification",
        M.REMOVAL_CLARIFICATION_REQUEST,
        N_("Ask for clarification of the removal order"),
        N_(
            "Art. 3(8), Annex III: the order contains manifest errors or not enough information for you to "
            "comply. The hour waits, and starts again in full when the clarification arrives."
        ),
        N_("Your signed request for clarification was sent."),
        (
            choice(
                "reason", RemovalOrderDefect, N_("What is wrong with the order?"), N_("Select what is wrong")
            ),
            explanation(N_("What is wrong or missing?"), N_("Explain what is wrong or missing")),
            Field(
                "fields",
                Kind.LINES,
                N_("Which parts of the order? (optional)"),
                hint=N_("One a line, as the order names them, for example content.0.url."),
                limit=200,
                pattern=r"[a-z_]+(?:\.(?:[a-z_]+|[0-9]+))*",
                pattern_message=N_("Name each part as the order does, for example content.0.url"),
            ),
        ),
    ),
)

REMOVAL_ADDRESSEE_SPECS += (
    Spec(
        "request-removal-scrutiny",
        M.REMOVAL_SCRUTINY_REQUEST,
        N_("Ask the host State's authority to scrutinise the order"),
        N_(
            "Art. 4(4): a reasoned request to the competent authority of the Member State of your main "
            "establishment or legal representative, within 48 hours of receiving the order, or of the "
            "content provider receiving your information. It decides within 72 hours. Meanwhile the hour "
            "runs: remove the content as the order says."
        ),
        N_("Your signed request for scrutiny was sent."),
        (
            choice("requested_by", ScrutinyRequester, N_("Who asks?"), N_("Select who asks")),
            reasons(N_("Why does the order infringe?"), N_("Explain why the order infringes")),
            Field(
                "information_received_at",
                Kind.INSTANT,
                N_("When did the content provider receive your information?"),
                N_("Enter when the content provider received your information"),
                hint=INSTANT_HINT,
                only_if=when("requested_by", ScrutinyRequester.CONTENT_PROVIDER),
            ),
        ),
    ),
    Spec(
        "confirm-reinstatement",
        M.REMOVAL_REINSTATEMENT,
        N_("Confirm the reinstatement"),
        N_(
            "Art. 4(7): the host State's authority found an infringement; the order has no legal effects and "
            "you reinstate the content or access to it immediately."
        ),
        N_("Your signed confirmation of reinstatement was sent."),
        (
            choice("action", ReinstatementAction, N_("What did you do?"), N_("Select what you did")),
            Field(
                "done_at",
                Kind.INSTANT,
                N_("When was the content reinstated?"),
                N_("Enter when the content was reinstated"),
                hint=INSTANT_HINT,
                now_by_default=True,
            ),
        ),
    ),
)

# The content provider's rights (Arts. 10-11): the provider's records of what it did for the content provider.
REMOVAL_ADDRESSEE_SPECS += (
    Spec(
        "inform-content-provider",
        M.CONTENT_PROVIDER_INFORMATION,
        N_("Record that you informed the content provider"),
        N_(
            "Art. 11(1)-(2): you made information on the removal available to the content provider and, if it "
            "asked, gave it the reasons and the possibilities to challenge the order, or a copy of the order. "
            "Not while the issuing authority has decided that nothing be disclosed (Art. 11(3)). The broker "
            "records your statement, never the content."
        ),
        N_("Your signed record of the information to the content provider was sent."),
        (
            Field(
                "informed_at",
                Kind.INSTANT,
                N_("When did you make the information available?"),
                N_("Enter when you made the information available"),
                hint=INSTANT_HINT,
                now_by_default=True,
            ),
            Field(
                "means",
                Kind.TEXT,
                N_("How did you make it available?"),
                N_("Enter how you made the information available"),
                hint=N_("For example: a notice in the content provider's account and an e-mail."),
                limit=500,
            ),
            Field(
                "on_request",
                Kind.CHOICE,
                N_("What did you give at the content provider's request? (optional)"),
                choices=ContentProviderDisclosure,
            ),
            Field(
                "requested_at",
                Kind.INSTANT,
                N_("When did the content provider ask?"),
                N_("Enter when the content provider asked"),
                hint=INSTANT_HINT,
                only_if=when(
                    "on_request",
                    ContentProviderDisclosure.REASONS_AND_REDRESS,
                    ContentProviderDisclosure.ORDER_COPY,
                ),
            ),
        ),
    ),
    Spec(
        "record-removal-complaint",
        M.REMOVAL_COMPLAINT,
        N_("Record a complaint by the content provider"),
        N_(
            "Art. 10: the content provider complained to you about the removal and asks for the content to be "
            "reinstated. Inform it of the outcome within two weeks of receiving the complaint."
        ),
        N_("Your signed record of the complaint was sent."),
        (
            Field(
                "received_at",
                Kind.INSTANT,
                N_("When did you receive the complaint?"),
                N_("Enter when you received the complaint"),
                hint=INSTANT_HINT,
                now_by_default=True,
            ),
            Field(
                "grounds",
                Kind.PARAGRAPH,
                N_("What does the content provider ask, and why?"),
                N_("Enter what the content provider asks and why"),
                limit=8000,
            ),
            Field(
                "complaint_reference",
                Kind.TEXT,
                N_("Your reference for the complaint (optional)"),
                limit=100,
            ),
        ),
    ),
    Spec(
        "decide-removal-complaint",
        M.REMOVAL_COMPLAINT_OUTCOME,
        N_("Record the outcome of the complaint"),
        N_(
            "Art. 10(2): you informed the complainant of the outcome: the content or access to it reinstated, "
            "or the complaint dismissed, with your reasons and the remedies left to it."
        ),
        N_("Your signed record of the outcome was sent."),
        (
            choice("outcome", ComplaintOutcome, N_("What is the outcome?"), N_("Select the outcome")),
            Field(
                "decided_at",
                Kind.INSTANT,
                N_("When did you inform the complainant?"),
                N_("Enter when you informed the complainant"),
                hint=INSTANT_HINT,
                now_by_default=True,
            ),
            reasons(N_("Your reasons"), N_("Explain the outcome"), limit=4000),
            Field(
                "remedies",
                Kind.PARAGRAPH,
                N_("Which remedies are left to the content provider?"),
                N_("Enter the remedies left"),
                limit=4000,
                only_if=when("outcome", ComplaintOutcome.DISMISSED),
            ),
        ),
    ),
)

REMOVAL_ISSUER_SPECS = (
    Spec(
        "clarify-removal",
        M.REMOVAL_CLARIFICATION,
        N_("Clarify the removal order"),
        N_(
            "Art. 3(8): the correction or the missing information. The one-hour deadline starts again, in "
            "full, when the provider receives it."
        ),
        N_("Your signed clarification was sent."),
        (
            explanation(N_("Your clarification"), N_("Enter your clarification")),
            Field(
                "content",
                Kind.LOCATIONS,
                N_("Corrected or further addresses of the content (optional)"),
                hint=N_(
                    "One a line: the exact URL, then, if needed, a space and what else identifies the "
                    "content there."
                ),
                limit=2000,
            ),
        ),
    ),
    Spec(
        "extend-content-preservation",
        M.REMOVAL_PRESERVATION_EXTENSION,
        N_("Extend the preservation of the removed content"),
        N_(
            "Art. 6(2): the provider preserves the removed content and related data for six months from "
            "removal; on your request, or a court's, for a further specified period, only as long as "
            "ongoing review proceedings need it."
        ),
        N_("Your signed request to extend the preservation was sent."),
        (
            choice("requested_by", PreservationRequester, N_("Who asks?"), N_("Select who asks")),
            Field(
                "until",
                Kind.INSTANT,
                N_("Until when must the content be preserved?"),
                N_("Enter the end of the further period"),
                hint=INSTANT_HINT,
            ),
            Field(
                "proceedings",
                Kind.TEXT,
                N_("Which review proceedings need it?"),
                N_("Enter the court or authority and its reference"),
                limit=500,
            ),
            reasons(N_("Why for that long?"), N_("Explain why the proceedings need it"), limit=4000),
        ),
    ),
    Spec(
        "withhold-from-content-provider",
        M.REMOVAL_WITHHOLDING,
        N_("Withhold information from the content provider"),
        N_(
            "Art. 11(3): for reasons of public security, such as an investigation of terrorist offences, the "
            "provider must not tell the content provider of the removal, for at most 6 weeks from your "
            "decision; while it runs you may renew it by at most 6 weeks, once. A decision in the order "
            "itself is renewed, not taken again."
        ),
        N_("Your signed decision to withhold information was sent."),
        (
            choice("decision", WithholdingDecision, N_("What do you decide?"), N_("Select your decision")),
            Field(
                "until",
                Kind.INSTANT,
                N_("Until when must nothing be disclosed?"),
                N_("Enter the end of the withholding"),
                hint=INSTANT_HINT,
            ),
            reasons(
                N_("Your public-security reasons"), N_("Explain why nothing may be disclosed"), limit=4000
            ),
        ),
    ),
)

# The host State's competent authority, which got a copy of the order (Art. 4(1)).
REMOVAL_ENFORCER_SPECS = (
    Spec(
        "intend-removal-infringement",
        M.REMOVAL_SCRUTINY_INTENTION,
        N_("Tell the issuer you intend to find an infringement"),
        N_(
            "Art. 4(5): before you adopt a decision finding that the order infringes, inform the authority "
            "that issued it of your intention and your reasons."
        ),
        N_("Your signed notice of intention was sent."),
        (grounds(), reasons(N_("Your reasons"), N_("Explain your reasons"))),
    ),
    Spec(
        "decide-removal-scrutiny",
        M.REMOVAL_SCRUTINY_DECISION,
        N_("Decide on the scrutiny"),
        N_(
            "Art. 4(3)-(4), (6): your reasoned decision, within 72 hours of the copy or of the request. If "
            "you find an infringement, the order ceases to have legal effects and the provider reinstates "
            "the content."
        ),
        N_("Your signed scrutiny decision was sent."),
        (
            choice("finding", ScrutinyFinding, N_("What do you find?"), N_("Select your finding")),
            grounds(only_if=when("finding", ScrutinyFinding.INFRINGEMENT)),
            reasons(N_("Your reasons"), N_("Explain your decision")),
        ),
    ),
)

"""The forms of a removal order's answers (Regulation (EU) 2021/784), one question per member of the wire
body (schemas/removal-*.v1.json, impossibility-ceased.v1.json), in the Regulation's words.

The hosting service provider confirms removal or disabling (Art. 3(6), Annex II), reports force
majeure or a de facto impossibility (Art. 3(7), Annex III) and its end, or asks for clarification of a
manifestly erroneous or insufficient order (Art. 3(8), Annex III); the competent authority clarifies.
Their slugs differ from the certificates' forms, so one address names one message. broker/portal/
message_specs.py adds them to the portal's forms; the lifecycle table (broker.lifecycle.REMOVAL_RULES)
decides when each is offered.
"""

from broker.portal.i18n import N_
from broker.portal.message_fields import Field
from broker.portal.message_fields import Kind
from broker.portal.message_fields import Spec
from broker.portal.message_fields import choice
from broker.portal.message_fields import explanation
from broker.vocabulary import MessageType as M
from broker.vocabulary import RemovalAction
from broker.vocabulary import RemovalImpediment
from broker.vocabulary import RemovalOrderDefect

INSTANT_HINT = N_("A date and time with its offset from UTC, for example 2026-12-07T14:30+01:00.")

REMOVAL_ADDRESSEE_SPECS = (
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
)

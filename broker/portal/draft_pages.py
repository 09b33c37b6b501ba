"""The guided form's question pages for an EPOC or EPOC-PR, as data: each page's question, inputs and the
certificate members it answers. broker/portal/draft_form.py reads the answers and shapes them into a draft.
"""

from dataclasses import dataclass

from broker.portal.i18n import N_
from broker.vocabulary import DataCategory
from broker.vocabulary import Instrument
from broker.vocabulary import OrderType
from broker.vocabulary import Purpose
from broker.vocabulary import SubsequentRequest
from broker.vocabulary import TargetType
from broker.vocabulary import UserInformationDecision

# How many identifier rows a page shows at most (the certificate takes 100 targets, 100 IP entries).
MAX_ROWS = 100
YES_NO = (("yes", N_("Yes")), ("no", N_("No")))
YES_NO_UNKNOWN = (*YES_NO, ("", N_("Not known yet")))


@dataclass(frozen=True)
class Field:
    """One input of a question page. `choices` is a fixed list or the name of a list the view supplies."""

    name: str
    kind: str  # text, textarea, number, datetime, radios, checkboxes, select
    label: str
    hint: str | None = None
    choices: tuple[tuple[str, str], ...] | str = ()
    optional: bool = False


@dataclass(frozen=True)
class Step:
    """One question page: its address, its question, its inputs, the certificate members it answers."""

    slug: str
    title: str
    fields: tuple[Field, ...]
    members: tuple[str, ...]
    only: OrderType | None = None
    rows: str | None = None  # "targets": the page also lists identifiers, a row each


STEPS = (
    Step(
        "order",
        N_("What do you want to order?"),
        (
            Field(
                "order_type",
                "radios",
                N_("Order"),
                choices=(
                    (OrderType.EPOC.value, N_("European Production Order (EPOC)")),
                    (OrderType.EPOC_PR.value, N_("European Preservation Order (EPOC-PR)")),
                ),
            ),
            Field(
                "instrument",
                "radios",
                N_("Legal instrument"),
                choices=(
                    (Instrument.REG_2023_1543.value, N_("Regulation (EU) 2023/1543 (e-Evidence)")),
                    (
                        Instrument.CETS_185_ART29.value,
                        N_("Budapest Convention, Art. 29 (expedited preservation)"),
                    ),
                    (
                        Instrument.CETS_224_ART7.value,
                        N_("Second Additional Protocol, Art. 7 (subscriber information)"),
                    ),
                    (
                        Instrument.CETS_224_ART8.value,
                        N_("Second Additional Protocol, Art. 8 (giving effect to an order)"),
                    ),
                    (
                        Instrument.CETS_224_ART9.value,
                        N_("Second Additional Protocol, Art. 9 (emergency disclosure)"),
                    ),
                ),
            ),
        ),
        ("instrument",),
    ),
    Step(
        "addressee",
        N_("Who receives the order?"),
        (
            Field("provider", "select", N_("Service provider"), choices="providers", optional=True),
            Field(
                "country", "select", N_("Member State of the addressee"), choices="countries", optional=True
            ),
            Field(
                "addressee",
                "radios",
                N_("Addressee"),
                N_("The provider's designated establishment or legal representative, from the directory."),
                choices="addressees",
            ),
        ),
        ("addressee",),
    ),
    Step(
        "data",
        N_("Which data do you ask for?"),
        (
            Field(
                "data_categories",
                "checkboxes",
                N_("Categories of data (Art. 3(9)-(12))"),
                N_("Select all that apply."),
                choices=(
                    (DataCategory.SUBSCRIBER.value, N_("Subscriber data")),
                    (DataCategory.USER_IDENTIFICATION.value, N_("Data requested only to identify the user")),
                    (DataCategory.TRAFFIC.value, N_("Traffic data")),
                    (DataCategory.CONTENT.value, N_("Content data")),
                ),
            ),
            Field(
                "removal_order",
                "radios",
                N_("Does this order ask for content and data preserved after a removal order?"),
                N_(
                    "Regulation (EU) 2021/784, Art. 6: content the provider removed under a removal order and "
                    "still preserves. Only the removal orders your authority may name for this provider are listed."
                ),
                choices="removal_orders",
                optional=True,
            ),
        ),
        ("data_categories", "removal_order"),
    ),
    Step(
        "targets",
        N_("Whose data do you ask for?"),
        (),
        ("targets", "identification"),
        rows="targets",
    ),
    Step(
        "period",
        N_("Which period do the data cover?"),
        (
            Field("period_start", "datetime", N_("From (UTC)"), N_("For example 2026-09-01 00:00.")),
            Field("period_end", "datetime", N_("Until (UTC)"), N_("Later than the start.")),
        ),
        ("time_range",),
    ),
    Step(
        "offence",
        N_("What is the offence?"),
        (
            Field("offence_description", "textarea", N_("Description of the offence")),
            Field(
                "legal_provisions",
                "textarea",
                N_("Criminal-law provisions"),
                N_("One provision a line, for example: Code pénal, art. 313-1."),
            ),
            Field(
                "maximum_penalty_months",
                "number",
                N_("Maximum custodial sentence, in months"),
                N_("Leave empty if the law sets no maximum term."),
                optional=True,
            ),
            Field(
                "annex_iv_category",
                "select",
                N_("Category of offence in Annex IV (optional)"),
                choices="annex_iv",
                optional=True,
            ),
            Field(
                "listed_directive",
                "select",
                N_("Offence listed in Art. 5(4)(b)-(c) (optional)"),
                N_("The directive that defines it, if the offence is one of those listed."),
                choices="directives",
                optional=True,
            ),
            Field("listed_article", "number", N_("Article of that directive"), optional=True),
            Field(
                "by_information_system",
                "radios",
                N_("Was it committed wholly or partly by means of an information system?"),
                choices=YES_NO_UNKNOWN,
                optional=True,
            ),
        ),
        ("offence",),
    ),
    Step(
        "purpose",
        N_("Why are the data needed?"),
        (
            Field(
                "purpose",
                "radios",
                N_("Purpose (Art. 5(3)-(4))"),
                choices=(
                    (Purpose.CRIMINAL_PROCEEDINGS.value, N_("Criminal proceedings")),
                    (
                        Purpose.SENTENCE_EXECUTION.value,
                        N_("Executing a custodial sentence or detention order"),
                    ),
                ),
            ),
            Field(
                "sentence_months",
                "number",
                N_("Sentence imposed, in months"),
                N_("Only when executing a sentence."),
                optional=True,
            ),
            Field("in_absentia", "radios", N_("Was it rendered in absentia?"), choices=YES_NO, optional=True),
            Field("absconded", "radios", N_("Has the person absconded?"), choices=YES_NO, optional=True),
        ),
        ("purpose", "sentence"),
    ),
    Step(
        "grounds",
        N_("Why is the order necessary?"),
        (
            Field("case_summary", "textarea", N_("Summary of the case")),
            Field(
                "necessity_and_proportionality",
                "textarea",
                N_("Why the order is necessary and proportionate (Art. 5(2))"),
            ),
        ),
        ("case_summary", "necessity_and_proportionality"),
    ),
    Step(
        "emergency",
        N_("Is it an emergency?"),
        (
            Field(
                "emergency",
                "radios",
                N_("Emergency (Art. 3(18))"),
                N_(
                    "An imminent threat to life, physical integrity or safety, or to critical infrastructure."
                ),
                choices=YES_NO,
            ),
            Field(
                "emergency_justification",
                "textarea",
                N_("Why it is an emergency"),
                N_("Only for an emergency."),
                optional=True,
            ),
        ),
        ("emergency", "emergency_justification"),
    ),
    Step(
        "validation",
        N_("Who validated the order?"),
        (
            Field(
                "validating_authority",
                "radios",
                N_("Validating authority (Art. 4)"),
                N_(
                    "A judge, court or investigating judge, from the directory; none if your authority may issue alone."
                ),
                choices="authorities",
                optional=True,
            ),
        ),
        ("validating_authority",),
    ),
    Step(
        "notification",
        N_("Where were the offence and the person?"),
        (
            Field(
                "offence_committed_in_issuing_state",
                "radios",
                N_("Are there reasonable grounds to believe the offence was committed in your State?"),
                N_("Art. 8(2): asked for traffic and content data."),
                choices=YES_NO_UNKNOWN,
                optional=True,
            ),
            Field(
                "person_resides_in_issuing_state",
                "radios",
                N_("Are there reasonable grounds to believe the person resides in your State?"),
                choices=YES_NO_UNKNOWN,
                optional=True,
            ),
            Field(
                "similar_domestic_order_possible",
                "radios",
                N_("Could a similar order be issued in a similar domestic case?"),
                choices=YES_NO,
            ),
        ),
        (
            "offence_committed_in_issuing_state",
            "person_resides_in_issuing_state",
            "similar_domestic_order_possible",
        ),
        only=OrderType.EPOC,
    ),
    Step(
        "user",
        N_("Will the person be informed?"),
        (
            Field(
                "user_information",
                "radios",
                N_("Informing the person whose data are sought (Art. 13)"),
                choices=(
                    (UserInformationDecision.INFORM.value, N_("Inform the person")),
                    (UserInformationDecision.DELAY.value, N_("Delay informing the person")),
                    (UserInformationDecision.RESTRICT.value, N_("Restrict the information")),
                    (UserInformationDecision.OMIT.value, N_("Do not inform the person")),
                ),
            ),
            Field(
                "user_information_justification",
                "textarea",
                N_("Why the person is not informed now"),
                N_("Unless the person is informed."),
                optional=True,
            ),
        ),
        ("user_information",),
        only=OrderType.EPOC,
    ),
    Step(
        "subsequent",
        N_("Which request will follow?"),
        (
            Field(
                "subsequent_request",
                "radios",
                N_("The request for production that the preservation prepares (Art. 6(2))"),
                choices=(
                    (SubsequentRequest.EPO.value, N_("A European Production Order")),
                    (SubsequentRequest.EIO.value, N_("A European Investigation Order")),
                    (SubsequentRequest.MLA.value, N_("A mutual legal assistance request")),
                ),
            ),
        ),
        ("subsequent_request",),
        only=OrderType.EPOC_PR,
    ),
    Step(
        "details",
        N_("Your file and contact"),
        (
            Field("file_number", "text", N_("Your file number"), optional=True),
            Field("contact_name", "text", N_("Contact name"), optional=True),
            Field("contact_email", "text", N_("Contact e-mail address"), optional=True),
            Field("contact_phone", "text", N_("Contact telephone number"), optional=True),
            Field(
                "language",
                "select",
                N_("Language of the certificate"),
                N_("One the addressee accepts."),
                choices="languages",
            ),
        ),
        ("issuing_authority", "language"),
    ),
)
STEPS_BY_SLUG = {step.slug: step for step in STEPS}
TARGET_TYPES = (
    (TargetType.ACCOUNT.value, N_("Account")),
    (TargetType.USERNAME.value, N_("User name")),
    (TargetType.EMAIL_ADDRESS.value, N_("E-mail address")),
    (TargetType.PHONE_NUMBER.value, N_("Telephone number")),
    (TargetType.IP_ADDRESS.value, N_("IP address")),
    (TargetType.DEVICE_ID.value, N_("Device identifier")),
    (TargetType.OTHER.value, N_("Other")),
)

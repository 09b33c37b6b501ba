"""The Regulation's words as people read them: a label for every state, kind, role, clock and message.

The values of broker/vocabulary.py are the wire's and the database's; pages show these labels,
translated (`label(value)` in templates). Each enum has its own table, since two enums may share a
value ("epoc" is an order type and a message type). A value without a label shows as it is, so a
new state is never hidden, and tests/portal/test_portal_catalogues.py fails until it has one.
"""

from enum import StrEnum

from broker.lifecycle import Clock
from broker.portal.i18n import N_
from broker.portal.i18n import translate
from broker.vocabulary import ComplaintOutcome
from broker.vocabulary import ContentProviderDisclosure
from broker.vocabulary import CourtReviewOutcome
from broker.vocabulary import DataCategory
from broker.vocabulary import DecryptionOutcome
from broker.vocabulary import EnforcementOutcome
from broker.vocabulary import EvidenceState
from broker.vocabulary import MessageType
from broker.vocabulary import NonExecutionReason
from broker.vocabulary import OffenceTiming
from broker.vocabulary import OrderDecision
from broker.vocabulary import OrderState
from broker.vocabulary import OrderType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import PreservationRequester
from broker.vocabulary import RefusalGround
from broker.vocabulary import ReinstatementAction
from broker.vocabulary import RemovalAction
from broker.vocabulary import RemovalAddresseeType
from broker.vocabulary import RemovalImpediment
from broker.vocabulary import RemovalOrderDefect
from broker.vocabulary import ResponseOutcome
from broker.vocabulary import ReviewDecision
from broker.vocabulary import Role
from broker.vocabulary import ScrutinyFinding
from broker.vocabulary import ScrutinyRequester
from broker.vocabulary import SubsequentRequest
from broker.vocabulary import TerroristMaterial
from broker.vocabulary import ValidationOutcome
from broker.vocabulary import WithholdingDecision

LABELS: dict[type[StrEnum], dict[str, str]] = {
    OrderState: {
        OrderState.DRAFT: N_("Draft"),
        OrderState.ISSUED: N_("Issued"),
        OrderState.RECEIVED: N_("Received"),
        OrderState.ACKNOWLEDGED: N_("Acknowledged"),
        OrderState.PRESERVED: N_("Data preserved"),
        OrderState.CLARIFICATION_REQUESTED: N_("Clarification requested"),
        OrderState.UNDER_REVIEW: N_("Under review (immunity concern)"),
        OrderState.SUSPENDED: N_("Suspended (third-country objection)"),
        OrderState.PRODUCED: N_("Produced"),
        OrderState.PARTIALLY_PRODUCED: N_("Partially produced"),
        OrderState.NOT_EXECUTED: N_("Not executed"),
        OrderState.REFUSED: N_("Refused by the enforcing authority"),
        OrderState.AWAITING_SERVICE: N_("With the authority that serves it"),
        OrderState.SERVED: N_("Served on the provider"),
        OrderState.ENFORCEMENT_REQUESTED: N_("Enforcement requested"),
        OrderState.ENFORCEMENT_REFUSED: N_("Enforcement refused"),
        OrderState.PRESERVATION_ENDED: N_("Preservation ended"),
        OrderState.WITHDRAWN: N_("Withdrawn"),
        OrderState.CLOSED: N_("Closed"),
        OrderState.REMOVED: N_("Content removed or disabled"),
        OrderState.IMPOSSIBLE: N_("Removal impossible for now"),
        OrderState.CEASED: N_("No legal effects: infringement found, to be reinstated"),
        OrderState.REINSTATED: N_("Content reinstated"),
    },
    OrderType: {
        OrderType.EPOC: N_("European Production Order (EPOC)"),
        OrderType.EPOC_PR: N_("European Preservation Order (EPOC-PR)"),
        OrderType.REMOVAL_ORDER: N_("Removal order (terrorist content)"),
        OrderType.OVERSEAS_PRODUCTION_ORDER: N_("UK overseas production order"),
    },
    OrganisationKind: {
        OrganisationKind.ISSUING_AUTHORITY: N_("Issuing authority"),
        OrganisationKind.ENFORCING_AUTHORITY: N_("Enforcing authority"),
        OrganisationKind.PROVIDER: N_("Service provider"),
        OrganisationKind.OVERSIGHT_BODY: N_("Oversight body"),
        OrganisationKind.EUROPOL: N_("Europol"),
    },
    Role: {
        Role.ADMIN: N_("Administrator"),
        Role.CASEWORKER: N_("Caseworker"),
        Role.LEGAL_OFFICER: N_("Legal officer"),
        Role.REVIEWER: N_("Reviewer"),
        Role.AUDITOR: N_("Auditor"),
    },
    Clock: {
        Clock.PRODUCTION: N_("Production deadline"),
        Clock.ENFORCING_REVIEW: N_("Enforcing authority's review"),
        Clock.OBJECTION_WINDOW: N_("Objection window"),
        Clock.CLARIFICATION: N_("Clarification"),
        Clock.EX_POST_VALIDATION: N_("Ex-post validation"),
        Clock.PRESERVATION: N_("Preservation"),
        Clock.ENFORCEMENT_DECISION: N_("Enforcement decision"),
        Clock.REMOVAL: N_("Removal within one hour"),
        Clock.SCRUTINY: N_("Host State's scrutiny"),
        Clock.CONTENT_PRESERVATION: N_("Preservation of the removed content"),
        Clock.WITHHOLDING: N_("Withholding from the content provider"),
        Clock.COMPLAINT: N_("Outcome of the content provider's complaint"),
        Clock.SERVICE: N_("Service on the provider"),
    },
    DataCategory: {
        DataCategory.SUBSCRIBER: N_("Subscriber data"),
        DataCategory.USER_IDENTIFICATION: N_("Data requested for the sole purpose of identifying the user"),
        DataCategory.TRAFFIC: N_("Traffic data"),
        DataCategory.CONTENT: N_("Content data"),
    },
    # The answers of lifecycle messages (broker/portal/message_specs.py) and evidence packages' status.
    ResponseOutcome: {
        ResponseOutcome.PRODUCED: N_("Produced the data"),
        ResponseOutcome.PARTIALLY_PRODUCED: N_("Produced part of the data"),
        ResponseOutcome.PRESERVED: N_("Preserved the data"),
        ResponseOutcome.NOT_EXECUTED: N_("Did not execute the order"),
    },
    NonExecutionReason: {
        NonExecutionReason.INCOMPLETE_OR_MANIFEST_ERROR: N_(
            "The certificate is incomplete or contains manifest errors"
        ),
        NonExecutionReason.DE_FACTO_IMPOSSIBILITY: N_(
            "De facto impossibility, not attributable to the provider"
        ),
        NonExecutionReason.DATA_NOT_STORED: N_("The data are not stored"),
        NonExecutionReason.IMMUNITY_PRIVILEGE_OR_PRESS_FREEDOM: N_(
            "Immunities, privileges or freedom of the press"
        ),
        NonExecutionReason.THIRD_COUNTRY_CONFLICT: N_("Conflict with the law of a third country"),
        NonExecutionReason.OTHER: N_("Another reason"),
    },
    RefusalGround: {
        RefusalGround.IMMUNITY_PRIVILEGE_OR_PRESS_FREEDOM: N_(
            "Immunities, privileges or freedom of the press (Art. 12(1)(a))"
        ),
        RefusalGround.MANIFEST_FUNDAMENTAL_RIGHTS_BREACH: N_(
            "A manifest breach of a fundamental right (Art. 12(1)(b))"
        ),
        RefusalGround.NE_BIS_IN_IDEM: N_("Ne bis in idem (Art. 12(1)(c))"),
        RefusalGround.NO_DOUBLE_CRIMINALITY: N_(
            "Not an offence under the law of the enforcing State (Art. 12(1)(d))"
        ),
    },
    ReviewDecision: {
        ReviewDecision.NO_OBJECTION: N_("No objection"),
        ReviewDecision.REFUSAL: N_("Refuse on a ground for refusal"),
    },
    OrderDecision: {
        OrderDecision.MAINTAIN: N_("Maintain the order"),
        OrderDecision.ADAPT: N_("Adapt the order"),
        OrderDecision.WITHDRAW: N_("Withdraw the order"),
    },
    CourtReviewOutcome: {
        CourtReviewOutcome.UPHELD: N_("Upheld: the order stands"),
        CourtReviewOutcome.LIFTED: N_("Lifted: the order ends"),
    },
    ValidationOutcome: {
        ValidationOutcome.GRANTED: N_("Validated"),
        ValidationOutcome.REFUSED: N_("Validation refused"),
    },
    EnforcementOutcome: {
        EnforcementOutcome.RECOGNISED: N_("Recognised and enforced"),
        EnforcementOutcome.REFUSED: N_("Refused"),
    },
    SubsequentRequest: {
        SubsequentRequest.EPO: N_("A European Production Order"),
        SubsequentRequest.EIO: N_("A European Investigation Order"),
        SubsequentRequest.MLA: N_("A request for mutual legal assistance"),
    },
    EvidenceState: {
        EvidenceState.UPLOADING: N_("Uploading"),
        EvidenceState.UPLOADED: N_("Uploaded, waiting for the signed manifest"),
        EvidenceState.SEALED: N_("Sealed by the signed manifest"),
        EvidenceState.DELETED: N_("Deleted"),
    },
    DecryptionOutcome: {
        DecryptionOutcome.VERIFIED: N_("Decrypted, every hash matched"),
        DecryptionOutcome.FAILED: N_("Did not decrypt, or a hash did not match"),
    },
    MessageType: {
        MessageType.EPOC: N_("Production order certificate"),
        MessageType.EPOC_PR: N_("Preservation order certificate"),
        MessageType.CLARIFICATION_ANSWER: N_("Clarification answer"),
        MessageType.ORDER_DECISION: N_("Decision on a concern"),
        MessageType.COURT_REVIEW_OUTCOME: N_("Court review outcome"),
        MessageType.WITHDRAWAL: N_("Withdrawal"),
        MessageType.NEW_DEADLINE: N_("New deadline"),
        MessageType.PRESERVATION_EXTENSION: N_("Preservation extension"),
        MessageType.PRODUCTION_REQUEST_CONFIRMATION: N_("Confirmation of a production request"),
        MessageType.PRESERVATION_RELEASE: N_("Preservation release"),
        MessageType.EX_POST_VALIDATION: N_("Ex-post validation"),
        MessageType.CLOSURE: N_("Closure"),
        MessageType.ENFORCEMENT_REQUEST: N_("Enforcement request"),
        MessageType.RESPONSE: N_("Response"),
        MessageType.ACKNOWLEDGEMENT: N_("Acknowledgement"),
        MessageType.PRESERVATION_NOTICE: N_("Preservation notice"),
        MessageType.CLARIFICATION_REQUEST: N_("Clarification request"),
        MessageType.IMMUNITY_CONCERN: N_("Immunity concern"),
        MessageType.THIRD_COUNTRY_OBJECTION: N_("Third-country objection"),
        MessageType.EVIDENCE_MANIFEST: N_("Evidence manifest"),
        MessageType.ENFORCING_REVIEW: N_("Enforcing authority's review"),
        MessageType.ENFORCEMENT_DECISION: N_("Enforcement decision"),
        MessageType.REMOVAL_ORDER: N_("Removal order"),
        MessageType.REMOVAL_CONFIRMATION: N_("Confirmation of removal"),
        MessageType.REMOVAL_IMPOSSIBILITY: N_("Impossibility to remove"),
        MessageType.IMPOSSIBILITY_CEASED: N_("End of the impossibility"),
        MessageType.REMOVAL_CLARIFICATION_REQUEST: N_("Request for clarification of a removal order"),
        MessageType.REMOVAL_CLARIFICATION: N_("Clarification of a removal order"),
        MessageType.REMOVAL_SCRUTINY_REQUEST: N_("Request for scrutiny of a removal order"),
        MessageType.REMOVAL_SCRUTINY_INTENTION: N_("Intention to find an infringement"),
        MessageType.REMOVAL_SCRUTINY_DECISION: N_("Scrutiny decision"),
        MessageType.REMOVAL_REINSTATEMENT: N_("Reinstatement of the content"),
        MessageType.REMOVAL_PRESERVATION_EXTENSION: N_("Extension of the preservation of removed content"),
        MessageType.THREAT_NOTIFICATION: N_("Notification of a threat to life or safety"),
        MessageType.OVERSEAS_PRODUCTION_ORDER: N_("Overseas production order"),
        MessageType.EXCEPTED_DATA_REFUSAL: N_("Refusal of excepted electronic data"),
        MessageType.REQUESTED_PARTY_REFUSAL: N_("Refusal by the requested Party"),
        MessageType.CONTENT_PROVIDER_INFORMATION: N_("Information to the content provider"),
        MessageType.REMOVAL_WITHHOLDING: N_("Withholding of information from the content provider"),
        MessageType.REMOVAL_COMPLAINT: N_("Content provider's complaint"),
        MessageType.REMOVAL_COMPLAINT_OUTCOME: N_("Outcome of the content provider's complaint"),
    },
    # Regulation (EU) 2021/784: the removal order's members and its answers.
    TerroristMaterial: {
        TerroristMaterial.INCITEMENT: N_("Incites the commission of terrorist offences (Art. 2(7)(a))"),
        TerroristMaterial.SOLICITATION_TO_COMMIT: N_(
            "Solicits the commission of terrorist offences (Art. 2(7)(b))"
        ),
        TerroristMaterial.SOLICITATION_TO_PARTICIPATE: N_(
            "Solicits participation in the activities of a terrorist group (Art. 2(7)(c))"
        ),
        TerroristMaterial.INSTRUCTION: N_(
            "Instruction on explosives, firearms, other weapons or hazardous substances (Art. 2(7)(d))"
        ),
        TerroristMaterial.THREAT: N_("A threat to commit a terrorist offence (Art. 2(7)(e))"),
    },
    RemovalAddresseeType: {
        RemovalAddresseeType.CONTACT_POINT: N_("Contact point (Art. 15)"),
        RemovalAddresseeType.LEGAL_REPRESENTATIVE: N_("Legal representative (Art. 17)"),
    },
    RemovalAction: {
        RemovalAction.REMOVED: N_("Removed the content"),
        RemovalAction.DISABLED: N_("Disabled access to it in all Member States"),
    },
    RemovalImpediment: {
        RemovalImpediment.FORCE_MAJEURE: N_("Force majeure"),
        RemovalImpediment.TECHNICAL_OR_OPERATIONAL: N_(
            "De facto impossibility: objectively justifiable technical or operational reasons"
        ),
    },
    RemovalOrderDefect: {
        RemovalOrderDefect.MANIFEST_ERROR: N_("It contains manifest errors"),
        RemovalOrderDefect.INSUFFICIENT_INFORMATION: N_("It does not contain sufficient information"),
    },
    ScrutinyRequester: {
        ScrutinyRequester.HOSTING_SERVICE_PROVIDER: N_("We, the hosting service provider"),
        ScrutinyRequester.CONTENT_PROVIDER: N_("The content provider, through us"),
    },
    ScrutinyFinding: {
        ScrutinyFinding.NO_INFRINGEMENT: N_("The order does not infringe"),
        ScrutinyFinding.INFRINGEMENT: N_("The order seriously or manifestly infringes"),
    },
    ReinstatementAction: {
        ReinstatementAction.CONTENT_REINSTATED: N_("Reinstated the content"),
        ReinstatementAction.ACCESS_RESTORED: N_("Restored access to it"),
    },
    OffenceTiming: {
        OffenceTiming.HAS_TAKEN_PLACE: N_("Suspected to have taken place"),
        OffenceTiming.IS_TAKING_PLACE: N_("Suspected to be taking place now"),
        OffenceTiming.IS_LIKELY: N_("Suspected to be likely to take place"),
    },
    PreservationRequester: {
        PreservationRequester.COMPETENT_AUTHORITY: N_("The competent authority"),
        PreservationRequester.COURT: N_("A court"),
    },
    # Arts. 10-11: the content provider's rights.
    ContentProviderDisclosure: {
        ContentProviderDisclosure.REASONS_AND_REDRESS: N_(
            "The reasons and the possibilities to challenge the order"
        ),
        ContentProviderDisclosure.ORDER_COPY: N_("A copy of the removal order"),
    },
    WithholdingDecision: {
        WithholdingDecision.WITHHOLD: N_("Decide that nothing be disclosed"),
        WithholdingDecision.RENEW: N_("Renew the decision"),
    },
    ComplaintOutcome: {
        ComplaintOutcome.REINSTATED: N_("Upheld: the content or access to it reinstated"),
        ComplaintOutcome.DISMISSED: N_("Dismissed: the removal stands"),
    },
}


def label(value: object, of: type[StrEnum] | None = None) -> str:
    """The translated label of an enum member, or of a value read from a document (`of` its enum)."""
    if isinstance(value, StrEnum):
        of = type(value)
    text = str(value)
    for enum in (of,) if of is not None else tuple(LABELS):
        found = LABELS.get(enum, {}).get(text)
        if found is not None:
            return translate(found)
    return text


CLOCK_STATUSES = {
    "running": N_("Running"),
    "paused": N_("Paused"),
    "stopped": N_("Stopped"),
    "fired": N_("Ended"),
}


def clock_status(status: str) -> str:
    """A clock's status (broker/clocks/models.py) in words."""
    return translate(CLOCK_STATUSES[status]) if status in CLOCK_STATUSES else status

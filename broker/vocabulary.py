"""The Regulation's words as enumerations, shared by models, wire schemas and the CLI.

Values are the strings that travel on the wire and sit in the database; change them only with a new
schema version and a migration.
"""

from enum import StrEnum


class OrganisationKind(StrEnum):
    """The kinds of party the broker connects.

    Europol is a kind of its own, not a "Union agency" in general: Regulation (EU) 2022/2065, Art. 18(2)
    names Europol itself as the recipient of a threat notification whose Member State the provider cannot
    identify, and no other instrument the broker carries gives any Union agency a part. It is no issuing
    or enforcing authority (Regulation (EU) 2023/1543, Art. 4): it receives notifications and takes no
    part in orders. A registry holds at most one (broker.parties.operations.create_organisation).
    """

    ISSUING_AUTHORITY = "issuing_authority"
    ENFORCING_AUTHORITY = "enforcing_authority"
    PROVIDER = "provider"
    OVERSIGHT_BODY = "oversight_body"
    EUROPOL = "europol"  # Regulation (EU) 2016/794; a recipient of DSA Art. 18(2) notifications only


class AuthorityType(StrEnum):
    """Who an authority is under Art. 4 of Regulation (EU) 2023/1543."""

    JUDGE = "judge"
    COURT = "court"
    INVESTIGATING_JUDGE = "investigating_judge"
    PUBLIC_PROSECUTOR = "public_prosecutor"
    OTHER_COMPETENT_AUTHORITY = "other_competent_authority"


class TreatyRole(StrEnum):
    """What an authority is on the routes of orders outside the Regulation, where it has such a role.

    The values are those of broker.legal.routes.Channel: who receives such an order first.
    """

    POINT_OF_CONTACT_24_7 = "point_of_contact_24_7"  # CETS 185 Art. 35, CETS 224 Art. 9: the 24/7 network
    DESIGNATED_AUTHORITY = "designated_authority"  # COPO s.9: the Secretary of State or the Lord Advocate


class AddresseeType(StrEnum):
    """Where a provider receives orders (Directive (EU) 2023/1544 Art. 3; Annex I Section B)."""

    DESIGNATED_ESTABLISHMENT = "designated_establishment"
    LEGAL_REPRESENTATIVE = "legal_representative"
    # Any other establishment or legal representative of the provider in the Union: an order reaches it
    # only by the exception of Regulation (EU) 2023/1543 Art. 7(2) (AddressingGround), never by default.
    OTHER_ESTABLISHMENT = "other_establishment"


# The addressees Art. 7(1) sends orders to; version 1 of the certificates knows only these.
DESIGNATED_ADDRESSEES = (AddresseeType.DESIGNATED_ESTABLISHMENT, AddresseeType.LEGAL_REPRESENTATIVE)


class AddressingGround(StrEnum):
    """Why an emergency order goes to another establishment than the designated one (Art. 7(2); Annex I
    and II, Section B)."""

    NO_REACTION = "designated_did_not_react"  # the designated one did not react within the deadlines
    NOT_DESIGNATED = "none_designated"  # none designated within the deadlines of Directive (EU) 2023/1544


class Role(StrEnum):
    """A user's role inside their organisation."""

    ADMIN = "admin"
    CASEWORKER = "caseworker"
    LEGAL_OFFICER = "legal_officer"
    REVIEWER = "reviewer"
    AUDITOR = "auditor"


class OrderType(StrEnum):
    """The two certificates of Art. 9(1) (production, Annex I; preservation, Annex II), and the removal
    order of Regulation (EU) 2021/784 (Art. 3, Annex I), carried by the same orders table."""

    EPOC = "epoc"
    EPOC_PR = "epoc-pr"
    REMOVAL_ORDER = "removal-order"
    # Crime (Overseas Production Orders) Act 2019, ss.1, 9: made by a UK judge, served by the UK's authority.
    OVERSEAS_PRODUCTION_ORDER = "overseas-production-order"


class MessageType(StrEnum):
    """Every wire message type the broker accepts; who may send which, when, is broker.lifecycle."""

    # issuing authority -> addressee (and, where Art. 8 requires, the enforcing authority)
    EPOC = "epoc"
    EPOC_PR = "epoc-pr"
    CLARIFICATION_ANSWER = "clarification-answer"  # Art. 10(6): the missing information or correction
    ORDER_DECISION = "order-decision"  # Art. 10(5): maintain, adapt or withdraw after a concern
    COURT_REVIEW_OUTCOME = "court-review-outcome"  # Art. 17: what the court decided on an objection
    WITHDRAWAL = "withdrawal"
    NEW_DEADLINE = "new-deadline"  # Art. 10(8)
    PRESERVATION_EXTENSION = "preservation-extension"  # Annex VI: +30 days, once (Art. 11(1))
    PRODUCTION_REQUEST_CONFIRMATION = "production-request-confirmation"  # Annex V (Art. 11(1)-(2))
    PRESERVATION_RELEASE = "preservation-release"  # Art. 11(3): preservation no longer needed
    EX_POST_VALIDATION = "ex-post-validation"  # Art. 4(5): granted or refused within 48 hours
    CLOSURE = "closure"  # the issuing authority closes a completed order
    ENFORCEMENT_REQUEST = "enforcement-request"  # Art. 16(1): to the enforcing authority
    # addressee -> issuing authority (and enforcing authority where notified)
    RESPONSE = "response"  # produced / partially produced / preserved / not executed (Annex III)
    ACKNOWLEDGEMENT = "acknowledgement"
    PRESERVATION_NOTICE = "preservation-notice"  # Art. 10(1): data preserved pending production
    CLARIFICATION_REQUEST = "clarification-request"  # Annex III, Art. 10(6): incomplete or manifest errors
    IMMUNITY_CONCERN = "immunity-concern"  # Annex III, Art. 10(5)
    THIRD_COUNTRY_OBJECTION = "third-country-objection"  # Annex III, Art. 17
    EVIDENCE_MANIFEST = "evidence-manifest"  # the produced data: encrypted packages and their hashes
    # enforcing authority -> issuing authority and addressee
    ENFORCING_REVIEW = "enforcing-review"  # Art. 12: no objection, or a ground for refusal
    ENFORCEMENT_DECISION = "enforcement-decision"  # Art. 16(2)-(5)
    # Regulation (EU) 2021/784: the same values as RemovalMessageType, so the removal order's messages
    # are stored and routed like the others (envelope version 2 admits them; version 1 does not).
    REMOVAL_ORDER = "removal-order"
    REMOVAL_CONFIRMATION = "removal-confirmation"
    REMOVAL_IMPOSSIBILITY = "removal-impossibility"
    IMPOSSIBILITY_CEASED = "impossibility-ceased"
    REMOVAL_CLARIFICATION_REQUEST = "removal-clarification-request"
    REMOVAL_CLARIFICATION = "removal-clarification"
    # Envelope version 3 admits these (Art. 4(4)-(7), Art. 6(2)); version 2 does not.
    REMOVAL_SCRUTINY_REQUEST = "removal-scrutiny-request"
    REMOVAL_SCRUTINY_INTENTION = "removal-scrutiny-intention"
    REMOVAL_SCRUTINY_DECISION = "removal-scrutiny-decision"
    REMOVAL_REINSTATEMENT = "removal-reinstatement"
    REMOVAL_PRESERVATION_EXTENSION = "removal-preservation-extension"
    # Regulation (EU) 2022/2065 (DSA), Art. 18: a provider's notification of a suspected threat to life or
    # safety; it belongs to no order (envelope version 3 admits it).
    THREAT_NOTIFICATION = "threat-notification"
    # The UK's Crime (Overseas Production Orders) Act 2019 (envelope version 3): the order a UK judge made,
    # and the respondent's refusal of what it may not be made to produce (s.3: excepted electronic data).
    OVERSEAS_PRODUCTION_ORDER = "overseas-production-order"
    EXCEPTED_DATA_REFUSAL = "excepted-data-refusal"
    # The content provider's rights (Regulation (EU) 2021/784, Arts. 10-11; envelope version 3).
    CONTENT_PROVIDER_INFORMATION = "content-provider-information"
    REMOVAL_WITHHOLDING = "removal-withholding"
    REMOVAL_COMPLAINT = "removal-complaint"
    REMOVAL_COMPLAINT_OUTCOME = "removal-complaint-outcome"
    # The requested Party refuses to give effect to a Council of Europe order it was sent (CETS 224 Art. 8(7),
    # Budapest Art. 29(5); envelope version 3): requested Party's authority -> issuing authority.
    REQUESTED_PARTY_REFUSAL = "requested-party-refusal"


class Instrument(StrEnum):
    """The legal instrument an order is issued under, chosen explicitly on the certificate.

    The broker's epoc certificate carries production orders and its epoc-pr certificate preservation
    orders; the Council of Europe instruments travel in the same certificate structure.
    """

    REG_2023_1543 = "reg-2023-1543"  # Regulation (EU) 2023/1543: EPOC / EPOC-PR
    CETS_185_ART29 = "cets-185-art29"  # Budapest Convention Art. 29: expedited preservation request
    CETS_224_ART7 = (
        "cets-224-art7"  # Second Additional Protocol Art. 7: subscriber information from a provider
    )
    CETS_224_ART8 = "cets-224-art8"  # Art. 8: giving effect to an order through the requested Party
    CETS_224_ART9 = "cets-224-art9"  # Art. 9: expedited disclosure in an emergency


class ExceptedData(StrEnum):
    """What an overseas production order may not require (COPO s.3: excepted electronic data)."""

    LEGAL_PRIVILEGE = "legal_privilege"  # s.3(2)(a): an item subject to legal privilege
    CONFIDENTIAL_PERSONAL_RECORD = "confidential_personal_record"  # s.3(2)(b), (3)-(4)


class TreatyRefusalGround(StrEnum):
    """Why the requested Party refuses to give effect to a Council of Europe order (broker.legal.routes
    names, per route, which grounds the treaty allows and where)."""

    POLITICAL_OFFENCE = "political_offence"  # Budapest Art. 27(4)(a), 29(5)(a)
    ESSENTIAL_INTERESTS = (
        "essential_interests"  # Art. 27(4)(b), 29(5)(b): sovereignty, security, ordre public
    )
    MUTUAL_ASSISTANCE_LAW = "mutual_assistance_law"  # Art. 25(4): the requested Party's law or MLA treaties
    DUAL_CRIMINALITY = "dual_criminality"  # Art. 29(4): where the Party reserved it


class DataCategory(StrEnum):
    """Art. 3(9)-(12) of Regulation (EU) 2023/1543."""

    SUBSCRIBER = "subscriber"
    USER_IDENTIFICATION = "user_identification"
    TRAFFIC = "traffic"
    CONTENT = "content"


class TargetType(StrEnum):
    """Kinds of identifier a certificate may name (Art. 5(5)(c))."""

    ACCOUNT = "account"
    USERNAME = "username"
    EMAIL_ADDRESS = "email_address"
    PHONE_NUMBER = "phone_number"
    IP_ADDRESS = "ip_address"
    DEVICE_ID = "device_id"
    OTHER = "other"


class Purpose(StrEnum):
    """Why data are sought (Art. 5(3)-(4))."""

    CRIMINAL_PROCEEDINGS = "criminal_proceedings"
    SENTENCE_EXECUTION = "sentence_execution"


class UserInformationDecision(StrEnum):
    """The issuing authority's decision on informing the person whose data are sought (Art. 13)."""

    INFORM = "inform"
    DELAY = "delay"
    RESTRICT = "restrict"
    OMIT = "omit"


class SubsequentRequest(StrEnum):
    """The production request an EPOC-PR prepares (Art. 6(2))."""

    EPO = "epo"
    EIO = "eio"
    MLA = "mla"


class ResponseOutcome(StrEnum):
    """What the addressee did with the certificate."""

    PRODUCED = "produced"
    PARTIALLY_PRODUCED = "partially_produced"
    PRESERVED = "preserved"
    NOT_EXECUTED = "not_executed"


class NonExecutionReason(StrEnum):
    """Annex III reasons for not executing, or not fully executing, a certificate (Art. 10(5)-(8), 11, 17)."""

    INCOMPLETE_OR_MANIFEST_ERROR = "incomplete_or_manifest_error"
    DE_FACTO_IMPOSSIBILITY = "de_facto_impossibility"
    DATA_NOT_STORED = "data_not_stored"
    IMMUNITY_PRIVILEGE_OR_PRESS_FREEDOM = "immunity_privilege_or_press_freedom"
    THIRD_COUNTRY_CONFLICT = "third_country_conflict"
    OTHER = "other"


class RefusalGround(StrEnum):
    """An enforcing authority's grounds for refusal (Art. 12(1)(a)-(d))."""

    IMMUNITY_PRIVILEGE_OR_PRESS_FREEDOM = "immunity_privilege_or_press_freedom"
    MANIFEST_FUNDAMENTAL_RIGHTS_BREACH = "manifest_fundamental_rights_breach"
    NE_BIS_IN_IDEM = "ne_bis_in_idem"
    NO_DOUBLE_CRIMINALITY = "no_double_criminality"


class ReviewDecision(StrEnum):
    """What an enforcing authority says about a notified EPOC (Art. 12)."""

    NO_OBJECTION = "no_objection"
    REFUSAL = "refusal"


class OrderDecision(StrEnum):
    """The issuing authority's decision after a concern was raised (Art. 10(5))."""

    MAINTAIN = "maintain"
    ADAPT = "adapt"
    WITHDRAW = "withdraw"


class CourtReviewOutcome(StrEnum):
    """A court's decision on a third-country objection (Art. 17)."""

    UPHELD = "upheld"  # the order stands
    LIFTED = "lifted"  # the order is lifted


class ValidationOutcome(StrEnum):
    """Ex-post validation of an emergency order (Art. 4(5))."""

    GRANTED = "granted"
    REFUSED = "refused"


class EnforcementOutcome(StrEnum):
    """The enforcing authority's recognition decision (Art. 16)."""

    RECOGNISED = "recognised"
    REFUSED = "refused"


class OrderState(StrEnum):
    """Where an order stands; the transitions between them are broker.lifecycle."""

    DRAFT = "draft"
    ISSUED = "issued"
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    PRESERVED = "preserved"  # EPOC: data preserved pending production; EPOC-PR: preserving
    CLARIFICATION_REQUESTED = "clarification_requested"  # clock paused until the issuer answers
    UNDER_REVIEW = "under_review"  # immunity concern: the issuer must maintain, adapt or withdraw
    SUSPENDED = "suspended"  # third-country objection before the issuing State's court
    PRODUCED = "produced"
    PARTIALLY_PRODUCED = "partially_produced"
    NOT_EXECUTED = "not_executed"
    REFUSED = "refused"  # the enforcing authority raised a ground for refusal
    # An order that an authority serves on the provider (CETS 224 Art. 8 and 9, COPO s.9): that authority
    # took delivery and is to serve it; then it served it, and the provider's clocks run.
    AWAITING_SERVICE = "awaiting_service"
    SERVED = "served"
    ENFORCEMENT_REQUESTED = "enforcement_requested"
    ENFORCEMENT_REFUSED = "enforcement_refused"
    PRESERVATION_ENDED = "preservation_ended"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"
    # A removal order's own states (RemovalState holds all seven; issued, received and
    # clarification_requested are shared above).
    REMOVED = "removed"
    IMPOSSIBLE = "impossible"
    CEASED = "ceased"
    REINSTATED = "reinstated"


class EvidenceState(StrEnum):
    """Where an encrypted evidence package stands; only a sealed package can be downloaded."""

    UPLOADING = "uploading"  # chunks arriving; invisible to the issuing authority
    UPLOADED = "uploaded"  # assembled and hashed by the broker; waits for the signed manifest
    SEALED = "sealed"  # named in a verified evidence manifest: evidence, downloadable when the order allows
    DELETED = "deleted"  # ciphertext removed (retention ended, deletion duty, or upload abandoned)


class DecryptionOutcome(StrEnum):
    """What the issuing authority reports after fetching a package."""

    VERIFIED = "verified"  # decrypted, and every hash in the manifest matched
    FAILED = "failed"  # the package did not decrypt or a hash did not match


# Regulation (EU) 2021/784 on addressing the dissemination of terrorist content online (TCO). Its removal
# order is not a certificate of Regulation (EU) 2023/1543, so its words are enumerations of their own:
# the certificates, their published schemas and the orders table keep theirs unchanged.


class RemovalMessageType(StrEnum):
    """The messages of a removal order (Art. 3, Annexes I-III); who sends which is broker.lifecycle."""

    REMOVAL_ORDER = "removal-order"  # Annex I: competent authority -> contact point or legal representative
    REMOVAL_CONFIRMATION = "removal-confirmation"  # Annex II, Art. 3(6): removed or disabled, and when
    REMOVAL_IMPOSSIBILITY = "removal-impossibility"  # Annex III, Art. 3(7): force majeure, technical reasons
    IMPOSSIBILITY_CEASED = "impossibility-ceased"  # Art. 3(7): the reasons ceased; the hour starts again
    REMOVAL_CLARIFICATION_REQUEST = "removal-clarification-request"  # Annex III, Art. 3(8)
    REMOVAL_CLARIFICATION = "removal-clarification"  # Art. 3(8): the issuer's answer; the hour starts again
    # Art. 4(4): the provider's (or, through it, the content provider's) reasoned request to the host State
    REMOVAL_SCRUTINY_REQUEST = "removal-scrutiny-request"
    # Art. 4(5): the host State's authority tells the issuer it intends to find an infringement, and why
    REMOVAL_SCRUTINY_INTENTION = "removal-scrutiny-intention"
    # Art. 4(3)-(4), (6): the host State's reasoned decision; an infringement ends the order's legal effects
    REMOVAL_SCRUTINY_DECISION = "removal-scrutiny-decision"
    REMOVAL_REINSTATEMENT = "removal-reinstatement"  # Art. 4(7): the provider reinstated the content
    # Art. 6(2): the competent authority asks the provider to preserve the content for a further period
    REMOVAL_PRESERVATION_EXTENSION = "removal-preservation-extension"
    # Art. 11(1)-(2): the provider made information on the removal available to the content provider
    CONTENT_PROVIDER_INFORMATION = "content-provider-information"
    # Art. 11(3): the issuing authority decides, or renews its decision, that the provider must not disclose
    REMOVAL_WITHHOLDING = "removal-withholding"
    # Art. 10: the provider received the content provider's complaint, and its outcome within two weeks
    REMOVAL_COMPLAINT = "removal-complaint"
    REMOVAL_COMPLAINT_OUTCOME = "removal-complaint-outcome"


class RemovalState(StrEnum):
    """Where a removal order stands; the transitions between them are broker.lifecycle.REMOVAL_RULES."""

    ISSUED = "issued"
    RECEIVED = "received"  # the one-hour clock runs (Art. 3(3))
    REMOVED = "removed"  # removed or access disabled in all Member States (Art. 3(1), (6))
    IMPOSSIBLE = "impossible"  # force majeure or de facto impossibility: the clock waits (Art. 3(7))
    CLARIFICATION_REQUESTED = "clarification_requested"  # manifest errors: the clock waits (Art. 3(8))
    CEASED = "ceased"  # the host State found an infringement: no legal effects, reinstate (Art. 4(6)-(7))
    REINSTATED = "reinstated"  # the provider reinstated the content or access to it (Art. 4(7))


class RemovalAddresseeType(StrEnum):
    """Where a hosting service provider receives removal orders (Art. 3(5), 15, 17)."""

    CONTACT_POINT = "contact_point"  # Art. 15(1)
    LEGAL_REPRESENTATIVE = "legal_representative"  # Art. 17: a provider without EU establishment


class TerroristMaterial(StrEnum):
    """The types of material of Art. 2(7)(a)-(e) a statement of reasons refers to (UNCONFIRMED wording)."""

    INCITEMENT = "incitement"  # (a) incites, e.g. by glorifying terrorist acts
    SOLICITATION_TO_COMMIT = "solicitation_to_commit"  # (b) solicits the commission of an offence
    SOLICITATION_TO_PARTICIPATE = "solicitation_to_participate"  # (c) ... participation in a terrorist group
    INSTRUCTION = "instruction"  # (d) instruction on explosives, firearms, weapons, hazardous substances
    THREAT = "threat"  # (e) a threat to commit a terrorist offence


class RemovalAction(StrEnum):
    """What the provider did with the content (Art. 3(3): remove it or disable access to it)."""

    REMOVED = "removed"
    DISABLED = "disabled"


class RemovalImpediment(StrEnum):
    """Annex III: why the provider cannot comply within the hour (Art. 3(7))."""

    FORCE_MAJEURE = "force_majeure"
    TECHNICAL_OR_OPERATIONAL = "technical_or_operational"  # objectively justifiable reasons


class RemovalOrderDefect(StrEnum):
    """Annex III: why the provider cannot comply without clarification (Art. 3(8))."""

    MANIFEST_ERROR = "manifest_error"
    INSUFFICIENT_INFORMATION = "insufficient_information"


class ScrutinyRequester(StrEnum):
    """Who asks the host State's authority to scrutinise a removal order (Art. 4(4))."""

    HOSTING_SERVICE_PROVIDER = "hosting_service_provider"  # within 48 hours of receiving the order
    CONTENT_PROVIDER = "content_provider"  # within 48 hours of receiving the Art. 11(2) information


class ScrutinyFinding(StrEnum):
    """The host State's reasoned decision (Art. 4(3)-(4)): does the order infringe?"""

    NO_INFRINGEMENT = "no_infringement"
    INFRINGEMENT = "infringement"  # the order ceases to have legal effects (Art. 4(6))


class ScrutinyGround(StrEnum):
    """What a removal order seriously or manifestly infringes (Art. 4(3))."""

    REGULATION = "regulation"  # Regulation (EU) 2021/784 itself
    CHARTER = "charter"  # the fundamental rights and freedoms guaranteed by the Charter


class ReinstatementAction(StrEnum):
    """Art. 4(7): the provider reinstates the content, or access to it."""

    CONTENT_REINSTATED = "content_reinstated"
    ACCESS_RESTORED = "access_restored"


class PreservationRequester(StrEnum):
    """Art. 6(2): who asks the provider to preserve removed content beyond the six months."""

    COMPETENT_AUTHORITY = "competent_authority"
    COURT = "court"


class ContentProviderDisclosure(StrEnum):
    """Art. 11(2): what the provider gave the content provider at its request."""

    REASONS_AND_REDRESS = (
        "reasons_and_redress"  # the reasons for the removal and the possibilities to challenge it
    )
    ORDER_COPY = "order_copy"  # a copy of the removal order


class WithholdingDecision(StrEnum):
    """Art. 11(3): the issuing authority's decision not to disclose, or its renewal while still justified."""

    WITHHOLD = "withhold"
    RENEW = "renew"


class ComplaintOutcome(StrEnum):
    """Art. 10(2): the provider's decision on a content provider's complaint."""

    REINSTATED = "reinstated"  # the removal was not justified: content or access reinstated
    DISMISSED = "dismissed"  # the removal stands: reasons, and the remedies left, given


class OffenceTiming(StrEnum):
    """DSA Art. 18(1): the criminal offence involving a threat to life or safety is suspected to have..."""

    HAS_TAKEN_PLACE = "has_taken_place"
    IS_TAKING_PLACE = "is_taking_place"
    IS_LIKELY = "is_likely"  # ... or is likely to take place

"""The Regulation's words as enumerations, shared by models, wire schemas and the CLI.

Values are the strings that travel on the wire and sit in the database; change them only with a new
schema version and a migration.
"""

from enum import StrEnum


class OrganisationKind(StrEnum):
    """The four kinds of party the broker connects."""

    ISSUING_AUTHORITY = "issuing_authority"
    ENFORCING_AUTHORITY = "enforcing_authority"
    PROVIDER = "provider"
    OVERSIGHT_BODY = "oversight_body"


class AuthorityType(StrEnum):
    """Who an authority is under Art. 4 of Regulation (EU) 2023/1543."""

    JUDGE = "judge"
    COURT = "court"
    INVESTIGATING_JUDGE = "investigating_judge"
    PUBLIC_PROSECUTOR = "public_prosecutor"
    OTHER_COMPETENT_AUTHORITY = "other_competent_authority"


class AddresseeType(StrEnum):
    """Where a provider receives orders (Directive (EU) 2023/1544 Art. 3; Annex I Section B)."""

    DESIGNATED_ESTABLISHMENT = "designated_establishment"
    LEGAL_REPRESENTATIVE = "legal_representative"


class Role(StrEnum):
    """A user's role inside their organisation."""

    ADMIN = "admin"
    CASEWORKER = "caseworker"
    LEGAL_OFFICER = "legal_officer"
    REVIEWER = "reviewer"
    AUDITOR = "auditor"


class OrderType(StrEnum):
    """The two certificates of Art. 9(1): production (Annex I) and preservation (Annex II)."""

    EPOC = "epoc"
    EPOC_PR = "epoc-pr"


class MessageType(StrEnum):
    """Every wire message type the broker accepts."""

    EPOC = "epoc"
    EPOC_PR = "epoc-pr"
    RESPONSE = "response"


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


class OrderState(StrEnum):
    """Foundation lifecycle: draft -> issued -> received -> answered | rejected."""

    DRAFT = "draft"
    ISSUED = "issued"
    RECEIVED = "received"
    ANSWERED = "answered"
    REJECTED = "rejected"

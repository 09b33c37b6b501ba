"""What a rule is, what it finds, what it is given and what it returns.

Rules are data plus a pure check: the engine never reads the clock or the database, so the issuing
date and the addressee's languages arrive in CheckInput, and the legal lists in ReferenceData.
"""

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING
from typing import Any

from broker.vocabulary import Instrument

if TYPE_CHECKING:
    from broker.legal.facts import Facts
    from broker.legal.reference import ReferenceData


class Severity(StrEnum):
    """Whether a finding stops the certificate from leaving."""

    ERROR = "error"  # blocks issuing
    WARNING = "warning"  # allowed; the caseworker should read it first


class Confidence(StrEnum):
    """How far the legal text behind a rule was checked (legal-rules.md tags)."""

    CONFIRMED = "confirmed"  # [V]: read in the cited text
    SECONDARY = "secondary"  # [V2]: read only in commentary, a summary or official guidance
    UNCONFIRMED = "unconfirmed"  # not read: verify before relying on it


class Stage(StrEnum):
    """When the broker enforces a rule."""

    ISSUING = "issuing"  # on the certificate, before it leaves the issuing authority
    LIFECYCLE = "lifecycle"  # later, by the order workflow (timers, state changes)
    RECORD = "record"  # a duty to keep data or records


class Family(StrEnum):
    """The legal text a rule comes from; the docs have one section per family."""

    CHOICE = "instrument-choice"  # which instrument fits the order, whatever it is
    REGULATION = "reg-2023-1543"
    BUDAPEST = "cets-185"
    PROTOCOL = "cets-224"
    TCO = "reg-2021-784"  # Regulation (EU) 2021/784: removal orders of terrorist content
    UK_US = "uk-copo-2019"  # UK overseas production orders under the UK-US Data Access Agreement
    DSA = "reg-2022-2065"  # Regulation (EU) 2022/2065 (Digital Services Act), Art. 18 notifications


@dataclass(frozen=True)
class Issue:
    """What a check found wrong with one order; the engine adds the rule's id, citation and severity."""

    message: str
    fields: tuple[str, ...] = ()
    missing_data: bool = False  # the rule cannot be evaluated until these fields are given


Check = Callable[["Facts", "ReferenceData"], Iterable[Issue]]


@dataclass(frozen=True)
class Rule:
    """One legal rule: where it comes from, how sure we are of it, and how the broker enforces it."""

    id: str
    instrument: Family
    citation: str
    severity: Severity
    explanation: str
    confidence: Confidence
    source: str
    stage: Stage
    applies_to: frozenset[Instrument]
    check: Check | None = None
    enforced_by: str | None = None  # where the broker enforces a rule that has no check here
    # The law asks for something "where necessary", which only a person can judge: a finding of this
    # rule may be overruled with a reason (CheckInput.overrides), and then never blocks.
    overridable: bool = False

    def __post_init__(self) -> None:
        if self.check is None and not self.enforced_by:
            raise ValueError(f"{self.id}: a rule without a check must say where it is enforced")
        if self.stage is not Stage.ISSUING and self.check is not None:
            raise ValueError(f"{self.id}: only issuing-stage rules run on the certificate")


@dataclass(frozen=True)
class Finding:
    """A rule that an order breaks, with what to change, in a caseworker's words."""

    rule_id: str
    instrument: Family
    citation: str
    severity: Severity
    message: str
    fields: tuple[str, ...]  # dotted paths into the certificate, e.g. "offence.maximum_penalty_months"
    confidence: Confidence
    missing_data: bool = False
    overridable: bool = False  # a person may overrule it with a reason (Rule.overridable)
    overridden: str | None = None  # the reason it was overruled with; an overruled finding never blocks

    @property
    def blocks(self) -> bool:
        """An error blocks issuing unless a person overruled it with a reason."""
        return self.severity is Severity.ERROR and self.overridden is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, for the API and the audit log.

        `overridden` appears only on a finding a person overruled, so the published forms of a finding
        (the API's, the legal-check-failed problem's) stay as they are until overrides reach the API.
        """
        found: dict[str, Any] = {
            "rule_id": self.rule_id,
            "instrument": self.instrument.value,
            "citation": self.citation,
            "severity": self.severity.value,
            "message": self.message,
            "fields": list(self.fields),
            "confidence": self.confidence.value,
            "missing_data": self.missing_data,
        }
        if self.overridden is not None:
            found["overridden"] = self.overridden
        return found


@dataclass(frozen=True)
class CheckInput:
    """Everything the engine may know about one order; the caller injects date and registry facts."""

    order_type: str  # "epoc" | "epoc-pr"
    certificate: Mapping[str, Any]  # the wire body as stored (see broker.orders.operations.create_draft)
    addressee_languages: tuple[str, ...]  # ISO 639-1 codes the addressee accepts, from the registry
    issuing_date: date
    # rule id -> the reason a person gives for overruling that rule's findings; only rules marked
    # overridable can be overruled, and a blank reason overrules nothing.
    overrides: Mapping[str, str] = field(default_factory=dict)
    # The States where the registry has the provider's designated establishment or legal representative,
    # so an Art. 7(2) ground can be held to it; None when the caller does not know (the ground is then
    # taken as stated).
    designated_states: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Report:
    """The findings for one order and the facts other parts of the broker act on.

    derived holds:
    - notification_required: bool, or None when the engine lacks the facts to decide (Art. 8 for the
      Regulation; a Party's Art. 7(5)(a) declaration for CETS 224 Art. 7);
    - notify_state: the State to notify when notification_required, else None;
    - deadline: the production or preservation clock the workflow starts on receipt: "emergency_8h",
      "10_days", "preservation_60_days" (Regulation), "preservation_at_least_60_days" (Budapest
      Art. 29), "art7_30_days", "art8_20_days", "art8_45_days", "art9_emergency" (CETS 224);
    - ex_post_validation_required: True when the order leaves without prior validation under
      Art. 4(5), so validation must follow within 48 hours.
    """

    findings: tuple[Finding, ...]
    derived: Mapping[str, Any]

    @property
    def blocking(self) -> bool:
        """Any error blocks issuing unless overruled; warnings never do."""
        return any(finding.blocks for finding in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, for the API and the audit log."""
        return {
            "blocking": self.blocking,
            "findings": [finding.to_dict() for finding in self.findings],
            "derived": dict(self.derived),
        }

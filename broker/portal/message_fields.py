"""The parts a lifecycle message's form is made of: the kinds of question, a field, a condition, a form.

A `Field` is one member of the wire body (named as in schemas/<type>.v1.json); `missing` is the
error when a needed answer is empty (None: optional); `only_if` leaves the member out unless an
earlier answer calls for it (a ground only for a refusal); `needed_if` makes an optional member
needed then. broker/portal/message_specs.py builds every message's form from them, and
broker/portal/message_forms.py reads the answers into the body.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from broker.vocabulary import MessageType


class Kind(StrEnum):
    """How a question is asked and its answer read."""

    TEXT = "text"  # one line
    PARAGRAPH = "paragraph"  # a text area
    CHOICE = "choice"  # radios, one value of a vocabulary enum
    YES_NO = "yes_no"  # radios, a JSON boolean
    DATE = "date"  # YYYY-MM-DD
    INSTANT = "instant"  # an RFC 3339 time with its offset
    LINES = "lines"  # a list, one item a line
    COUNTRY = "country"  # ISO 3166-1 alpha-2
    LANGUAGE = "language"  # ISO 639-1
    AUTHORITY = "authority"  # a registered issuing authority, sent as the wire's Authority object
    MESSAGE = "message"  # one of the order's messages, by id
    LOCATIONS = "locations"  # a removal order's content: a URL a line, then what else identifies it
    FIXED = "fixed"  # not asked: the wire allows one value


@dataclass(frozen=True)
class Condition:
    """An earlier answer (`member`) is one of `values`."""

    member: str
    values: frozenset[str]

    def holds(self, body: Mapping[str, Any]) -> bool:
        return body.get(self.member) in self.values


@dataclass(frozen=True)
class Field:
    """One member of a message's body as a question on its form."""

    name: str
    kind: Kind
    label: str = ""
    missing: str | None = None
    hint: str | None = None
    limit: int = 0  # characters: of the answer, or of each line
    choices: type[StrEnum] | None = None
    only_if: Condition | None = None
    needed_if: Condition | None = None
    pattern: str | None = None  # each line of a list must match it
    pattern_message: str | None = None
    fixed: str | None = None
    now_by_default: bool = False
    summary: str | None = None  # the words of a FIXED member on the check page

    @property
    def asked(self) -> bool:
        return self.kind is not Kind.FIXED


@dataclass(frozen=True)
class Spec:
    """One message a person can send from the order page: its address, title, what it does, its fields."""

    slug: str
    message_type: MessageType
    title: str
    intro: str
    sent: str
    fields: tuple[Field, ...]


def when(member: str, *values: StrEnum) -> Condition:
    """The condition that the answer `member` is one of `values`."""
    return Condition(member, frozenset(value.value for value in values))


def reason(label: str, missing: str | None, limit: int = 4000) -> Field:
    """The `reason` member most messages of the issuing authority carry."""
    return Field("reason", Kind.PARAGRAPH, label, missing, limit=limit)


def explanation(label: str, missing: str | None = None, **kwargs: Any) -> Field:
    """The `explanation` member, a text of up to 8,000 characters unless told."""
    return Field("explanation", Kind.PARAGRAPH, label, missing, limit=kwargs.pop("limit", 8000), **kwargs)


def choice(name: str, choices: type[StrEnum], label: str, missing: str, **kwargs: Any) -> Field:
    """A member whose value is one of a vocabulary enum's, asked as radios."""
    return Field(name, Kind.CHOICE, label, missing, choices=choices, **kwargs)

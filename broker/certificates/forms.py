"""Form templates: the sections, numbered fields and tick boxes of each official form, as data.

A form is a list of sections; a section a list of fields; a field a catalogue label and a function
that reads its value from the signed message (and, for the follow-up forms, from the order's
certificate). Rendering (broker.certificates.render) lays any form out the same way, so a form is
added or corrected here, in one place, and the PDF follows. Labels are catalogue keys, never text:
the words come from broker/certificates/catalogues/<language>.json.

Values are typed so that the reader can tell them apart: `Text` the broker reads from a structured
member (a name, a date, a code), `Text(free=True)` what a person wrote and the form shows as written,
`Ticks` the form's tick boxes, `Table` repeated items. Field numbers (A.1, A.2, …) follow from the
position of the field in its section, so the catalogue never carries a number.
"""

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Text:
    """One value; `free` marks text a person wrote (shown as written), `code` a hash or id (wraps anywhere)."""

    text: str
    free: bool = False
    code: bool = False
    # A catalogue key that names the value (an enumerated code in a table), shown instead of `text`.
    key: str | None = None


@dataclass(frozen=True)
class Ticks:
    """The form's tick boxes: each option's catalogue label and whether it is ticked."""

    options: tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class Table:
    """Repeated items (targets, IP addresses, files): column labels and one row of cells per item."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Text, ...], ...]


Value = Text | Ticks | Table
EMPTY = Text("—")


@dataclass(frozen=True)
class Source:
    """What a form is filled from: the signed message's envelope and, for follow-ups, the certificate's."""

    envelope: Mapping[str, Any]
    certificate: Mapping[str, Any] | None = None
    order_reference: str = ""

    @property
    def body(self) -> Mapping[str, Any]:
        body: Mapping[str, Any] = self.envelope.get("body") or {}
        return body

    @property
    def certificate_body(self) -> Mapping[str, Any]:
        """The certificate's body: the message's own for a certificate, else the order's, else nothing."""
        if self.envelope.get("type") in CERTIFICATE_TYPES:
            return self.body
        if self.certificate is None:
            return {}
        body: Mapping[str, Any] = self.certificate.get("body") or {}
        return body


CERTIFICATE_TYPES = frozenset({"epoc", "epoc-pr"})


@dataclass(frozen=True)
class Field:
    """One numbered field: its catalogue label and how to read its value."""

    label: str
    value: Callable[[Source], Value]


@dataclass(frozen=True)
class Section:
    """A lettered section of a form, titled from the catalogue (`section.<form>.<letter>`)."""

    letter: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Form:
    """A whole form. `annex` names the Regulation's annex it follows, or None for the broker's own forms."""

    key: str
    annex: str | None
    sections: tuple[Section, ...]

    def numbered(self) -> list[tuple[Section, list[tuple[str, Field]]]]:
        """Every section with its fields numbered A.1, A.2, …"""
        return [
            (section, [(f"{section.letter}.{n}", each) for n, each in enumerate(section.fields, 1)])
            for section in self.sections
        ]


# Reading values out of a body.


def at(document: Mapping[str, Any] | None, path: str) -> Any:
    """The member at a dotted path, or None where any step is missing."""
    value: Any = document
    for step in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


def shown(value: Any) -> str:
    """A structured value as text: booleans and null are shown by the caller, lists joined."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "; ".join(shown(each) for each in value) if value else "—"
    return str(value)


def text(path: str, *, of: str = "body", code: bool = False) -> Callable[[Source], Value]:
    """A structured member of the message body (`of="body"`) or of the certificate (`of="certificate"`)."""

    def read(source: Source) -> Value:
        return Text(shown(at(_document(source, of), path)), code=code)

    return read


def free(path: str, *, of: str = "body") -> Callable[[Source], Value]:
    """A member a person wrote: shown exactly as written, and marked so."""

    def read(source: Source) -> Value:
        value = at(_document(source, of), path)
        if value is None or value == "":
            return EMPTY
        return Text(shown(value), free=True)

    return read


def envelope(path: str, *, of: str = "message", code: bool = False) -> Callable[[Source], Value]:
    """A member of the envelope of the message or of the certificate (`issued_at`, `id`, …)."""

    def read(source: Source) -> Value:
        document = source.envelope if of == "message" else source.certificate or {}
        if of == "certificate" and source.envelope.get("type") in CERTIFICATE_TYPES:
            document = source.envelope
        return Text(shown(at(document, path)), code=code)

    return read


def ticks(
    path: str, options: Sequence[str], vocabulary: str, *, of: str = "body"
) -> Callable[[Source], Value]:
    """Tick boxes for an enumerated member (or a list of them): one box per value, ticked where chosen."""

    def read(source: Source) -> Value:
        chosen = at(_document(source, of), path)
        values = set(chosen) if isinstance(chosen, list) else {chosen}
        return Ticks(tuple((f"value.{vocabulary}.{option}", option in values) for option in options))

    return read


def yes_no(path: str, *, of: str = "body") -> Callable[[Source], Value]:
    """A boolean member as two boxes, yes and no; neither is ticked when the member is absent."""

    def read(source: Source) -> Value:
        value = at(_document(source, of), path)
        return Ticks((("value.bool.yes", value is True), ("value.bool.no", value is False)))

    return read


def table(
    path: str,
    columns: Mapping[str, str],
    *,
    of: str = "body",
    code: Sequence[str] = (),
    vocabulary: Mapping[str, str] | None = None,
) -> Callable[[Source], Value]:
    """A list of objects as a table; `columns` maps each member path to its column label.

    `code` names the members that are hashes or ids, `vocabulary` the enumerated ones and their
    vocabulary (their values are shown by their catalogue label).
    """
    vocabularies = vocabulary or {}

    def cell(item: Any, member: str) -> Text:
        raw = shown(at(item, member))
        key = f"value.{vocabularies[member]}.{raw}" if member in vocabularies else None
        return Text(raw, code=member in code, key=key)

    def read(source: Source) -> Value:
        items = at(_document(source, of), path)
        if not isinstance(items, list) or not items:
            return EMPTY
        return Table(tuple(columns.values()), tuple(tuple(cell(item, m) for m in columns) for item in items))

    return read


def listing(path: str, *, of: str = "body", free_text: bool = False) -> Callable[[Source], Value]:
    """A list of strings, one per line."""

    def read(source: Source) -> Value:
        items = at(_document(source, of), path)
        if not isinstance(items, list) or not items:
            return EMPTY
        return Text("\n".join(str(each) for each in items), free=free_text)

    return read


def _document(source: Source, of: str) -> Mapping[str, Any]:
    return source.certificate_body if of == "certificate" else source.body

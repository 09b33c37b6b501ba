"""One pass over the log from its first entry: every leaf hashed as stored, its position members checked.

What a pass checks of entry i, and why no more:

- its leaf bytes, hashed as stored (RFC 9162 leaf hash), fold into the tree head, which must equal
  the signed root: that binds every byte of every leaf, so re-canonicalising the JSON adds nothing
  to integrity, and hashing costs a few percent of parsing and re-canonicalising;
- the hash recorded for it when it was logged equals the recomputed one (so an edit is named);
- the entry is at position i and its leaf names `index` i (so a move is named, not just detected);
- its `previous` is the index of the latest entry before it about the same `object` (null for the
  first): the chain that makes a case file's gaps visible holds over the whole log.

The root is kept as a compact range (O(log n) hashes); the chain needs the newest index per object.

Reading `index`, `object` and `previous` must not cost a JSON parse per entry. RFC 8785 sorts
members, so they sit at the end of the leaf in a fixed layout (`_TAIL`), which one anchored regular
expression reads (its strings are any run of characters but `"`, and the tail is checked apart to
hold no backslash: two C-speed scans rather than one slower character class). That reading is
exact for any JSON text: the tail holds no backslash, so each of its quotes opens or closes a string; the comma before `"index"` cannot be inside a string (the
next quote would close it and leave `index` bare, which is not JSON); so the tail's strings are the
pattern's, its only brackets are `object`'s and the document's closing one, and the members it
reads are top-level ones, the last of their names, which is what a JSON parser keeps.
tests/audit/test_verify_scan.py checks this against `json.loads` on generated and mutated texts.
A leaf whose tail does not have that layout (or that fails any cheap check) takes the slow path,
`check_entry`: a full parse that must give canonical JSON, and the precise error.
"""

import base64
import binascii
import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from broker import crypto
from broker import translog
from broker.audit.verify_sources import AuditVerificationError
from broker.audit.verify_sources import LogSource

_STRING = r'"[^"]*"'  # with no backslash in the tail (checked apart, faster), a string with no escapes
_NUMBER = r"(?:0|[1-9][0-9]{0,15})"  # a canonical non-negative integer below 10**16 (> 2**53)
_TAIL = re.compile(
    rf',"index":({_NUMBER})'
    rf'(?:,"message_sha256":{_STRING})?'
    rf',"object":(\{{"id":{_STRING},"type":{_STRING}\}})'
    rf',"previous":(null|{_NUMBER})'
    rf',"time":{_STRING}\}}\Z'
)
_NULL = "null"
_B64 = functools.partial(binascii.b2a_base64, newline=False)
_B64_LENGTH = 44  # standard base64 of a SHA-256 hash
# The en dash of a range of entries, spelt as an escape so that no reader takes it for a hyphen.
DASH = "\u2013"


def read_tail(leaf: str) -> tuple[str, str, str] | None:
    """(index, object, previous) as JSON texts, read from the canonical tail of a leaf; None without one.

    The object comes back as its canonical JSON (`{"id":…,"type":…}`), which `object_key` also gives.
    """
    at = leaf.rfind(',"index":')
    found = _TAIL.match(leaf, at)  # a negative position matches from 0, where `{` fails the pattern
    if found is None or leaf.find("\\", at) >= 0:
        return None
    return found[1], found[2], found[3]


def object_key(kind: str, ident: str) -> str:
    """The canonical JSON of an entry's `object` member, the key under which a pass chains its entries."""
    return crypto.canonicalize({"id": ident, "type": kind}).decode("utf-8")


def parse_leaf(leaf: Any, what: str) -> tuple[dict[str, Any], bytes]:
    """The leaf as a JSON object and its bytes, once it is text in RFC 8785 canonical form."""
    if not isinstance(leaf, str):
        raise AuditVerificationError(f"{what} has no leaf text")
    try:
        data = leaf.encode("utf-8")
        document = json.loads(data)
        canonical = crypto.canonicalize(document)
    except (ValueError, crypto.CanonicalizationError) as error:
        raise AuditVerificationError(f"{what} is not JSON: {error}") from error
    if canonical != data:
        raise AuditVerificationError(f"{what} is not in canonical form: it was edited")
    if not isinstance(document, dict):
        raise AuditVerificationError(f"{what} is not a JSON object")
    return document, data


def is_index(value: Any) -> bool:
    """An entry index: an int and not a bool (JSON `true` loads as a Python value equal to 1)."""
    return type(value) is int and value >= 0


def subject_of(document: dict[str, Any], what: str) -> str:
    """The object key of a parsed leaf."""
    subject = document.get("object")
    if (
        not isinstance(subject, dict)
        or not isinstance(subject.get("type"), str)
        or not isinstance(subject.get("id"), str)
    ):
        raise AuditVerificationError(f"{what} names no object (a type and an id)")
    return object_key(subject["type"], subject["id"])


def check_recorded(entry: dict[str, Any], what: str, leaf_hash: bytes) -> None:
    """The hash the source recorded for the entry, if it gives one, is the recomputed `leaf_hash`."""
    recorded = entry.get("leaf_hash")
    if recorded is None:
        return
    try:
        recorded_hash = base64.b64decode(recorded, validate=True)
    except (TypeError, ValueError) as error:
        raise AuditVerificationError(f"{what} has a leaf hash that is not base64: {error}") from error
    if recorded_hash != leaf_hash:
        raise AuditVerificationError(f"{what} does not match the hash recorded when it was logged")


def _recorded_as_computed(entries: Sequence[dict[str, Any]], hashes: list[bytes]) -> bool:
    """Whether every entry records its leaf hash exactly as the broker spells it (44 base64 characters).

    One comparison of two joined strings instead of one per entry: with each recorded hash 44
    characters long, like each computed one, the joins are equal only if every pair is.
    """
    try:
        recorded = [entry["leaf_hash"] for entry in entries]
        if set(map(len, recorded)) != {_B64_LENGTH}:
            return False
        return "".join(recorded) == b"".join(map(_B64, hashes)).decode()
    except (KeyError, TypeError):
        return False


class LogScan:
    """The state of a pass: the tree so far, the newest entry about each object, the watched object's entries.

    Feed it the entries in log order, page by page; any entry that does not verify raises
    AuditVerificationError naming it. `watch` (an object key) collects the indexes of the entries
    about one object, which is how a case file is checked for completeness.
    """

    def __init__(self, watch: str | None = None) -> None:
        self.tree = translog.CompactRange()
        self.latest: dict[str, str] = {}  # object key -> index (as text) of the newest entry about it
        self.chained = False  # some leaf so far carried `previous` (leaves before migration 0008 do not)
        self.watch = watch
        self.watched: list[int] = []

    @property
    def size(self) -> int:
        """How many entries have been verified."""
        return self.tree.size

    def root(self) -> bytes:
        """The tree head of the entries verified so far."""
        return self.tree.root()

    def copy(self) -> "LogScan":
        """An independent scan that carries on from this one (for the tail of a grown log)."""
        other = LogScan(self.watch)
        other.tree, other.latest, other.chained = self.tree.copy(), dict(self.latest), self.chained
        other.watched = list(self.watched)
        return other

    def feed(self, entries: Sequence[Any]) -> None:
        """Verify the next entries, at positions size, size + 1, …"""
        done = 0
        while done < len(entries):
            done = self._fast(entries, done)
            if done < len(entries):
                self.check_entry(entries[done])
                done += 1

    def _fast(self, entries: Sequence[Any], start: int) -> int:
        """Take entries from `start` while the cheap checks pass; the position of the first that did not.

        The checks of the module docstring, in three loops over the batch (positions and chain, then
        hashing, then recorded hashes) so that each stays short; an entry that fails a check is left
        to `check_entry`, which repeats them all and names what is wrong.
        """
        latest, position, batch = self.latest, self.tree.size, []
        match, null, watch, watched = _TAIL.match, _NULL, self.watch, self.watched
        try:
            for entry in entries[start:]:
                leaf, index = entry["leaf"], entry["index"]
                if index != position or type(index) is not int:
                    break
                at = leaf.rfind(',"index":')
                found = match(leaf, at)  # a negative position matches from 0, where `{` fails the pattern
                if found is None or leaf.find("\\", at) >= 0:
                    break
                text, key, previous = found.groups()
                if text != str(position) or previous != latest.get(key, null):
                    break
                data = leaf.encode()
                latest[key] = text
                if key == watch:
                    watched.append(position)
                batch.append(data)
                position += 1
        except (KeyError, TypeError, AttributeError, UnicodeEncodeError):
            pass  # not a well-formed entry: the slow path says what is wrong with it
        if not batch:
            return start
        self.chained = True
        first = self.tree.size
        hashes = self.tree.extend_leaves(batch)
        taken = entries[start : start + len(batch)]
        if not _recorded_as_computed(taken, hashes):
            for offset, (entry, leaf_hash) in enumerate(zip(taken, hashes, strict=True)):
                what = f"entry {first + offset}"
                try:
                    check_recorded(entry, what, leaf_hash)
                except AuditVerificationError:
                    # The slow path would have found the leaf not JSON or not canonical first, if it is.
                    parse_leaf(entry["leaf"], what)
                    raise
        return start + len(batch)

    def check_entry(self, entry: Any) -> None:
        """Verify the next entry by parsing it in full, and say precisely what is wrong if anything is."""
        position = self.tree.size
        what = f"entry {position}"
        if not isinstance(entry, dict):
            raise AuditVerificationError(f"{what} is not an object")
        document, data = parse_leaf(entry.get("leaf"), what)
        claimed = document.get("index")
        if not is_index(claimed) or claimed != position:
            raise AuditVerificationError(
                f"entry at position {position} says it is entry {claimed}: entries were reordered, "
                "inserted or removed"
            )
        if not is_index(entry.get("index")) or entry["index"] != position:
            raise AuditVerificationError(
                f"entry at position {position} is listed as entry {entry.get('index')}: entries were "
                "reordered, inserted or removed"
            )
        key = subject_of(document, what)
        expected = self.latest.get(key)
        if "previous" in document:
            previous = document["previous"]
            if not (previous is None or is_index(previous)) or previous != (
                None if expected is None else int(expected)
            ):
                raise AuditVerificationError(
                    f"{what} says the previous entry about {describe_key(key)} is {_shown(previous)}, but "
                    f"it is {_shown(expected)}: an entry about it was removed, moved or edited"
                )
            self.chained = True
        elif self.chained:
            raise AuditVerificationError(f"{what} carries no `previous`, though entries before it do")
        leaf_hash = translog.leaf_hash(data)
        check_recorded(entry, what, leaf_hash)
        self.tree.append(leaf_hash)
        self.latest[key] = str(position)
        if key == self.watch:
            self.watched.append(position)


def read(source: LogSource, scan: LogScan, until: int, page: int) -> None:
    """Feed `scan` the source's entries from where it stands up to `until`, `page` at a time."""
    while scan.size < until:
        wanted = min(page, until - scan.size)
        entries = source.entries(scan.size, wanted)[:wanted]
        if not entries:
            raise AuditVerificationError(
                f"the checkpoint covers {until} entries but the log holds {scan.size}: entries were deleted"
            )
        scan.feed(entries)


def describe_key(key: str) -> str:
    """An object key as a person reads it: `order 1b4e…`."""
    subject = json.loads(key)
    return f"{subject['type']} {subject['id']}"


def _shown(index: Any) -> str:
    return "none (it is the first)" if index is None else str(index)


@dataclass(frozen=True)
class Verified:
    """A checkpoint whose signature verified, and what was checked against it.

    `checked` names what was proved in a few words; `statement` is the whole sentence a person
    needs: against which checkpoint, and what the source holds that was not proved.
    """

    checkpoint: translog.Checkpoint
    note: bytes
    checked: str
    statement: str = ""
    signed_at: str | None = None
    # Entries the source holds past the checkpoint, which it did not prove.
    beyond: int = 0
    # The pass's state at the checkpoint, to carry on from when the log has grown (`verify_tail`).
    scan: LogScan | None = field(default=None, compare=False, repr=False)

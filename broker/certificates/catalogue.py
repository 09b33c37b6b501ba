"""Translation catalogues: every word a form prints, one JSON file per language, completed by translators.

`catalogues/<language>.json` holds `labels` (key → text), a `comment` saying where the wording comes
from, `confirmed` (the keys checked against the Official Journal; every other label is UNCONFIRMED)
and `notes` per key. English is the reference: every key exists there, and a form in a language
whose catalogue lacks a key shows the English label marked `[en]`, so a reader sees at once that it
was not translated rather than reading English for their own language unawares. A new language is a
new file: copy en.json, translate the labels, and the tests list what is still missing.
"""

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

REFERENCE = "en"
FALLBACK_MARK = " [en]"
# The 24 official languages of the Union (ISO 639-1): the languages a certificate may have to be in (Art. 10).
OFFICIAL_LANGUAGES = (
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr",
    "hu", "it", "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv",
)  # fmt: skip


class UnknownLanguage(ValueError):
    """A language that is not an official language of the Union."""


@dataclass(frozen=True)
class Catalogue:
    """The labels of one language, falling back to English (marked) for a key it lacks."""

    language: str
    labels: dict[str, str]
    reference: dict[str, str]

    def label(self, key: str, **values: Any) -> str:
        """The text for `key` in this language, with `{name}` filled from `values`.

        A key missing here but present in English is shown in English with the `[en]` mark; a key
        missing in English too is a bug in a form template and raises KeyError.
        """
        if key in self.labels:
            return self.labels[key].format(**values)
        return self.reference[key].format(**values) + FALLBACK_MARK

    def translated(self, key: str) -> bool:
        """Whether this language has its own text for `key`."""
        return key in self.labels

    def label_or(self, key: str, default: str) -> str:
        """The label for `key` if English has one, else `default` (for body members no form names)."""
        return self.label(key) if key in self.reference else default

    @property
    def complete(self) -> bool:
        """Whether every English key has a text of its own here."""
        return set(self.reference) <= set(self.labels)


@functools.cache
def _document(language: str) -> dict[str, Any]:
    try:
        raw = (
            resources.files("broker.certificates").joinpath(f"catalogues/{language}.json").read_text("utf-8")
        )
    except FileNotFoundError:
        return {"language": language, "labels": {}}
    document: dict[str, Any] = json.loads(raw)
    return document


def available() -> list[str]:
    """The languages that have a catalogue file, complete or not."""
    folder = resources.files("broker.certificates").joinpath("catalogues")
    return sorted(
        entry.name.removesuffix(".json") for entry in folder.iterdir() if entry.name.endswith(".json")
    )


def catalogue(language: str) -> Catalogue:
    """The catalogue of an official language; one without a file shows every label in English, marked."""
    if language not in OFFICIAL_LANGUAGES:
        raise UnknownLanguage(
            f"{language!r} is not an official language of the Union; give one of {', '.join(OFFICIAL_LANGUAGES)}"
        )
    reference = dict(_document(REFERENCE)["labels"])
    return Catalogue(language, dict(_document(language)["labels"]), reference)


def choose_language(accepted: Sequence[str], certificate_language: str | None = None) -> str:
    """The form's language when the reader asks for none: one the addressee accepts, fully translated.

    The directory lists the languages each addressee accepts (Art. 10 and its declaration), and the
    issuing authority writes the certificate in one of them (EE-26), so that language comes first:
    the form's words then match its free text. Otherwise the first accepted language with a complete
    catalogue, otherwise English (a half-translated form is for readers who ask for it).
    """
    preferred = [certificate_language] if certificate_language in accepted else []
    for language in [*preferred, *accepted]:
        if language in OFFICIAL_LANGUAGES and catalogue(language).complete:
            return language
    return REFERENCE

"""Keep the catalogues in step with the code: extract the messages, update every .po, compile the .mo.

    python -m broker.portal.catalogues update     # after changing a message in a template or in code
    python -m broker.portal.catalogues compile    # after translating: writes every messages.mo
    python -m broker.portal.catalogues check      # what the tests check: complete, compiled, current

Messages are found where the portal shows them: `_()`, `gettext()`, `ngettext()` and `N_()` in
broker/portal/**.py and in broker/portal/templates/**.html (Babel's extractor for Python, Jinja's
for templates). `update` adds new messages to every catalogue untranslated and marks the ones that
are gone obsolete, keeping every existing translation; a translator then fills in `msgstr`.
A new language is `python -m broker.portal.catalogues init <code>` (docs/portal.md).
"""

import io
import sys
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.messages.pofile import write_po

from broker.portal.i18n import DEFAULT
from broker.portal.i18n import DOMAIN
from broker.portal.i18n import SOURCES
from broker.portal.i18n import TRANSLATIONS

METHODS = [
    ("**/translations/**", "ignore"),
    ("**/static/**", "ignore"),
    ("**/templates/**.html", "jinja2.ext:babel_extract"),
    ("**.py", "python"),
]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}
# Written into every catalogue's header; no date, so that regenerating an unchanged catalogue changes nothing.
PROJECT = "eevidence-broker portal"


def extracted() -> Catalog:
    """Every message of the portal's code and templates, with where it is used."""
    catalog = Catalog(project=PROJECT, domain=DOMAIN, charset="utf-8")
    for filename, line, message, comments, context in extract_from_dir(
        str(SOURCES), METHODS, OPTIONS, strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, line)], auto_comments=comments, context=context)
    return catalog


def po_path(code: str) -> Path:
    return TRANSLATIONS / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(code: str) -> Catalog:
    with po_path(code).open("rb") as file:
        return read_po(file, locale=code, domain=DOMAIN)


def compiled(code: str) -> Catalog:
    """The committed .mo of `code`, read back."""
    with po_path(code).with_suffix(".mo").open("rb") as file:
        return read_mo(file)


def codes() -> list[str]:
    """Every language that has a .po (compiled or not yet)."""
    return sorted(path.parents[1].name for path in TRANSLATIONS.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def init(code: str) -> Path:
    """Start the catalogue of a new language, every message untranslated."""
    path = po_path(code)
    if path.exists():
        raise SystemExit(f"{path} exists already: run `update`")
    path.parent.mkdir(parents=True, exist_ok=True)
    catalog = extracted()
    catalog.locale = code
    _write_po(path, catalog)
    return path


def update() -> None:
    """Merge the messages the code uses now into every catalogue, keeping the translations."""
    template = extracted()
    for code in codes():
        catalog = read(code)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()  # a message no page shows is dropped, not kept as a comment
        _write_po(po_path(code), catalog)


def compile_all() -> None:
    """Write every messages.mo from its messages.po (fuzzy translations left out, as gettext does)."""
    for code in codes():
        buffer = io.BytesIO()
        write_mo(buffer, read(code))
        po_path(code).with_suffix(".mo").write_bytes(buffer.getvalue())


def problems() -> Iterator[str]:
    """What is wrong with the catalogues: a message missing, untranslated, fuzzy, stale, or not compiled."""
    wanted = {message.id for message in extracted() if message.id}
    for code in codes():
        catalog = read(code)
        present = {message.id for message in catalog if message.id}
        for missing in sorted(map(str, wanted - present)):
            yield f"{code}: {missing!r} is used but not in the catalogue (run `update`)"
        for stale in sorted(map(str, present - wanted)):
            yield f"{code}: {stale!r} is in the catalogue but no longer used (run `update`)"
        if code != DEFAULT:
            for message in catalog:
                if message.id and (message.fuzzy or not _translated(message.string)):
                    yield f"{code}: {message.id!r} has no translation"
        if _translations(catalog) != _translations(compiled(code)):
            yield f"{code}: messages.mo is not compiled from messages.po (run `compile`)"


def _translated(string: object) -> bool:
    """Whether a translation is there: every plural form of it, for a plural message."""
    if isinstance(string, tuple | list):
        return all(string)
    return bool(string)


def _frozen(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


def _translations(catalog: Catalog) -> dict[object, object]:
    """id -> translation of every translated, non-fuzzy message that changes something (what a .mo does).

    Babel writes an untranslated plural message into the .mo as its own translation; that, like
    any translation equal to its id, changes nothing and is left out on both sides.
    """
    return {
        _frozen(message.id): _frozen(message.string)
        for message in catalog
        if message.id
        and _translated(message.string)
        and not message.fuzzy
        and _frozen(message.string) != _frozen(message.id)
    }


def _write_po(path: Path, catalog: Catalog) -> None:
    catalog.project = PROJECT
    catalog.version = "1"
    catalog.copyright_holder = "the eevidence-broker authors"
    catalog.msgid_bugs_address = "the project's issue tracker"
    catalog.last_translator = "eevidence-broker portal"
    catalog.language_team = f"{catalog.locale} (eevidence-broker portal)"
    catalog.fuzzy = False
    catalog.revision_date = datetime(2026, 1, 1, tzinfo=UTC)
    catalog.creation_date = datetime(2026, 1, 1, tzinfo=UTC)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, sort_output=True, include_lineno=False)
    path.write_bytes(buffer.getvalue())


def main(arguments: list[str]) -> int:
    command = arguments[0] if arguments else "check"
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "init" and len(arguments) == 2:
        print(init(arguments[1]))
    elif command == "check":
        found = list(problems())
        print("\n".join(found) or "the catalogues are complete and compiled")
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

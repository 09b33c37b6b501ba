"""Every word the portal shows comes from a catalogue: one per language, so a language is a file.

The catalogues are GNU gettext files under broker/portal/translations/<code>/LC_MESSAGES/:
`messages.po` (the text translators edit) and `messages.mo` (its compiled form, committed, so
that running the broker needs no build step). A language is offered as soon as its compiled
catalogue is there: adding one of the EU's official languages is adding a catalogue
(docs/portal.md, "Adding a language"; tests/portal/test_portal_catalogues.py checks every
catalogue is complete and compiled from its .po).

Babel reads the catalogues and formats dates and numbers for the language; Jinja's i18n extension
gives templates `_()`/`gettext()` and `ngettext()`, newstyle (placeholders as keyword arguments,
escaped by autoescaping). Python code marks a message for extraction with `N_()` where it is
defined and translates it with `gettext()` where it is shown.

The language is, in order: the one the signed-in person chose (stored on their account), the one
chosen with the language switcher before signing in (a cookie), the browser's Accept-Language,
English.
"""

import functools
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

from babel import Locale
from babel import dates
from babel import numbers
from babel import units
from babel.lists import format_list
from babel.support import NullTranslations
from babel.support import Translations
from flask import Flask
from flask import g
from flask import has_request_context
from flask import request

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"
DEFAULT = "en"
# The cookie that keeps an anonymous visitor's choice (the language switcher before signing in).
COOKIE = "broker_language"
# Where messages are taken from, for extraction (`python -m broker.portal.catalogues`).
SOURCES = Path(__file__).resolve().parent


def N_(message: str) -> str:
    """Mark `message` for the catalogues without translating it (module-level constants)."""
    return message


@functools.cache
def languages() -> tuple[str, ...]:
    """The codes of every language with a compiled catalogue, English first."""
    found = sorted(path.parents[1].name for path in TRANSLATIONS.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return tuple(sorted(found, key=lambda code: (code != DEFAULT, code)))


def language_name(code: str) -> str:
    """The language's name in itself ("Français"), as a switcher shows it."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


@functools.cache
def catalogue(code: str) -> NullTranslations:
    """The compiled catalogue of `code` (nothing to translate for a missing one)."""
    return Translations.load(str(TRANSLATIONS), [code], domain=DOMAIN)


def current() -> str:
    """The language of this request's page."""
    if has_request_context():
        chosen: str | None = g.get("language")
        if chosen is not None:
            return chosen
    return DEFAULT


def choose(stored: str | None = None) -> str:
    """Pick this request's language (see the module docstring) and remember it for the page."""
    offered = languages()
    if stored in offered:
        language: str = stored
    elif request.cookies.get(COOKIE) in offered:
        language = request.cookies[COOKIE]
    else:
        language = request.accept_languages.best_match(offered) or DEFAULT
    g.language = language
    return language


def translate(message: str) -> str:
    """`message` in the page's language, placeholders left as they are."""
    return catalogue(current()).ugettext(message)


def translate_plural(singular: str, plural: str, count: int) -> str:
    return catalogue(current()).ungettext(singular, plural, count)


def gettext(message: str, **variables: Any) -> str:
    """`message` in the page's language, %(name)s placeholders filled from `variables`.

    Always a format string, as in templates (a literal per cent sign is written %%).
    """
    return translate(message) % variables


def ngettext(singular: str, plural: str, count: int, **variables: Any) -> str:
    """The singular or plural form for `count` in the page's language; %(num)d is `count`."""
    return translate_plural(singular, plural, count) % {"num": count, **variables}


def when(moment: datetime | None) -> str:
    """An instant as people read it in the page's language, in UTC (said so): "24 nov. 2026, 09:00 UTC"."""
    if moment is None:
        return ""
    text = dates.format_datetime(moment.astimezone(UTC), "medium", tzinfo=UTC, locale=current())
    return f"{text} UTC"


def time_left(due: datetime, now: datetime) -> str:
    """How long until `due` ("7 hours, 40 minutes left"), or how late it is, cut down, never rounded up.

    Rounding up would tell the legal team on an 8-hour emergency order that it has more time than it has.
    """
    remaining = due - now
    if remaining >= timedelta(0):
        return gettext("%(time)s left", time=_span(remaining))
    return gettext("%(time)s late", time=_span(-remaining))


def _span(span: timedelta) -> str:
    """Days from two days on, else hours and minutes, in the page's language ("2 heures et 5 minutes")."""
    language = current()
    if span >= timedelta(days=2):
        return units.format_unit(span.days, "duration-day", locale=language)
    hours, minutes = divmod(int(span.total_seconds()) // 60, 60)
    parts = [units.format_unit(hours, "duration-hour", locale=language)] if hours else []
    if minutes or not hours:
        parts.append(units.format_unit(minutes, "duration-minute", locale=language))
    return format_list(parts, style="unit", locale=language)


def number(value: int) -> str:
    """A whole number with the language's grouping ("100,000", "100 000")."""
    return numbers.format_decimal(value, locale=current())


def init_app(app: Flask) -> None:
    """Give the app's templates the catalogues and the formatting filters."""
    app.jinja_env.add_extension("jinja2.ext.i18n")
    # Jinja formats and escapes; the callables only translate.
    app.jinja_env.install_gettext_callables(translate, translate_plural, newstyle=True)  # type: ignore[attr-defined]
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["time_left"] = time_left
    app.jinja_env.globals.update(current_language=current, languages=languages, language_name=language_name)

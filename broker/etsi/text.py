"""Which values an XML element of a given type can hold exactly, so the mappings render only those."""

import re

# XML 1.0 Char: a string with anything else (most control characters, U+FFFE, U+FFFF) cannot be text.
_NOT_XML = re.compile("[^\t\n\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# etsi:QualifiedDateTime, lexically; xs:dateTime checks the calendar, which the broker's own types do too.
QUALIFIED = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$")
E164 = re.compile(r"^[0-9]{1,15}$")
EMAIL = re.compile(r"^.+@.+$", re.DOTALL)


def xml_text(value: object) -> bool:
    """True for a string XML text carries unchanged: XML characters only, and no carriage return.

    A parser turns a literal CR into LF, so text with CR is left to the patch rather than trusted to
    every serialiser escaping it.
    """
    return isinstance(value, str) and "\r" not in value and not _NOT_XML.search(value)


def fits(value: object, max_length: int, pattern: re.Pattern[str] | None = None) -> bool:
    """An XML-safe string of at most `max_length` characters, matching `pattern` if given."""
    if not xml_text(value) or not isinstance(value, str) or len(value) > max_length:
        return False
    return pattern is None or pattern.match(value) is not None

"""Forms, validated on the server, with errors the GOV.UK Design System's way.

A `Form` holds what was posted and the errors found, one per field, in the order the fields
appear on the page. The template shows them twice, as the error summary pattern asks: a summary
at the top of the page (`role="alert"`, each message a link to its field, `#<field id>`), and the
same message above the field itself, which is marked invalid and described by it. The page title
then starts with "Error: ", so a screen reader user hears it first.

Error messages are the catalogues' words, translated when the view adds them (`gettext`), and say
what to do ("Enter your e-mail address"), not what went wrong in the code. Nothing the person
typed is ever echoed back for a password or a code (`secret=True`).

    form = Form(request.form, secret=("password",))
    email = form.required("email", gettext("Enter your e-mail address"))
    if form.valid: ...
"""

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field


@dataclass(frozen=True)
class FieldError:
    """One field's error: the field's name (its id on the page is `field_id(name)`) and the message."""

    name: str
    message: str

    @property
    def target(self) -> str:
        return field_id(self.name)


@dataclass
class Form:
    """The posted values (secrets dropped) and the errors found in them, in the page's field order."""

    data: Mapping[str, str] = field(default_factory=dict)
    secret: Iterable[str] = ()
    errors: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        hidden = set(self.secret)
        self._values = {name: str(value) for name, value in self.data.items() if name not in hidden}
        self._raw = {name: str(value) for name, value in self.data.items()}

    def raw(self, name: str) -> str:
        """What was posted for `name`, secret or not (for the view, never for the page)."""
        return self._raw.get(name, "")

    def value(self, name: str) -> str:
        """What the page shows back in `name` (empty for a secret field)."""
        return self._values.get(name, "")

    def required(self, name: str, message: str) -> str:
        """The posted value of `name`, stripped; an error with `message` if it is empty."""
        value = self.raw(name).strip()
        if not value:
            self.error(name, message)
        return value

    def error(self, name: str, message: str) -> None:
        """Record an error on `name` (the first one found stays: one message per field)."""
        self.errors.setdefault(name, message)

    def error_of(self, name: str) -> str | None:
        return self.errors.get(name)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def summary(self) -> list[FieldError]:
        """The errors for the summary at the top of the page, in the order they were found."""
        return [FieldError(name, message) for name, message in self.errors.items()]


def whole_number(text: str, digits: int = 9) -> int | None:
    """`text` as a whole number of at most `digits` ASCII digits, else None.

    `str.isdigit` alone also passes "²", which `int` refuses, and `int` refuses more than 4,300
    digits: either would crash the page instead of saying what to enter.
    """
    if text.isascii() and text.isdigit() and len(text) <= digits:
        return int(text)
    return None


def field_id(name: str) -> str:
    """The id of a field's input on the page, which the error summary links to."""
    return name.replace("_", "-")

"""Strict fields and the sub-objects every wire document shares.

Each field accepts exactly what its twin in schemas/common.v1.json accepts, so marshmallow and JSON
Schema reach the same verdict (tests/contract holds them to it). The only checks JSON Schema cannot
make are the ones raising CALENDAR_MESSAGE or ORDER_MESSAGE.
"""

import ipaddress
import re
from collections.abc import Mapping
from datetime import date
from datetime import datetime
from enum import StrEnum
from typing import Any
from typing import ClassVar

from marshmallow import RAISE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate
from marshmallow import validates_schema

from broker.countries import ISO_3166_ALPHA2
from broker.vocabulary import DESIGNATED_ADDRESSEES
from broker.vocabulary import AddresseeType
from broker.vocabulary import AddressingGround
from broker.vocabulary import AuthorityType
from broker.vocabulary import TargetType
from broker.vocabulary import UserInformationDecision

# Patterns end in `$(?!\n)`: plain `$` in Python (and so in jsonschema) also matches before a final newline.
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$(?!\n)"
_DATE = r"(?!0000)[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
OFFSET_TIMESTAMP_PATTERN = (
    rf"^{_DATE}T{_TIME}(?:\.[0-9]{{1,9}})?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$(?!\n)"
)
UTC_TIMESTAMP_PATTERN = rf"^{_DATE}T{_TIME}(?:\.[0-9]{{6}})?Z$(?!\n)"
# An EU directive by year and number, as Art. 5(4) of Regulation (EU) 2023/1543 cites them: 2019/713.
DIRECTIVE_PATTERN = r"^[0-9]{4}/[0-9]{1,4}$(?!\n)"

CALENDAR_MESSAGE = "Not a date on the calendar."
ORDER_MESSAGE = "Must be later than start."


def text(max_length: int, **kwargs: Any) -> fields.String:
    """A non-empty string capped at max_length characters, so no field carries an unbounded payload."""
    return fields.String(validate=validate.Length(min=1, max=max_length), **kwargs)


def choice(enum: type[StrEnum], **kwargs: Any) -> fields.String:
    """One of a vocabulary enum's values; the error message lists them."""
    return fields.String(validate=validate.OneOf([e.value for e in enum]), **kwargs)


def required_iff(data: Mapping[str, Any], field: str, condition: bool, when: str) -> dict[str, list[str]]:
    """The error for `field` when it is absent although `condition` holds, or present although it does not."""
    if condition and field not in data:
        return {field: [f"Required when {when}."]}
    if not condition and field in data:
        return {field: [f"Not allowed unless {when}."]}
    return {}


def unique_items(values: list[str]) -> None:
    """Mirror of JSON Schema's uniqueItems: a value listed twice is a slip, not a wider request."""
    if len(set(values)) != len(values):
        raise ValidationError("Must not repeat a value.")


# The type marshmallow gives a field's error messages, an instance attribute its subclasses set on the
# class (hence the RUF012 exemptions below: marshmallow reads them from the class, never mutates them).
ErrorMessages = dict[str, str | list[Any] | dict[Any, Any]]


class WholeNumber(fields.Integer):
    """A JSON integer as JSON Schema counts them: 5 or 5.0, never true, 5.5 or "5"."""

    default_error_messages: ErrorMessages = {"invalid": "Not a valid integer."}  # noqa: RUF012

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid")
        return int(value)


class StrictBoolean(fields.Boolean):
    """JSON true or false only: marshmallow's Boolean would also take "yes" and 1."""

    default_error_messages: ErrorMessages = {"invalid": "Not a valid boolean."}  # noqa: RUF012

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class UuidString(fields.String):
    """A UUID in lowercase canonical form only, so one identifier has one spelling in signed documents."""

    def __init__(self, **kwargs: Any) -> None:
        message = "Not a UUID in lowercase canonical form."
        super().__init__(validate=validate.Regexp(UUID_PATTERN, error=message), **kwargs)


class CountryCode(fields.String):
    """An officially assigned ISO 3166-1 alpha-2 code, uppercase."""

    def __init__(self, **kwargs: Any) -> None:
        message = "Not an ISO 3166-1 alpha-2 country code (uppercase, e.g. FR)."
        super().__init__(validate=validate.OneOf(sorted(ISO_3166_ALPHA2), error=message), **kwargs)


class OffsetTimestamp(fields.DateTime):
    """An RFC 3339 timestamp with its offset: a naive local time names different instants across borders."""

    pattern: ClassVar[re.Pattern[str]] = re.compile(OFFSET_TIMESTAMP_PATTERN)
    default_error_messages: ErrorMessages = {  # noqa: RUF012
        "invalid": "Not an RFC 3339 timestamp with offset, e.g. 2024-05-01T12:00:00+02:00.",
        "calendar": CALENDAR_MESSAGE,
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        if not isinstance(value, str) or not self.pattern.search(value):
            raise self.make_error("invalid")
        try:
            return datetime.fromisoformat(value)
        except ValueError as error:  # e.g. 30 February: shape is right, day is not
            raise self.make_error("calendar") from error


class UtcTimestamp(OffsetTimestamp):
    """When a sender signed: UTC only, whole or microsecond seconds, so an instant has one spelling."""

    pattern: ClassVar[re.Pattern[str]] = re.compile(UTC_TIMESTAMP_PATTERN)
    default_error_messages: ErrorMessages = {  # noqa: RUF012
        "invalid": "Not a UTC timestamp of the form 2024-05-01T12:00:00Z or 2024-05-01T12:00:00.000000Z.",
    }


def _check_ip_address(value: str) -> None:
    """Accept what JSON Schema's ipv4/ipv6 formats accept: the same ipaddress parsers, and no IPv6 zone."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        raise ValidationError("Not a valid IPv4 or IPv6 address.") from None
    if getattr(address, "scope_id", None):
        raise ValidationError("An IPv6 zone (%...) has no meaning outside the sender's network.")


class WireSchema(Schema):
    """Base of every wire object: a member the schema does not know is refused, never silently dropped."""

    class Meta:
        unknown = RAISE


class Contact(WireSchema):
    """How to reach the person handling the case at an authority."""

    name = text(200)
    email = text(200)
    phone = text(200)

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("Give at least one of name, email or phone.")


class Authority(WireSchema):
    """An issuing or validating authority (Annex I sections A, I and J)."""

    organisation = UuidString(required=True)
    name = text(200, required=True)
    authority_type = choice(AuthorityType, required=True)
    country = CountryCode(required=True)
    file_number = text(100)
    contact = fields.Nested(Contact)


class Provider(WireSchema):
    """The service provider an addressee acts for."""

    organisation = UuidString(required=True)
    name = text(200, required=True)


class Addressee(WireSchema):
    """Where the certificate goes: a designated establishment or legal representative (Annex I section B)."""

    id = UuidString(required=True)
    provider = fields.Nested(Provider, required=True)
    addressee_type = fields.String(
        required=True, validate=validate.OneOf([kind.value for kind in DESIGNATED_ADDRESSEES])
    )
    name = text(200, required=True)
    country = CountryCode(required=True)
    address = text(500, required=True)


class AddresseeV2(Addressee):
    """Version 2 (common.v2.json): the addressee may also be another establishment (Art. 7(2))."""

    addressee_type = choice(AddresseeType, required=True)


class AddressingException(WireSchema):
    """Art. 7(2): why an emergency order goes to another establishment than the designated one."""

    ground = choice(AddressingGround, required=True)
    details = text(2000)


class Target(WireSchema):
    """A user or account identifier the data are sought for (Art. 5(5)(c))."""

    type = choice(TargetType, required=True)
    value = text(512, required=True)


class IpIdentification(WireSchema):
    """An IP address seen at a moment, for data sought only to identify the user (Art. 3(10))."""

    ip_address = fields.String(required=True, validate=_check_ip_address)
    source_port = WholeNumber(validate=validate.Range(min=0, max=65535))
    timestamp = OffsetTimestamp(required=True)


class TimeRange(WireSchema):
    """The period the requested data cover."""

    start = OffsetTimestamp(required=True)
    end = OffsetTimestamp(required=True)

    @validates_schema
    def _ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["end"] <= data["start"]:
            raise ValidationError(ORDER_MESSAGE, field_name="end")


class ListedOffence(WireSchema):
    """An offence defined by a directive article that Art. 5(4)(b)-(c) lists, whatever its penalty.

    Which directives and articles count is reference data (broker/legal), not schema, so only the
    shape is checked here.
    """

    directive = fields.String(
        required=True,
        validate=validate.Regexp(DIRECTIVE_PATTERN, error="Not a directive as year/number, e.g. 2019/713."),
    )
    article = WholeNumber(required=True, validate=validate.Range(min=1))
    by_information_system = StrictBoolean()


class Offence(WireSchema):
    """The offence and the penalty that decide which data may be ordered (Art. 5(3)-(4))."""

    description = text(4000, required=True)
    legal_provisions = fields.List(text(300), required=True, validate=validate.Length(min=1, max=50))
    # null: the law sets no maximum term, which is not the same as an unknown one.
    maximum_penalty_months = WholeNumber(required=True, allow_none=True, validate=validate.Range(min=0))
    # A code from the Annex IV list; the list is reference data, so broker.legal checks the value.
    annex_iv_category = text(200)
    listed_offence = fields.Nested(ListedOffence)


class Sentence(WireSchema):
    """The custodial sentence whose execution the data serve (Art. 5(3)-(4))."""

    imposed_months = WholeNumber(required=True, validate=validate.Range(min=1))
    rendered_in_absentia = StrictBoolean(required=True)
    absconded = StrictBoolean(required=True)


class UserInformation(WireSchema):
    """The issuing authority's decision on telling the person concerned (Art. 13)."""

    decision = choice(UserInformationDecision, required=True)
    justification = text(4000)

    @validates_schema
    def _justified(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["decision"] != UserInformationDecision.INFORM and "justification" not in data:
            raise ValidationError("Required unless the decision is inform.", field_name="justification")


DATE_PATTERN = rf"^{_DATE}$(?!\n)"


class CalendarDate(fields.Date):
    """A day as YYYY-MM-DD only: fields.Date would also take the basic, week and ordinal forms of ISO 8601."""

    pattern: ClassVar[re.Pattern[str]] = re.compile(DATE_PATTERN)
    default_error_messages: ErrorMessages = {  # noqa: RUF012
        "invalid": "Not a date of the form 2024-05-01.",
        "calendar": CALENDAR_MESSAGE,
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if not isinstance(value, str) or not self.pattern.search(value):
            raise self.make_error("invalid")
        try:
            return date.fromisoformat(value)
        except ValueError as error:  # e.g. 2024-02-30: shape is right, day is not
            raise self.make_error("calendar") from error

"""Refuse input the engine cannot read, naming each bad field, before any rule runs."""

import re
from collections.abc import Mapping
from datetime import date
from datetime import datetime
from typing import Any

from marshmallow import ValidationError

from broker.legal.model import CheckInput
from broker.legal.model import Finding
from broker.vocabulary import OrderType
from broker.wire.certificates import certificate_version
from broker.wire.registry import validate_body

LANGUAGE = re.compile(r"[a-z]{2}")
COUNTRY = re.compile(r"[A-Z]{2}")


class InvalidCheckInput(ValueError):
    """The order is not one the wire schema accepts: errors maps dotted field paths to messages.

    findings holds, for each refused member a legal rule owns, that rule's finding (rule id, citation,
    how to fix), the same a caseworker gets when the schema accepts the member but the rule does not.
    """

    def __init__(self, errors: Mapping[str, list[str]], findings: tuple[Finding, ...] = ()) -> None:
        self.errors = dict(errors)
        self.findings = findings
        listed = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in self.errors.items())
        super().__init__(f"the order cannot be checked: {listed}")


def validate_check_input(order: CheckInput) -> dict[str, list[str]]:
    """Errors by field: certificate members by their dotted path, the other inputs by attribute name."""
    errors: dict[str, list[str]] = {}
    if order.order_type not in set(OrderType):
        errors["order_type"] = [f"Must be one of: {', '.join(OrderType)}."]
    if not isinstance(order.addressee_languages, tuple) or not all(
        isinstance(code, str) and LANGUAGE.fullmatch(code) for code in order.addressee_languages
    ):
        errors["addressee_languages"] = ["Must be a tuple of ISO 639-1 codes (two lowercase letters)."]
    states = order.designated_states
    if states is not None and (
        not isinstance(states, tuple) or not all(isinstance(s, str) and COUNTRY.fullmatch(s) for s in states)
    ):
        errors["designated_states"] = ["Must be None or a tuple of ISO 3166-1 alpha-2 codes."]
    if isinstance(order.issuing_date, datetime) or not isinstance(order.issuing_date, date):
        errors["issuing_date"] = ["Must be a date (not a datetime): the day the certificate is issued."]
    if not isinstance(order.certificate, Mapping):
        errors["certificate"] = ["Must be a JSON object."]
    elif "order_type" not in errors:
        try:
            certificate = dict(order.certificate)
            validate_body(order.order_type, certificate_version(certificate), certificate)
        except ValidationError as error:
            errors |= _flatten(error.messages)
    return errors


def _flatten(messages: Any, path: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as {"offence.listed_offence.article": [...]}."""
    if not isinstance(messages, Mapping):
        return {
            path or "certificate": [str(m) for m in messages]
            if isinstance(messages, list)
            else [str(messages)]
        }
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        step = "" if key == "_schema" else str(key)
        flat |= _flatten(value, ".".join(part for part in (path, step) if part))
    return flat

"""A stored draft's certificate as the guided form's answers, so a caseworker can change it later.

The reverse of `draft_form.draft_of`: the registry's completions (names, types, countries the
broker filled in) go back to the ids the form asks for, and times are shown in UTC, the form's zone.
"""

import uuid
from datetime import UTC
from datetime import datetime
from typing import Any

from broker.vocabulary import OrderType


def answers_of(order_type: OrderType, certificate: dict[str, Any]) -> dict[str, str]:
    """Every answer the form would need to make this certificate again."""
    answers: dict[str, str] = {"order_type": order_type.value}
    for member in (
        "instrument",
        "purpose",
        "case_summary",
        "necessity_and_proportionality",
        "emergency_justification",
        "language",
        "subsequent_request",
    ):
        if certificate.get(member):
            answers[member] = str(certificate[member])
    answers["addressee"] = certificate["addressee"]["id"]
    answers["data_categories"] = "\n".join(certificate["data_categories"])
    for index, target in enumerate(certificate["targets"]):
        answers |= {f"target_type_{index}": target["type"], f"target_value_{index}": target["value"]}
    for index, seen in enumerate(certificate.get("identification") or []):
        answers |= {
            f"ip_address_{index}": seen["ip_address"],
            f"ip_port_{index}": str(seen.get("source_port", "")),
            f"ip_time_{index}": _local(seen["timestamp"]),
        }
    answers["period_start"] = _local(certificate["time_range"]["start"])
    answers["period_end"] = _local(certificate["time_range"]["end"])
    answers |= _offence(certificate["offence"])
    if sentence := certificate.get("sentence"):
        answers["sentence_months"] = str(sentence["imposed_months"])
        answers["in_absentia"] = _yes_no(sentence["rendered_in_absentia"])
        answers["absconded"] = _yes_no(sentence["absconded"])
    answers["emergency"] = _yes_no(certificate["emergency"])
    if validating := certificate.get("validating_authority"):
        answers["validating_authority"] = validating["organisation"]
    for member in (
        "offence_committed_in_issuing_state",
        "person_resides_in_issuing_state",
        "similar_domestic_order_possible",
    ):
        if member in certificate:
            answers[member] = _yes_no(certificate[member])
    if information := certificate.get("user_information"):
        answers["user_information"] = information["decision"]
        answers["user_information_justification"] = information.get("justification", "")
    issuer = certificate["issuing_authority"]
    answers["file_number"] = issuer.get("file_number", "")
    for part, value in (issuer.get("contact") or {}).items():
        answers[f"contact_{part}"] = value
    return {name: value for name, value in answers.items() if value}


def reference_answers(
    removal_order: uuid.UUID | None, threat_notification: uuid.UUID | None
) -> dict[str, str]:
    """What a stored draft names besides its certificate, as the form's answers (draft_form.REFERENCES)."""
    named = {"removal_order": removal_order, "threat_notification": threat_notification}
    return {name: str(value) for name, value in named.items() if value is not None}


def _offence(offence: dict[str, Any]) -> dict[str, str]:
    maximum = offence.get("maximum_penalty_months")
    answers = {
        "offence_description": offence["description"],
        "legal_provisions": "\n".join(offence["legal_provisions"]),
        "maximum_penalty_months": "" if maximum is None else str(maximum),
        "annex_iv_category": offence.get("annex_iv_category", ""),
    }
    if listed := offence.get("listed_offence"):
        answers["listed_directive"] = listed["directive"]
        answers["listed_article"] = str(listed["article"])
        if "by_information_system" in listed:
            answers["by_information_system"] = _yes_no(listed["by_information_system"])
    return answers


def _local(timestamp: str) -> str:
    """An RFC 3339 time as the form's datetime-local input shows it, in UTC."""
    moment = datetime.fromisoformat(timestamp).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M")


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"

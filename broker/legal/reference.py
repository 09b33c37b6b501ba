"""The legal lists the rules read: versioned JSON files shipped in broker/legal/reference/.

Lists change when States ratify, declare or opt in, so they are data with a named source per entry,
not code. Tests and callers may pass their own ReferenceData to the engine.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from broker.legal.model import Confidence

FILES = (
    "participating-states.json",
    "languages.json",
    "annex-iv-offences.json",
    "art-5-4-offences.json",
    "cets-185-parties.json",
    "cets-224-parties.json",
)


@dataclass(frozen=True)
class ListedDirective:
    """A directive whose listed articles allow traffic or content data (Art. 5(4)(b)-(c))."""

    directive: str
    title: str
    articles: frozenset[int]
    by_information_system_required: bool


@dataclass(frozen=True)
class ProtocolParty:
    """A State's standing under CETS 224 and the declarations and reservations the rules read."""

    bound: bool  # ratified or acceded; a mere signatory is not bound
    art7_supervision_required: bool = False
    art7_simultaneous_notification: bool = False
    art7_not_applied: bool = False
    art8_no_traffic_data: bool = False
    art9_no_subscriber_only: bool = False


@dataclass(frozen=True)
class ReferenceData:
    """Every list the engine consults, keyed by ISO 3166-1 alpha-2 country code where relevant."""

    participating_states: frozenset[str]
    languages: Mapping[str, tuple[str, ...]]
    annex_iv: Mapping[str, str]  # code -> label
    listed_offences: Mapping[str, ListedDirective]
    budapest_parties: frozenset[str]
    protocol_parties: Mapping[str, ProtocolParty]
    versions: Mapping[str, str]  # file name -> "version (updated)"

    def bound_by_protocol(self, country: str) -> bool:
        """Whether the State has ratified or acceded to CETS 224, not merely signed it."""
        party = self.protocol_parties.get(country)
        return party is not None and party.bound


def read_file(name: str) -> dict[str, Any]:
    """One reference file, checked for the version, update date, source and confidence it must carry."""
    document = json.loads(resources.files("broker.legal").joinpath("reference", name).read_text("utf-8"))
    for key in ("title", "version", "updated", "entries"):
        if key not in document:
            raise ValueError(f"{name}: no {key!r}")
    for entry in document["entries"]:
        if not entry.get("source") or entry.get("confidence") not in set(Confidence):
            raise ValueError(f"{name}: every entry needs a source and a confidence, not {entry}")
    checked: dict[str, Any] = document
    return checked


@cache
def load_reference() -> ReferenceData:
    """The shipped reference data, read once per process and read-only, since every caller shares it."""
    docs = {name: read_file(name) for name in FILES}
    entries = {name: doc["entries"] for name, doc in docs.items()}
    return ReferenceData(
        participating_states=frozenset(
            e["country"] for e in entries["participating-states.json"] if e["participating"]
        ),
        languages=MappingProxyType({e["country"]: tuple(e["languages"]) for e in entries["languages.json"]}),
        annex_iv=MappingProxyType({e["code"]: e["label"] for e in entries["annex-iv-offences.json"]}),
        listed_offences=MappingProxyType(
            {
                e["directive"]: ListedDirective(
                    directive=e["directive"],
                    title=e["title"],
                    articles=frozenset(e["articles"]),
                    by_information_system_required=e["by_information_system_required"],
                )
                for e in entries["art-5-4-offences.json"]
            }
        ),
        budapest_parties=frozenset(
            e["country"] for e in entries["cets-185-parties.json"] if e["status"] == "party"
        ),
        protocol_parties=MappingProxyType(
            {
                e["country"]: ProtocolParty(bound=e["status"] == "party", **e["declarations"])
                for e in entries["cets-224-parties.json"]
            }
        ),
        versions=MappingProxyType(
            {name: f"{doc['version']} ({doc['updated']})" for name, doc in docs.items()}
        ),
    )

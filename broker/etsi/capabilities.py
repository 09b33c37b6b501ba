"""The broker's answer to GETCSPCONFIG: which identifiers it takes and which dictionary values it reads.

A provider's HI-1 system asks once and learns, from the broker itself, the target formats of the
request values it will find in tasks, the request types each applies to, and the dictionary entries
of the answers the broker maps to lifecycle messages (task statuses, notification types).
"""

from datetime import UTC
from datetime import datetime

from lxml import etree

from broker.etsi import names
from broker.etsi.answers import NOTIFICATIONS
from broker.etsi.hi1 import el
from broker.etsi.hi1 import qualified_time

CHANGED = datetime(2026, 12, 1, tzinfo=UTC)  # when this profile last changed; bump it with the tables

MEANINGS = {
    names.LD_STATUS: {
        names.ACKNOWLEDGED["epoc"]: "acknowledgement: the EPOC is held and being executed",
        names.ANSWERED["epoc"]: "response, outcome produced",
    },
    names.LP_STATUS: {
        names.ACKNOWLEDGED["epoc-pr"]: "acknowledgement: the EPOC-PR is held and being executed",
        names.ANSWERED["epoc-pr"]: "response, outcome preserved",
    },
    names.NOTIFICATION_TYPE: {
        value: f"{answer} (with Form3Information unless DataPreserved)"
        for answer, value in NOTIFICATIONS.items()
    },
}


def csp_config() -> etree._Element:
    """A GETCSPCONFIGResponse: dictionaries of the answers, and a targeting configuration per format."""
    dictionaries = el(
        "Dictionaries",
        [
            el(
                "dictionaries:Dictionary",
                el("dictionaries:Owner", names.ETSI),
                el("dictionaries:Name", name),
                el(
                    "dictionaries:DictionaryEntries",
                    [
                        el(
                            "dictionaries:DictionaryEntry",
                            el("dictionaries:Value", v),
                            el("dictionaries:Meaning", m),
                        )
                        for v, m in entries.items()
                    ],
                ),
            )
            for name, entries in MEANINGS.items()
        ],
    )
    types = [
        el(
            "common:DictionaryEntry",
            el("common:Owner", names.ETSI),
            el("common:Name", names.REQUEST_TYPE),
            el("common:Value", value),
        )
        for value in names.CATEGORIES.values()
    ]
    configurations = el(
        "TargetingConfigurations",
        [
            el(
                "config:TargetingConfiguration",
                el("config:FormatName", name),
                el("config:FormatOwner", owner),
                el("config:Guidance", f"the certificate's {kind} targets"),
                el("config:AssociatedLDRequestTypes", [_copy(t) for t in types]),
                el("config:AssociatedLPRequestTypes", [_copy(t) for t in types]),
            )
            for kind, (owner, name) in names.FORMATS.items()
        ],
    )
    return el(
        "GETCSPCONFIGResponse", el("LastChanged", qualified_time(CHANGED)), dictionaries, configurations
    )


def _copy(element: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(element))

"""The XSDs the broker validates with, loaded once from the package (broker/etsi/schemas, see SOURCES.md).

HI-1: ETSI TS 103 120 V1.20.1 with the TS 104 144 e-Evidence schemas, through hi1/hi1-all.xsd, a
wrapper that gives every namespace its local file (ETSI's files import by namespace only). RI forms:
the EU reference implementation's EPOC-FORM_1.XSD and EPOCPR-FORM_2.XSD, whose imports already
name relative files. Schemas are parsed with the same no-network, no-entity parser as documents.
"""

import functools
from importlib import resources

from lxml import etree

from broker.etsi.xmlsafe import PARSER

SCHEMAS = resources.files("broker.etsi") / "schemas"
FORM_FILES = {"epoc": "EPOC/EPOC-FORM_1.XSD", "epoc-pr": "EPOC/EPOCPR-FORM_2.XSD"}


@functools.cache
def hi1() -> etree.XMLSchema:
    """ETSI TS 103 120 V1.20.1 + TS 104 144: every namespace an HI-1 message of the profile uses."""
    return _load(f"{SCHEMAS / 'hi1' / 'hi1-all.xsd'}")


@functools.cache
def form(order_type: str) -> etree.XMLSchema:
    """The RI form of an order type: EPOC Form 1 (epoc) or EPOC-PR Form 2 (epoc-pr)."""
    return _load(f"{SCHEMAS / 'ri-forms' / FORM_FILES[order_type]}")


def _load(location: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(location, PARSER))

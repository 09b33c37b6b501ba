"""Legal rules as data: which orders the Regulation and the Council of Europe treaties allow.

check() runs the issuing-stage rules of the order's instrument on a certificate the wire schema has
accepted and returns a Report; CATALOGUE lists every rule, including those the order workflow
enforces later. The engine is pure: the issuing date and the addressee's languages are passed in,
and the legal lists come from versioned reference files (load_reference) or the caller.
"""

from broker.legal.catalogue import CATALOGUE
from broker.legal.engine import check
from broker.legal.markdown import render_markdown
from broker.legal.model import CheckInput
from broker.legal.model import Confidence
from broker.legal.model import Family
from broker.legal.model import Finding
from broker.legal.model import Report
from broker.legal.model import Rule
from broker.legal.model import Severity
from broker.legal.model import Stage
from broker.legal.reference import ReferenceData
from broker.legal.reference import load_reference
from broker.legal.validation import InvalidCheckInput
from broker.legal.validation import validate_check_input

__all__ = [
    "CATALOGUE",
    "CheckInput",
    "Confidence",
    "Family",
    "Finding",
    "InvalidCheckInput",
    "ReferenceData",
    "Report",
    "Rule",
    "Severity",
    "Stage",
    "check",
    "load_reference",
    "render_markdown",
    "validate_check_input",
]

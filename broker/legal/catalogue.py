"""Every rule the broker knows, in the order the docs list them."""

from broker.legal.model import Rule
from broker.legal.rules import budapest
from broker.legal.rules import choice
from broker.legal.rules import copo
from broker.legal.rules import dsa
from broker.legal.rules import protocol
from broker.legal.rules import regulation_authorities as authorities
from broker.legal.rules import regulation_certificate as certificate
from broker.legal.rules import regulation_conditions as conditions
from broker.legal.rules import regulation_scope as scope
from broker.legal.rules import regulation_workflow as workflow
from broker.legal.rules import tco

_REGULATION = (
    scope.ee01,
    scope.ee02,
    scope.EE03,
    scope.ee04,
    authorities.ee05,
    authorities.ee06,
    authorities.ee07,
    authorities.ee08,
    conditions.ee09,
    conditions.ee10,
    conditions.ee11,
    certificate.ee12,
    certificate.ee15,
    certificate.ee24,
    certificate.ee26,
    certificate.ee36,
    certificate.ee37,
    scope.ee27,
    conditions.ee31,
    conditions.ee35,
    *workflow.RULES,
)


def _numbered(rule: Rule) -> tuple[str, int]:
    prefix, number = rule.id.rsplit("-", 1)
    return prefix, int(number)


CATALOGUE: tuple[Rule, ...] = (
    choice.ins01,
    *sorted(_REGULATION, key=_numbered),
    budapest.bc01,
    budapest.BC02,
    budapest.bc03,
    *sorted(protocol.RULES, key=_numbered),
    *sorted(tco.RULES, key=_numbered),
    *dsa.RULES,
    *copo.RULES,
)

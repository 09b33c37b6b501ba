"""Who may see and do what: the acting party, passed explicitly to every operation."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from broker import problems
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role

# Which roles make sense in which kind of organisation.
ROLES_BY_KIND: dict[OrganisationKind, frozenset[Role]] = {
    OrganisationKind.ISSUING_AUTHORITY: frozenset({Role.ADMIN, Role.CASEWORKER, Role.AUDITOR}),
    OrganisationKind.ENFORCING_AUTHORITY: frozenset({Role.ADMIN, Role.REVIEWER, Role.AUDITOR}),
    OrganisationKind.PROVIDER: frozenset({Role.ADMIN, Role.LEGAL_OFFICER, Role.AUDITOR}),
    OrganisationKind.OVERSIGHT_BODY: frozenset({Role.ADMIN, Role.AUDITOR}),
    # Europol's caseworkers read the DSA Art. 18(2) notifications addressed to it; it has no part in orders.
    OrganisationKind.EUROPOL: frozenset({Role.ADMIN, Role.CASEWORKER, Role.AUDITOR}),
}


@dataclass(frozen=True)
class Actor:
    """The authenticated user and the organisation they act for."""

    user_id: uuid.UUID
    organisation_id: uuid.UUID
    kind: OrganisationKind
    role: Role


def require_kind(
    actor: Actor, kinds: Iterable[OrganisationKind], action: str, *, writes: bool = True
) -> None:
    """Refuse unless the actor's organisation is of one of `kinds`; auditors never write."""
    allowed = tuple(kinds)
    if actor.kind not in allowed:
        names = " or ".join(_plural(kind.value.replace("_", " ")) for kind in allowed)
        raise problems.Forbidden(f"only {names} may {action}; you act for {named(actor.kind)}")
    if writes and actor.role is Role.AUDITOR:
        raise problems.Forbidden(f"auditors read but may not {action}")


def named(kind: OrganisationKind) -> str:
    """The acting party's kind in a sentence: "an issuing authority", but Europol by its name."""
    if kind is OrganisationKind.EUROPOL:
        return "Europol"
    mine = kind.value.replace("_", " ")
    return f"{'an' if mine[0] in 'aeiou' else 'a'} {mine}"


def _plural(noun: str) -> str:
    return noun[:-1] + "ies" if noun.endswith("y") else noun + "s"

"""The legal-basis engine applied to orders: the same checks for live checking, drafts and issuing."""

from typing import Any

from sqlalchemy import orm

from broker import legal
from broker import problems
from broker.clock import Clock
from broker.clock import to_rfc3339
from broker.orders import overseas
from broker.orders import removal
from broker.parties.models import Addressee
from broker.vocabulary import DESIGNATED_ADDRESSEES
from broker.vocabulary import OrderType


def run(
    order_type: OrderType, certificate: dict[str, Any], addressee: Addressee, clock: Clock
) -> legal.Report:
    """Check a completed certificate under its instrument, as of today, for this addressee.

    A removal order's rules also weigh the authority's earlier removal orders to the provider, read
    in the session the addressee was loaded in (the caller's transaction).
    """
    if order_type is OrderType.OVERSEAS_PRODUCTION_ORDER:
        return overseas.check(certificate, clock())  # COPO: broker.legal.overseas, as of today
    if order_type is OrderType.REMOVAL_ORDER:
        session = orm.object_session(addressee)
        assert session is not None, "the addressee comes from the caller's session"
        try:
            return removal.check(session, certificate, addressee, clock())
        except legal.InvalidCheckInput as error:
            raise problems.ValidationFailed(
                "the removal order cannot be checked", errors=error.errors
            ) from error
    try:
        return legal.check(
            legal.CheckInput(
                order_type=order_type.value,
                certificate=certificate,
                addressee_languages=tuple(addressee.languages),
                issuing_date=clock().date(),
                designated_states=designated_states(addressee),
            )
        )
    except legal.InvalidCheckInput as error:
        # The wire schema accepted the certificate, so this means the two disagree: say which fields.
        raise problems.ValidationFailed("the certificate cannot be checked", errors=error.errors) from error


def designated_states(addressee: Addressee) -> tuple[str, ...]:
    """Where the registry has the provider's designated establishments and legal representatives (Art. 7(1))."""
    return tuple(
        sorted(a.country for a in addressee.provider.addressees if a.addressee_type in DESIGNATED_ADDRESSEES)
    )


def instrument_of(certificate: dict[str, Any]) -> str:
    """The instrument an order is issued under: a certificate's `instrument`, a removal order's `legal_basis`."""
    return str(certificate.get("instrument") or certificate["legal_basis"])


def stored(report: legal.Report, clock: Clock) -> dict[str, Any]:
    """The form kept with the order and shown to every party that may see it."""
    return {"checked_at": to_rfc3339(clock()), **report.to_dict()}


def refuse_if_blocking(report: legal.Report) -> None:
    """Stop an order that breaks a blocking rule, listing every finding with its citation."""
    if report.blocking:
        errors = [finding for finding in report.findings if finding.severity is legal.Severity.ERROR]
        summary = "; ".join(f"{f.rule_id} ({f.citation})" for f in errors)
        raise problems.LegalCheckFailed(
            f"the order breaks {len(errors)} blocking rule(s): {summary}",
            findings=[finding.to_dict() for finding in report.findings],
        )

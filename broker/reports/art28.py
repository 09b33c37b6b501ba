"""Art. 28 statistics of Regulation (EU) 2023/1543, computed from the broker's orders.

Scope: orders under the Regulation (instrument reg-2023-1543) issued (issued_at) within [start, end),
for one issuing Member State (the issuing authority's country on the signed certificate) or all.
The figures, by the letters of Art. 28 as legal-rules.md §1.12 reads them:

(a) [V] EPOCs and EPOC-PRs issued, by data category, addressee and emergency; an order asking for
    several categories counts once under each and once in the total.
(b) [V] EPOCs issued under the emergency derogation of Art. 4(5) (ex_post_validation_required).
(c) [V] complied with / not complied with, split like (a): an EPOC is complied with once a response
    produced (or partially produced: also counted apart) its data, an EPOC-PR once a response says
    preserved; not complied: refused by the enforcing authority, not executed, production deadline
    missed, or sent for enforcement; otherwise pending, or ended without an answer.
(d) [V] notifications to enforcing authorities (Art. 8) and EPOCs refused, by refusal ground.
(e) [V] for complied EPOCs, the average time from issuing to the first response producing data.
(f) [UNCONFIRMED wording] for complied EPOC-PRs, the average time from issuing to the confirmation
    that a production request followed (Annex V).
(g)-(j) [UNCONFIRMED] enforcement requests and their outcomes; legal remedies (not recorded: null);
    ex-post validations refused or not obtained in time; costs (not recorded: null).

Numbers the broker does not record are reported as null with a note, never estimated.

The figures are sums of tallies (broker.reports.models) that the operations keep current as each
order changes, so a report costs the same at a thousand orders as at a million: a year's figures
are one grouped read of that year's tallies, folded here into the shape of each point.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import orm

from broker.clock import Clock
from broker.clock import to_rfc3339
from broker.reports import removal
from broker.reports.facts import COMPLIED
from broker.reports.facts import ENDED
from broker.reports.facts import NOT_COMPLIED
from broker.reports.facts import PENDING
from broker.reports.facts import REASONS
from broker.reports.figures import CONFIRMATION
from broker.reports.figures import DATA
from broker.reports.figures import Cell
from broker.reports.figures import averages
from broker.reports.figures import count
from broker.reports.figures import split
from broker.reports.figures import tally
from broker.reports.period import Period
from broker.reports.queries import art28_tallies
from broker.vocabulary import OrderType
from broker.vocabulary import RefusalGround

REGULATION = "Regulation (EU) 2023/1543"
CONFIRMED = "[V] legal-rules.md §1.12, source E13b"
UNCONFIRMED = "UNCONFIRMED (legal-rules.md §1.12): verify against the Official Journal"


def _define(point: str | None, confidence: str, text: str) -> dict[str, str]:
    where = f", point ({point})" if point else ""
    return {"citation": f"{REGULATION}, Art. 28{where}", "confidence": confidence, "definition": text}


DEFINITIONS: dict[str, dict[str, str]] = {
    "scope": _define(
        None,
        CONFIRMED,
        "Orders under Regulation (EU) 2023/1543 (instrument reg-2023-1543) issued within [start, end) "
        "(UTC, end excluded), for the issuing Member State named by the issuing authority on the signed "
        "certificate, or for all.",
    ),
    "a": _define(
        "a",
        CONFIRMED,
        "EPOCs and EPOC-PRs issued, split by data category requested, by addressee (provider and the "
        "addressee's country) and by emergency. An order asking for several data categories counts once "
        "under each category and once in the total, so categories may add up to more than the total.",
    ),
    "b": _define(
        "b",
        CONFIRMED,
        "EPOCs issued under the emergency derogation of Art. 4(5): issued without prior validation, "
        "validation to follow within 48 hours.",
    ),
    "c": _define(
        "c",
        CONFIRMED,
        "Orders complied with and not complied with, split like (a). An EPOC is complied with once the "
        "addressee's response produced or partially produced the data (partial compliance is also counted "
        "apart); an EPOC-PR once a response says the data are preserved. Not complied with: refused by "
        "the enforcing authority, not executed (Annex III), production deadline missed without "
        "compliance, or sent for enforcement; by_reason names the first of these that applies. Pending: "
        "still open. Ended without answer: withdrawn, closed or preservation ended with neither.",
    ),
    "d": _define(
        "d",
        CONFIRMED,
        "Notifications to enforcing authorities (Art. 8): EPOCs for which the enforcing authority was "
        "notified when issued and its review window ran; and EPOCs refused by the enforcing authority "
        "(Art. 12), split like (a) and by refusal ground (Art. 12(1)(a)-(d)).",
    ),
    "e": _define(
        "e",
        CONFIRMED,
        "For complied EPOCs, the average time from issuing the EPOC to the broker's receipt of the first "
        "response producing data (produced or partially produced), in seconds and readable, split like (a).",
    ),
    "f": _define(
        "f",
        "UNCONFIRMED wording (legal-rules.md §1.12): verify against the Official Journal",
        "For complied EPOC-PRs, the average time from issuing the EPOC-PR to the issuing authority's "
        "confirmation that a production request was issued (Annex V), split like (a).",
    ),
    "g": _define(
        "g",
        UNCONFIRMED,
        "Orders sent by the issuing authority to an enforcing authority for enforcement (Art. 16) and the "
        "outcome: recognised, refused, or awaiting the decision.",
    ),
    "h": _define(
        "h",
        UNCONFIRMED,
        "Legal remedies (Art. 18) in the issuing and enforcing States: not recorded by the broker, "
        "so reported as null; collect them from the courts.",
    ),
    "i": _define(
        "i",
        UNCONFIRMED,
        "Orders issued under Art. 4(5) whose ex-post validation was not granted: refused by the "
        "validating authority, or not obtained within 48 hours (the order was withdrawn and the data "
        "must be deleted); granted and awaiting are given for completeness.",
    ),
    "j": _define(
        "j",
        UNCONFIRMED,
        "Costs claimed by providers and reimbursed (Art. 14): not recorded by the broker, so reported "
        "as null; collect them from the authorities that pay them.",
    ),
}


def build(session: orm.Session, clock: Clock, period: Period, country: str | None) -> dict[str, Any]:
    """The Art. 28 report of `country` (None: every issuing State) for `period`, from its tallies."""
    cells = [Cell(*row) for row in session.execute(art28_tallies(period, country))]
    return {
        "report": "art28",
        "regulation": REGULATION,
        "period": period.to_dict(),
        "country": country,
        "generated_at": to_rfc3339(clock()),
        "figures": figures(cells),
        "definitions": DEFINITIONS,
        # Regulation (EU) 2021/784: the authorities' removal orders, counted from the orders themselves.
        "removal_orders": {
            "figures": removal.figures(session, period, country=country),
            "definitions": removal.DEFINITIONS,
        },
    }


def figures(cells: list[Cell]) -> dict[str, Any]:
    """Points (a) to (j) from the tallies of the orders in scope."""
    epocs = _only(cells, lambda c: c.order_type == OrderType.EPOC.value)
    preservations = _only(cells, lambda c: c.order_type == OrderType.EPOC_PR.value)
    refused = _only(epocs, lambda c: bool(c.refusal_ground))
    return {
        "a": {"epoc": split(epocs), "epoc_pr": split(preservations)},
        "b": {"epoc": sum(n for n, _ in tally(epocs, "ex_post").values())},
        "c": {"epoc": compliance(epocs, partial=True), "epoc_pr": compliance(preservations, partial=False)},
        "d": {
            "notifications": split(_only(epocs, lambda c: c.notified)),
            "refused": {
                **split(refused),
                "by_ground": {
                    g.value: count([c for c in refused if c.refusal_ground == g.value]) for g in RefusalGround
                },
            },
        },
        "e": {"epoc": averages(_only(epocs, lambda c: c.status == COMPLIED), DATA)},
        "f": {"epoc_pr": averages(_only(preservations, lambda c: c.status == COMPLIED), CONFIRMATION)},
        "g": {"epoc": enforcement(epocs), "epoc_pr": enforcement(preservations)},
        "h": None,
        "i": ex_post(cells),
        "j": None,
    }


def compliance(cells: list[Cell], *, partial: bool) -> dict[str, Any]:
    """Point (c) for one kind of order."""
    not_complied = _only(cells, lambda c: c.status == NOT_COMPLIED)
    result = {"complied": split(_only(cells, lambda c: c.status == COMPLIED))}
    if partial:
        result["complied_partially"] = split(_only(cells, lambda c: c.partial))
    result["not_complied"] = {
        **split(not_complied),
        "by_reason": {reason: count([c for c in not_complied if c.reason == reason]) for reason in REASONS},
    }
    result["pending"] = split(_only(cells, lambda c: c.status == PENDING))
    result["ended_without_answer"] = split(_only(cells, lambda c: c.status == ENDED))
    return result


def enforcement(cells: list[Cell]) -> dict[str, int]:
    """Point (g) for one kind of order."""
    sent = {value: n for value, (n, _) in tally(cells, "enforcement").items()}
    return {
        "requests": sum(sent.values()),
        "recognised": sent.get("recognised", 0),
        "refused": sent.get("refused", 0),
        "awaiting_decision": sent.get("awaiting_decision", 0),
    }


def ex_post(cells: list[Cell]) -> dict[str, int]:
    """Point (i), over both kinds of order (Art. 4(5) covers both)."""
    outcomes = {value: n for value, (n, _) in tally(cells, "ex_post").items()}
    refused, late = outcomes.get("refused", 0), outcomes.get("not_obtained_in_time", 0)
    return {
        "required": sum(outcomes.values()),
        "not_granted": refused + late,
        "refused": refused,
        "not_obtained_in_time": late,
        "granted": outcomes.get("granted", 0),
        "awaiting": outcomes.get("awaiting", 0),
    }


def _only(cells: list[Cell], keep: Callable[[Cell], bool]) -> list[Cell]:
    return [cell for cell in cells if keep(cell)]

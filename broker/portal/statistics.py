"""The Art. 28 report (broker/reports/art28.py) as the tables and charts of the portal's statistics page.

The report is the API's GET /reports/art28, figure for figure; this module only chooses what each
table shows, in the Regulation's order, with the label of every row in the page's language. A
figure the broker does not record is said so ("Not recorded by the broker"), and one the report
has no place for (partial compliance of an EPOC-PR) is None, drawn as a dash: neither is ever 0.
"""

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from broker.portal import charts
from broker.portal.i18n import N_
from broker.portal.i18n import translate
from broker.portal.labels import label
from broker.reports.facts import REASONS
from broker.vocabulary import DataCategory
from broker.vocabulary import RefusalGround

KINDS = ("EPOC", "EPOC-PR")
Value = int | str | None
Row = tuple[str, tuple[Value, ...]]

OUTCOMES = {
    "complied": N_("Complied with"),
    "complied_partially": N_("Complied with in part"),
    "not_complied": N_("Not complied with"),
    "pending": N_("Pending"),
    "ended_without_answer": N_("Ended without an answer"),
}
REASON_LABELS = {
    "refused": N_("Refused by the enforcing authority"),
    "not_executed": N_("Not executed (Annex III)"),
    "deadline_missed": N_("Deadline missed"),
    "enforcement": N_("Sent for enforcement"),
}


@dataclass(frozen=True)
class Table:
    """One table of the page, the point of Art. 28 it reports and, when it has one, its chart."""

    key: str
    title: str
    point: str | None  # the Art. 28 point the whole table reports, if one
    unconfirmed: bool
    columns: tuple[str, ...]
    rows: list[Row]
    chart: Markup | None = None


def tables(report: dict[str, Any]) -> list[Table]:
    """Points (a) to (j) of the report, as the page shows them."""
    figures, definitions = report["figures"], report["definitions"]

    def unconfirmed(point: str) -> bool:
        return str(definitions[point]["confidence"]).startswith("UNCONFIRMED")

    issued = figures["a"]
    by_category: list[Row] = [
        (label(category, DataCategory), _pair(issued, lambda f, c=category: f["by_data_category"][c.value]))
        for category in DataCategory
    ]
    issued_rows: list[Row] = [
        (translate(N_("All orders issued")), _pair(issued, lambda f: f["total"])),
        (translate(N_("Emergency")), _pair(issued, lambda f: f["by_emergency"]["emergency"])),
        (translate(N_("Not an emergency")), _pair(issued, lambda f: f["by_emergency"]["non_emergency"])),
        *by_category,
    ]
    compliance = figures["c"]
    outcome_rows: list[Row] = [
        (translate(text), (_total(compliance["epoc"].get(key)), _total(compliance["epoc_pr"].get(key))))
        for key, text in OUTCOMES.items()
    ]
    reason_rows: list[Row] = [
        (
            translate(text),
            tuple(compliance[kind]["not_complied"]["by_reason"][reason] for kind in ("epoc", "epoc_pr")),
        )
        for reason, text in REASON_LABELS.items()
        if reason in REASONS
    ]
    refused = figures["d"]["refused"]
    ground_rows: list[Row] = [
        (label(ground), (refused["by_ground"][ground.value],)) for ground in RefusalGround
    ]
    addressees = sorted(set(issued["epoc"]["by_addressee"]) | set(issued["epoc_pr"]["by_addressee"]))
    one = (translate(N_("Orders")),)
    return [
        Table(
            "issued",
            translate(N_("Orders issued")),
            "a",
            unconfirmed("a"),
            KINDS,
            issued_rows,
            _chart("chart-issued", translate(N_("Orders issued by data category")), by_category),
        ),
        Table(
            "addressees",
            translate(N_("Orders issued by addressee")),
            "a",
            unconfirmed("a"),
            KINDS,
            [(name, _pair(issued, lambda f, n=name: f["by_addressee"].get(n, 0))) for name in addressees],
        ),
        Table(
            "outcomes",
            translate(N_("Orders complied with and not complied with")),
            "c",
            unconfirmed("c"),
            KINDS,
            outcome_rows,
            _chart("chart-outcomes", translate(N_("Orders by outcome")), outcome_rows),
        ),
        Table(
            "reasons",
            translate(N_("Orders not complied with, by reason")),
            "c",
            unconfirmed("c"),
            KINDS,
            reason_rows,
        ),
        Table(
            "grounds",
            translate(N_("Orders refused by the enforcing authority, by ground (Art. 12(1))")),
            "d",
            unconfirmed("d"),
            one,
            [
                (
                    translate(N_("Notifications to enforcing authorities (Art. 8)")),
                    (figures["d"]["notifications"]["total"],),
                ),
                (translate(N_("Refused, all grounds")), (refused["total"],)),
                *ground_rows,
            ],
            _chart("chart-grounds", translate(N_("Refusals by ground")), ground_rows, one),
        ),
        Table(
            "other", translate(N_("Other figures")), None, False, (translate(N_("Value")),), _others(figures)
        ),
    ]


def _others(figures: dict[str, Any]) -> list[Row]:
    """Points (b), (e) to (j): one figure a row, named with its point."""
    data, confirmation = figures["e"]["epoc"]["total"], figures["f"]["epoc_pr"]["total"]
    enforcement = {
        key: figures["g"]["epoc"][key] + figures["g"]["epoc_pr"][key] for key in figures["g"]["epoc"]
    }
    ex_post = figures["i"]
    # Points (h) and (j) are not in the broker's records (art28.py); an average of no order is None.
    unrecorded = translate(N_("Not recorded by the broker"))
    rows: list[tuple[str, Value]] = [
        (N_("(b) EPOCs issued under the emergency derogation of Art. 4(5)"), figures["b"]["epoc"]),
        (N_("(e) Average time from issuing an EPOC to the data produced"), data["average"]),
        (
            N_("(f) Average time from issuing an EPOC-PR to the production request confirmed"),
            confirmation["average"],
        ),
        (N_("(g) Requests for enforcement (Art. 16)"), enforcement["requests"]),
        (N_("(g) Enforcement recognised"), enforcement["recognised"]),
        (N_("(g) Enforcement refused"), enforcement["refused"]),
        (N_("(h) Legal remedies (Art. 18)"), unrecorded if figures["h"] is None else figures["h"]),
        (N_("(i) Ex-post validations required (Art. 4(5))"), ex_post["required"]),
        (N_("(i) Ex-post validations not granted"), ex_post["not_granted"]),
        (
            N_("(j) Costs claimed and reimbursed (Art. 14)"),
            unrecorded if figures["j"] is None else figures["j"],
        ),
    ]
    return [(translate(text), (value,)) for text, value in rows]


def _pair(issued: dict[str, Any], read: Any) -> tuple[Value, ...]:
    return read(issued["epoc"]), read(issued["epoc_pr"])


def _total(figure: dict[str, Any] | None) -> Value:
    """A split's total; None where the report has no such figure (partial compliance of an EPOC-PR)."""
    return None if figure is None else int(figure["total"])


def _chart(chart_id: str, title: str, rows: list[Row], series: tuple[str, ...] = KINDS) -> Markup:
    bars = [
        charts.Bar(text, tuple(value if isinstance(value, int) else None for value in values))
        for text, values in rows
    ]
    return charts.bar_chart(chart_id, title, series, bars)

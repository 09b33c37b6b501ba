"""Any report as CSV, one row per figure (figure, split, value, definition), for spreadsheets.

The nested JSON flattens by one rule: a `total` member adds nothing to the row's split, a
`by_<name>` member adds "<name>=<key>" to it, and any other member extends the figure's name, so
{"a": {"epoc": {"by_data_category": {"content": 2}}}} becomes ("a.epoc", "data_category=content", 2).
The definition column repeats the report's definition of the figure, so a row can stand alone.
"""

import csv
import io
from collections.abc import Iterator
from typing import Any

COLUMNS = ("figure", "split", "value", "definition")


def rows(report: dict[str, Any]) -> list[tuple[str, str, Any, str]]:
    """(figure, split, value, definition): what the report is (its scope defined), then every figure."""
    definitions = report["definitions"]
    head = [("report", "", report["report"], _definition(definitions, "scope"))]
    head += [(f"period.{name}", "", value, "") for name, value in report["period"].items()]
    if "country" in report:
        head.append(("country", "", report["country"] or "all", ""))
    if "provider" in report:
        head += [(f"provider.{name}", "", value, "") for name, value in report["provider"].items()]
    head.append(("generated_at", "", report["generated_at"], ""))
    figures = [
        (figure, split, value, _definition(definitions, figure))
        for figure, split, value in _walk(report["figures"], [], [])
    ]
    removal = report.get("removal_orders")  # Regulation (EU) 2021/784: its own figures and definitions
    if removal is not None:
        figures += [
            (f"removal_orders.{figure}", split, value, _definition(removal["definitions"], figure))
            for figure, split, value in _walk(removal["figures"], [], [])
        ]
    return head + figures


def to_csv(report: dict[str, Any]) -> str:
    """The CSV text of `report`, header row first; an absent value (null) is an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for figure, split, value, definition in rows(report):
        writer.writerow((figure, split, "" if value is None else value, definition))
    return buffer.getvalue()


def _walk(node: Any, names: list[str], splits: list[str]) -> Iterator[tuple[str, str, Any]]:
    if not isinstance(node, dict):
        yield ".".join(names), "; ".join(splits) or "total", node
        return
    for key, value in node.items():
        if key == "total":
            yield from _walk(value, names, splits)
        elif key.startswith("by_"):
            for part, inner in value.items():
                yield from _walk(inner, names, [*splits, f"{key[3:]}={part}"])
        else:
            yield from _walk(value, [*names, key], splits)


def _definition(definitions: dict[str, Any], figure: str) -> str:
    """Art. 28 defines by point (the first name: "c" of "c.epoc.complied"), transparency by figure."""
    names = figure.split(".")
    definition = definitions.get(names[0]) or definitions.get(names[-1])
    if isinstance(definition, dict):
        return f"{definition['citation']} ({definition['confidence']}): {definition['definition']}"
    return definition or ""

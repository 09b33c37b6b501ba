"""docs/legal-rules.md is the catalogue rendered: regenerate it whenever a rule changes."""

from pathlib import Path

from broker.legal import CATALOGUE
from broker.legal import render_markdown

PAGE = Path(__file__).resolve().parents[2] / "docs" / "legal-rules.md"


def test_the_page_is_up_to_date() -> None:
    assert PAGE.read_text("utf-8") == render_markdown(), (
        "docs/legal-rules.md is stale: run `python -m broker.legal.docs > docs/legal-rules.md`"
    )


def test_every_rule_has_a_section() -> None:
    page = render_markdown()
    assert all(f"### {rule.id}: {rule.citation}" in page for rule in CATALOGUE)

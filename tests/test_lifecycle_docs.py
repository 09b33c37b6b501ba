"""docs/lifecycle.md is the lifecycle table rendered: it cannot drift from the code."""

from pathlib import Path

from broker.lifecycle_docs import COMMAND
from broker.lifecycle_docs import render_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "lifecycle.md"


def test_the_lifecycle_page_is_the_table_rendered():
    assert DOC.read_text(encoding="utf-8") == render_markdown(), f"regenerate it: {COMMAND}"

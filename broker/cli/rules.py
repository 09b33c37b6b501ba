"""`broker rules`: the legal-rule catalogue, as caseworkers, providers and oversight bodies read it."""

import json

import click

from broker.legal import CATALOGUE
from broker.legal import Family
from broker.legal import Stage
from broker.legal import render_markdown


@click.command()
@click.option(
    "--family", type=click.Choice([f.value for f in Family]), help="Only the rules of one legal text."
)
@click.option(
    "--stage", type=click.Choice([s.value for s in Stage]), help="Only rules enforced at this stage."
)
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text")
def rules(family: str | None, stage: str | None, output_format: str) -> None:
    """List every legal rule: id, citation, severity, stage, confidence and what it means."""
    if output_format == "markdown":
        if family or stage:
            raise click.UsageError("--format markdown renders the whole catalogue (docs/legal-rules.md)")
        click.echo(render_markdown(), nl=False)
        return
    selected = [
        rule
        for rule in CATALOGUE
        if (family is None or rule.instrument.value == family)
        and (stage is None or rule.stage.value == stage)
    ]
    if output_format == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "id": rule.id,
                        "family": rule.instrument.value,
                        "citation": rule.citation,
                        "severity": rule.severity.value,
                        "stage": rule.stage.value,
                        "confidence": rule.confidence.value,
                        "explanation": rule.explanation,
                        "source": rule.source,
                        "enforced_by": rule.enforced_by,
                    }
                    for rule in selected
                ],
                indent=2,
            )
        )
        return
    for rule in selected:
        flag = "" if rule.confidence.value == "confirmed" else f" [{rule.confidence.value}]"
        click.echo(f"{rule.id:<7} {rule.severity.value:<7} {rule.stage.value:<9} {rule.citation}{flag}")
        click.echo(f"        {rule.explanation}")

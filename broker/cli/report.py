"""`broker report art28|transparency`: the statistics of broker.reports, as JSON or CSV on stdout.

The operator runs these on the deployment's own database, so they are not access-checked or
logged like API reads: whoever can run the CLI can read the database anyway.
"""

import json
from typing import Any

import click

from broker import problems
from broker.cli.common import clock
from broker.cli.common import registry_transaction
from broker.cli.common import reports_problems
from broker.cli.registry import find_organisation
from broker.reports import art28
from broker.reports import transparency
from broker.reports.csv_export import to_csv
from broker.reports.period import check_country
from broker.reports.period import parse_period
from broker.vocabulary import OrganisationKind

FORMAT = click.option(
    "--format", "output", type=click.Choice(["json", "csv"]), default="json", show_default=True
)
YEAR = click.option(
    "--year", metavar="YEAR", help="A calendar year (UTC), e.g. 2026; or give --from and --to."
)
START = click.option("--from", "start", metavar="DATE", help="First day (YYYY-MM-DD), with --to.")
END = click.option("--to", "end", metavar="DATE", help="Day after the last day (excluded), with --from.")


@click.group()
def report() -> None:
    """Article 28 statistics for Member States and transparency reports for providers.

    Art. 28 is that of Regulation (EU) 2023/1543; both reports are computed from the broker's records.
    """


@report.command("art28", short_help="Print the Art. 28 statistics of a year or period.")
@YEAR
@START
@END
@click.option(
    "--country", metavar="CC", help="Issuing Member State (ISO 3166-1 alpha-2); all States if omitted."
)
@FORMAT
@reports_problems
def art28_command(
    year: str | None, start: str | None, end: str | None, country: str | None, output: str
) -> None:
    """Print the Art. 28 statistics for a calendar year or [--from, --to)."""
    period = parse_period(year, start, end)
    with registry_transaction() as session:
        document = art28.build(session, clock, period, check_country(country))
    _emit(document, output)


@report.command("transparency")
@click.option("--provider", required=True, help="The provider's name or id.")
@YEAR
@START
@END
@FORMAT
@reports_problems
def transparency_command(
    provider: str, year: str | None, start: str | None, end: str | None, output: str
) -> None:
    """Print PROVIDER's transparency report for a calendar year or [--from, --to)."""
    period = parse_period(year, start, end)
    with registry_transaction() as session:
        organisation = find_organisation(session, provider)
        if organisation.kind is not OrganisationKind.PROVIDER:
            raise problems.InvalidReference(f"{organisation.name} is not a provider")
        document = transparency.build(session, clock, period, organisation)
    _emit(document, output)


def _emit(document: dict[str, Any], output: str) -> None:
    if output == "csv":
        click.echo(to_csv(document), nl=False)
    else:
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))

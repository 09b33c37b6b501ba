"""`broker serve`: the HTTP API behind waitress (Flask's development server only with --debug)."""

import click

from broker import config
from broker.cli.common import open_database
from broker.cli.common import reports_problems
from broker.cli.common import require_current_schema


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True)
@click.option(
    "--debug", is_flag=True, help="Flask's development server with the debugger (never in production)."
)
@reports_problems
def serve(host: str, port: int, threads: int, debug: bool) -> None:
    """Serve API v1 (OpenAPI at /api/v1/openapi.json)."""
    from broker.app import create_app

    database = open_database()
    try:
        require_current_schema(database)
    finally:
        database.dispose()
    app = create_app({"DATABASE_URL": database.url})
    click.echo(
        f"broker API on http://{host}:{port}/api/v1 (database {config.redact_url(database.url)})", err=True
    )
    if debug:
        app.run(host=host, port=port, debug=True)
        return
    import waitress

    waitress.serve(app, host=host, port=port, threads=threads, ident="eevidence-broker")

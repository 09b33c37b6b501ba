"""`broker serve`: the HTTP API, by default in one process per CPU (gunicorn), else behind waitress.

One Python process runs one thread of Python at a time (the GIL), so on a machine with several CPUs
a single process leaves all but one idle however many threads it has: the intake benchmark
(bench/intake.py, docs/performance.md) measured it. `broker serve` therefore starts one worker
process per CPU by default, each with a few threads for requests that wait on the database, under
gunicorn's `gthread` workers: a pre-forking server that restarts a worker that dies and shuts down
gracefully, which is what we would otherwise have to write. Each worker builds its own app (and so
its own database connections) after the fork, because a connection must never cross a fork.

With `--processes 1`, and on platforms without fork (Windows), it runs waitress as before. `--debug`
starts Flask's development server with the debugger: never outside your own machine.
"""

import os
from collections.abc import Callable
from typing import Any

import click

from broker import config
from broker.cli import startup
from broker.cli.common import open_database
from broker.cli.common import reports_problems
from broker.cli.common import require_current_schema

# Measured on 2 CPUs with bench/intake.py (docs/performance.md, "Server set-up"): beyond 4 threads a
# process gains nothing, since they share one GIL; fewer leave it idle while a request waits for the
# database.
DEFAULT_THREADS = 4
# The Server header names the product rather than the server software, whichever serves.
SERVER_NAME = "eevidence-broker"


def can_fork() -> bool:
    """Whether this platform can run several worker processes (gunicorn needs fork)."""
    return hasattr(os, "fork")


def default_processes() -> int:
    """One worker process per CPU this process may run on, where processes can be forked; else one."""
    if not can_fork():
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, cpus)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--processes",
    type=click.IntRange(1, 64),
    envvar="BROKER_SERVE_PROCESSES",
    help="Worker processes (env BROKER_SERVE_PROCESSES) [default: one per CPU; 1 where fork is missing]",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    envvar="BROKER_SERVE_THREADS",
    default=DEFAULT_THREADS,
    show_default=True,
    help="Request threads per process (env BROKER_SERVE_THREADS).",
)
@click.option(
    "--debug", is_flag=True, help="Flask's development server with the debugger (never in production)."
)
@reports_problems
def serve(host: str, port: int, processes: int | None, threads: int, debug: bool) -> None:
    """Serve API v1 (OpenAPI at /api/v1/openapi.json)."""
    from broker.app import create_app

    database = open_database()
    try:
        require_current_schema(database)
    finally:
        database.dispose()  # no connection may be inherited by the workers forked below
    url = database.url
    processes = default_processes() if processes is None else processes
    if processes > 1 and not can_fork():
        raise click.UsageError("several processes need fork, which this platform lacks: use --processes 1")
    startup.check_serving(processes=processes, debug=debug)  # warns; refuses an unready production set-up
    where = f"http://{host}:{port}/api/v1 (database {config.redact_url(url)})"
    if debug:
        click.echo(f"broker API on {where}, Flask's development server", err=True)
        create_app({"DATABASE_URL": url}).run(host=host, port=port, debug=True)
        return
    # Build one app now, so that bad settings stop `broker serve` here rather than in every worker.
    app = create_app({"DATABASE_URL": url})
    if processes == 1:
        import waitress

        click.echo(f"broker API on {where}, 1 process x {threads} threads (waitress)", err=True)
        waitress.serve(app, host=host, port=port, threads=threads, ident=SERVER_NAME)
        return
    app.extensions["broker"].database.dispose()
    del app
    click.echo(f"broker API on {where}, {processes} processes x {threads} threads (gunicorn)", err=True)
    run_gunicorn(lambda: create_app({"DATABASE_URL": url}), host, port, processes, threads)


def run_gunicorn(factory: Callable[[], Any], host: str, port: int, processes: int, threads: int) -> None:
    """Serve the app `factory` builds, called once in each worker after it is forked, until stopped."""
    from gunicorn.app.base import BaseApplication
    from gunicorn.http import wsgi

    # gunicorn has no setting for its Server header; waitress had `ident`. Set before the fork.
    wsgi.SERVER = SERVER_NAME

    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": processes,
        "worker_class": "gthread",
        "threads": threads,
        "preload_app": False,  # the factory runs in each worker, after the fork
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        # A long evidence upload or download keeps its thread, not the worker's heartbeat, busy.
        "timeout": 60,
        "graceful_timeout": 30,
        "proc_name": SERVER_NAME,
    }

    class Server(BaseApplication):  # type: ignore[misc]
        """gunicorn driven from code rather than from its own command line."""

        def load_config(self) -> None:
            for name, value in options.items():
                self.cfg.set(name, value)

        def load(self) -> Any:
            return factory()

    Server().run()

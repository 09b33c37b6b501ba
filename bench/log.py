"""Log benchmark: inclusion and consistency proofs, and verifying the whole log, at the seeded size.

On a database seeded by bench/seed.py (which signed a checkpoint with the broker key it keeps beside
the network file), it measures:

- proofs in this process through `broker.audit.queries` (ms per proof, SQL statements per proof),
  for random entries against the whole log, and from random old sizes to the whole log;
- the same proofs over HTTP (`GET /api/v1/audit/proofs/…` as the oversight body) against
  `broker serve`;
- full verification: `broker audit export` (the CLI, as an operator runs it), then
  `broker.audit.verify.verify_log` over the export in this process, and over the API as
  `broker audit verify --url` does, in entries per second.

    python bench/log.py --url sqlite:////tmp/broker-bench/seed-100000.sqlite3 --write-docs
"""

import argparse
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import common
import requests
from common import BenchError
from common import say
from network import BenchNetwork
from network import network_file
from seed import LOG_ORIGIN
from seed import broker_key_file

from broker.audit import queries
from broker.audit import verify
from broker.audit.signer import LogSigner
from broker.db import Database


@dataclass(frozen=True)
class Proofs:
    database: str
    size: int
    kind: str
    way: str
    count: int
    p50: float
    p95: float
    statements: float


@dataclass(frozen=True)
class Verification:
    database: str
    entries: int
    way: str
    seconds: float
    error: str = ""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", action="append", required=True, help="a seeded database (repeatable)")
    parser.add_argument("--proofs", type=common.positive, default=300, help="proofs of each kind and way")
    parser.add_argument("--servers", default=None, help="the server's PxT (default: serve's)")
    parser.add_argument("--no-api-verify", action="store_true", help="skip verifying the whole log over HTTP")
    parser.add_argument("--write-docs", action="store_true", help="update the log section of the docs")
    parser.add_argument("--docs", type=Path, default=common.DOCS, help=argparse.SUPPRESS)
    parser.add_argument("--section", default="log", help="the docs section to write (default: log)")
    args = parser.parse_args(argv)
    from broker.cli.serve import DEFAULT_THREADS
    from broker.cli.serve import default_processes

    setup = args.servers or f"{default_processes()}x{DEFAULT_THREADS}"
    processes, threads = (int(x) for x in setup.split("x"))
    proofs: list[Proofs] = []
    checks: list[Verification] = []
    plans: list[str] = []
    versions = {}
    try:
        for url in args.url:
            if url.startswith("postgresql"):
                versions["PostgreSQL"] = common.postgres_version(common.postgres_url(url, "postgres"))
            found, verified, plan = measure(url, args.proofs, processes, threads, not args.no_api_verify)
            proofs += found
            checks += verified
            plans += plan
    except BenchError as error:
        say(f"bench: {error}")
        return 1
    command = shlex.join(["python", "bench/log.py", *(argv if argv is not None else sys.argv[1:])])
    text = render(proofs, checks, plans, common.machine(versions), command, setup, args.section)
    print(text)
    if args.write_docs:
        common.write_section(args.section, text, args.docs)
        say(f"bench: wrote the {args.section} section of {args.docs}")
    return 0


def measure(
    url: str, count: int, processes: int, threads: int, api_verify: bool
) -> tuple[list[Proofs], list[Verification], list[str]]:
    kind = common.database_kind(url)
    common.ready_seeded(url)
    network = BenchNetwork.load(network_file(url))
    key = broker_key_file(url)
    if not key.exists():
        raise BenchError(f"no broker key {key}: seed the database with bench/seed.py")
    vkey = LogSigner.from_file(LOG_ORIGIN, key).vkey
    database = Database(url)
    rng = random.Random(11)  # noqa: S311 - which entries to prove, not a secret
    try:
        with database.transaction() as session:
            size = queries.log_size(session)
            latest = queries.latest_checkpoint(session)
            entries = latest.size if latest is not None else 0
        say(f"{kind}: log of {size:,} entries")
        indexes = [rng.randrange(size) for _ in range(count)]
        old_sizes = [rng.randrange(1, size + 1) for _ in range(count)]
        proofs = [
            _in_process(
                database, kind, size, "inclusion", lambda s, i: queries.inclusion_proof(s, i, size), indexes
            ),
            _in_process(
                database,
                kind,
                size,
                "consistency",
                lambda s, o: queries.consistency_proof(s, o, size),
                old_sizes,
            ),
        ]
        plans = common.explain(
            database,
            lambda: _prove(database, indexes[0], size),
            f"{kind}, an inclusion proof",
            "audit_subtrees",
        )
        checks = []
        with tempfile.TemporaryDirectory(prefix="broker-log-") as folder:
            export = Path(folder) / "export.json"
            started = time.perf_counter()
            env = {**os.environ, "BROKER_DATABASE_URL": url}
            command = [sys.executable, "-m", "broker.cli", "audit", "export", str(export)]
            subprocess.run(command, env=env, check=True, capture_output=True)  # noqa: S603
            exported = time.perf_counter() - started
            document = json.loads(export.read_text())
            checks += [
                Verification(kind, entries, "`broker audit export` (CLI, to a file)", exported),
                _verify(
                    kind,
                    entries,
                    "verify_log over the export, in process",
                    verify.ExportSource(document),
                    vkey,
                ),
            ]
            del document
            with (
                common.running_server(url, Path(folder), processes, threads) as server,
                requests.Session() as http,
            ):
                http.headers.update(network["oversight"].headers)
                for name, values, path in (
                    ("inclusion", indexes, "/api/v1/audit/proofs/inclusion?index={}&size=" + str(size)),
                    (
                        "consistency",
                        old_sizes,
                        "/api/v1/audit/proofs/consistency?old_size={}&new_size=" + str(size),
                    ),
                ):
                    spent = []
                    for value in values:
                        started = time.perf_counter()
                        answer = http.get(server.url + path.format(value), timeout=60)
                        spent.append(time.perf_counter() - started)
                        if answer.status_code != 200:
                            raise BenchError(
                                f"{path.format(value)} answered {answer.status_code}: {answer.text[:200]}"
                            )
                    proofs.append(Proofs(kind, size, name, "HTTP", len(spent), *_percentiles(spent), 0))
                if api_verify:
                    source = verify.ApiSource(server.url, network["oversight"].token, http)
                    checks.append(_verify(kind, entries, "verify_log through the API (HTTP)", source, vkey))
        return proofs, checks, plans
    finally:
        database.dispose()


def _prove(database: Database, index: int, size: int) -> None:
    with database.transaction() as session:
        queries.inclusion_proof(session, index, size)


def _verify(kind: str, entries: int, what: str, source: verify.LogSource, vkey: str) -> Verification:
    """Time one whole verification; a failure is recorded in the table rather than ending the run."""
    started = time.perf_counter()
    try:
        verify.verify_log(source, vkey)
    except Exception as error:  # a benchmark reports what broke and goes on
        say(f"   {what}: FAILED {type(error).__name__}: {error}")
        return Verification(
            kind, entries, what, time.perf_counter() - started, f"{type(error).__name__}: {error}"
        )
    seconds = time.perf_counter() - started
    say(f"   {what}: {seconds:.1f} s ({entries / seconds:,.0f} entries/s)")
    return Verification(kind, entries, what, seconds)


def _percentiles(spent: list[float]) -> tuple[float, float]:
    return common.percentile(spent, 0.5), common.percentile(spent, 0.95)


def _in_process(
    database: Database, kind: str, size: int, name: str, prove: object, values: list[int]
) -> Proofs:
    """Each proof in its own transaction, as a request would; statements counted over all of them."""
    assert callable(prove)
    spent = []
    with common.counting_statements(database.engine) as statements:
        for value in values:
            started = time.perf_counter()
            with database.transaction() as session:
                prove(session, value)
            spent.append(time.perf_counter() - started)
    sent = len(statements) / len(values)  # the drivers begin and commit without a statement of their own
    result = Proofs(kind, size, name, "in process", len(values), *_percentiles(spent), sent)
    say(f"   {name}: p50 {result.p50 * 1000:.2f} ms, {result.statements:.1f} statements per proof")
    return result


def render(
    proofs: list[Proofs],
    checks: list[Verification],
    plans: list[str],
    host: dict[str, str],
    command: str,
    setup: str,
    section: str = "log",
) -> str:
    title = "## Log: proofs and full verification"
    if section != "log":  # a section of its own, e.g. at another size: its title says which
        databases = common.database_names(p.database for p in proofs)
        title += f", at {max(p.size for p in proofs):,} log entries ({databases})"
    lines = [
        title,
        "",
        f"Generated by `bench/log.py`; {common.machine_lines(host)[0]}",
        "",
        "Method: on a database seeded by `bench/seed.py`, inclusion proofs of random entries in the whole log "
        "and consistency proofs from random old sizes to the whole log, each in a transaction of its own "
        "through `broker.audit.queries` (*in process*), and the same proofs as `GET /api/v1/audit/proofs/…` "
        f"by the oversight body against `broker serve` ({setup}), one after another. *statements* counts the "
        "SQL statements one proof sends. Full verification: `broker audit export` to a file, then `broker.audit.verify.verify_log` "
        "over the export in this process (JSON parsing not included) and through the API as "
        "`broker audit verify --url` does.",
        "",
    ]
    lines += common.table(
        ("database", "log entries", "proof", "way", "proofs", "p50 ms", "p95 ms", "statements"),
        [
            (
                p.database,
                f"{p.size:,}",
                p.kind,
                p.way,
                p.count,
                f"{p.p50 * 1000:.2f}",
                f"{p.p95 * 1000:.2f}",
                f"{p.statements:.1f}" if p.way != "HTTP" else "",
            )
            for p in proofs
        ],
        "lrllrrrr",
    )
    lines += [""]
    lines += common.table(
        ("database", "entries", "what", "seconds", "entries/s"),
        [
            (c.database, f"{c.entries:,}", c.way, f"{c.seconds:.1f}", f"{c.entries / c.seconds:,.0f}")
            for c in checks
        ],
        "lrlrr",
    )
    lines += ["", "<details><summary>SQL plan of a proof's subtree query</summary>", "", *plans, "</details>"]
    lines += ["", f"Regenerate: `{command}`."]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

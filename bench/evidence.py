"""Benchmark of encrypted evidence delivery: throughput by package size, and the server's memory.

For each database and package size it builds the demo network on a fresh database, gets an EPOC to
`received` in-process, starts `broker serve` as a separate process, then sends a file of random bytes
as the provider (hash, encrypt, chunked upload, signed manifest) and fetches it as the prosecutor
(download, verify, decrypt) over HTTP, timing the phases through the client's progress hooks. The
server's peak resident memory (VmHWM) is read from /proc after each size, one fresh server per size.

    python bench/evidence.py --sizes 10MB,100MB,1GB --databases sqlite,postgresql

Sizes are binary: 1MB is 2**20 bytes. The results replace this benchmark's section of docs/performance.md unless --output says
otherwise. Linux only (it reads /proc/<pid>/status).
"""

import argparse
import contextlib
import hashlib
import importlib.metadata
import os
import platform
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import common
import requests
import sqlalchemy as sa
from common import BenchError

from broker import migrate
from broker.app import create_app
from broker.client import BrokerClient
from broker.client import KeySigner
from broker.client import age
from broker.client import evidence_fetching as fetching
from broker.client import evidence_sending as sending
from broker.clock import system_clock
from broker.db import Database
from broker.demo.network import Party
from broker.demo.network import build_network
from broker.demo.scenario import Demo

MiB = 1 << 20
UNITS = {"": 1, "b": 1, "kb": 1 << 10, "kib": 1 << 10, "mb": MiB, "mib": MiB, "gb": 1 << 30, "gib": 1 << 30}
DATABASES = ("sqlite", "postgresql")
POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BENCH_DATABASE = "bench_evidence"
DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "docs" / "performance.md"
# Peak memory counts as flat if the largest package's peak exceeds the smallest's by less than this.
FLAT_TOLERANCE = 16 * MiB
# Plaintext, encrypted package, stored chunks and the assembled object coexist while `complete`
# runs; later plaintext, stored object, download and decrypted copy. Four copies, plus a margin.
DISK_COPIES = 5


@dataclass(frozen=True)
class Result:
    """One delivery of one package size on one database; times in seconds, memory in bytes."""

    database: str
    size: int
    package_size: int
    encrypt_seconds: float
    upload_seconds: float
    complete_seconds: float
    seal_seconds: float
    download_seconds: float
    fetch_seconds: float
    baseline_rss: int | None
    peak_rss: int | None


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, run every database and size, write the report; 0 on success."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10MB,100MB,1GB", help="comma-separated, e.g. 10MB,1GB (binary)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the Markdown report to write")
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL, help="a superuser URL to create the DB")
    parser.add_argument("--chunk-size", help="BROKER_EVIDENCE_CHUNK_SIZE for the server (default: its own)")
    parser.add_argument(
        "--work-dir", type=Path, help="where the temporary folder goes (default: system temp)"
    )
    args = parser.parse_args(argv)
    try:
        sizes = [parse_size(size) for size in args.sizes.split(",")]
        databases = [name.strip() for name in args.databases.split(",")]
        unknown = sorted(set(databases) - set(DATABASES))
        if unknown:
            raise BenchError(f"unknown database {', '.join(unknown)}: choose from {', '.join(DATABASES)}")
        chunk_size = parse_size(args.chunk_size) if args.chunk_size else None
        versions = {"SQLite": sqlite3.sqlite_version}
        if "postgresql" in databases:
            versions["PostgreSQL"] = postgres_version(args.postgres_url)
        results = run(
            sizes,
            databases,
            postgres_url=args.postgres_url,
            chunk_size=chunk_size,
            work_dir=args.work_dir,
            say=lambda line: print(line, file=sys.stderr, flush=True),
        )
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    command = shlex.join(["python", "bench/evidence.py", *(argv if argv is not None else sys.argv[1:])])
    common.write_section("evidence", render(results, machine(versions), chunk_size, command), args.output)
    print(f"bench: wrote its section of {args.output}", file=sys.stderr)
    return 0


def parse_size(text: str) -> int:
    """`10MB` → 10 MiB in bytes (binary units, B/KB/MB/GB and KiB/MiB/GiB alike)."""
    match = re.fullmatch(r"\s*(\d+)\s*([a-zA-Z]*)\s*", text)
    if match is None or match.group(2).lower() not in UNITS or int(match.group(1)) == 0:
        raise BenchError(f"not a size: {text!r} (write e.g. 10MB, 512KB or 1GB)")
    return int(match.group(1)) * UNITS[match.group(2).lower()]


def run(
    sizes: Sequence[int],
    databases: Sequence[str],
    *,
    postgres_url: str = POSTGRES_ADMIN_URL,
    chunk_size: int | None = None,
    work_dir: Path | None = None,
    say: Callable[[str], None] = lambda line: None,
) -> list[Result]:
    """Every size on every database, each in its own temporary folder, database and server."""
    folder = Path(tempfile.mkdtemp(prefix="broker-bench-", dir=work_dir))
    try:
        check_disk(folder, max(sizes))
        results = []
        for database in databases:
            for size in sizes:
                say(f"{database}, {human(size)}:")
                result = one_run(database, size, folder / f"{database}-{size}", postgres_url, chunk_size)
                say(
                    f"   encrypt {result.encrypt_seconds:.2f} s, upload {result.upload_seconds:.2f} s "
                    f"(complete {result.complete_seconds:.2f} s), "
                    f"download {result.download_seconds:.2f} s, fetch {result.fetch_seconds:.2f} s; server "
                    f"RSS {mib(result.baseline_rss)} at start, {mib(result.peak_rss)} at peak"
                )
                results.append(result)
        return results
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def one_run(database: str, size: int, folder: Path, postgres_url: str, chunk_size: int | None) -> Result:
    """One fresh database, network, order and server; one file of `size` random bytes sent and fetched."""
    folder.mkdir()
    try:
        plaintext = folder / "produced" / "evidence.bin"
        sha256 = random_file(plaintext, size)
        with fresh_database(database, folder, postgres_url) as url:
            parties, order_id = prepare(url, folder)
            with running_server(url, folder, chunk_size) as server:
                baseline = server.peak_rss()
                timings = deliver(server.url, parties, order_id, plaintext, sha256, folder)
                return Result(database, size, **timings, baseline_rss=baseline, peak_rss=server.peak_rss())
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# Setting up.


def check_disk(folder: Path, largest: int) -> None:
    """Refuse to start when the temporary folder's disk cannot hold the largest run."""
    needed = DISK_COPIES * largest + 256 * MiB
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise BenchError(
            f"{human(largest)} packages need about {human(needed)} free in {folder.parent}, which has "
            f"{human(free)}: give --work-dir on a larger disk or smaller --sizes"
        )


def random_file(path: Path, size: int) -> str:
    """Write `size` random bytes in 1 MiB blocks (never all in memory); returns their SHA-256."""
    path.parent.mkdir(parents=True)
    digest = hashlib.sha256()
    with path.open("wb") as sink:
        for start in range(0, size, MiB):
            block = os.urandom(min(MiB, size - start))
            digest.update(block)
            sink.write(block)
    return digest.hexdigest()


def postgres_version(admin_url: str) -> str:
    """The server's version, which also proves it is reachable before any work starts."""
    engine = sa.create_engine(admin_url)
    try:
        with engine.connect() as connection:
            return str(connection.execute(sa.text("SHOW server_version")).scalar_one())
    except sa.exc.OperationalError as error:
        where = sa.engine.make_url(admin_url).render_as_string(hide_password=True)
        raise BenchError(
            f"PostgreSQL is not reachable at {where} ({str(error.orig).strip().splitlines()[0]}): start it, "
            "give --postgres-url, or leave postgresql out of --databases"
        ) from error
    finally:
        engine.dispose()


@contextlib.contextmanager
def fresh_database(kind: str, folder: Path, postgres_url: str) -> Iterator[str]:
    """An empty database's URL: an SQLite file in `folder`, or a PostgreSQL database dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'broker.sqlite3'}"
        return
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)"))
            connection.execute(sa.text(f"CREATE DATABASE {BENCH_DATABASE}"))
        try:
            url = sa.engine.make_url(postgres_url).set(database=BENCH_DATABASE)
            yield url.render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)"))
    finally:
        admin.dispose()


def prepare(url: str, folder: Path) -> tuple[dict[str, Party], str]:
    """Migrate, register the demo network (keys in `folder`) and get an EPOC to `received`, in-process."""
    database = Database(url)
    try:
        migrate.upgrade(database)
        parties = build_network(database, system_clock, folder)
        settings = {"EVIDENCE_STORAGE": "local", "EVIDENCE_FOLDER": str(folder / "evidence")}
        app = create_app(settings, database=database)
        demo = Demo(app.test_client(), parties, system_clock, lambda line: None)
        prosecutor, provider = parties["prosecutor"], parties["provider"]
        order = demo.draft(prosecutor, demo.find_addressee(prosecutor, provider))
        order = demo.receive(prosecutor, provider, demo.issue(prosecutor, provider, order))
        return parties, str(order["id"])
    finally:
        database.dispose()


class Server(common.Server):
    """A `broker serve` process (one, so that its peak memory is the whole server's)."""

    def peak_rss(self) -> int | None:
        """The process's peak resident set (VmHWM) in bytes; None where /proc has no such line."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        match = re.search(r"^VmHWM:\s+(\d+) kB$", status, re.MULTILINE)
        return int(match.group(1)) * 1024 if match else None


@contextlib.contextmanager
def running_server(database_url: str, folder: Path, chunk_size: int | None) -> Iterator[Server]:
    """Start `broker serve` on the database and stop it however the block ends."""
    port = common.free_port()
    # The server sees only the settings given here, and spools request bodies into `folder`.
    env = {name: value for name, value in os.environ.items() if not name.startswith("BROKER_")}
    env.update(
        BROKER_DATABASE_URL=database_url,
        BROKER_EVIDENCE_FOLDER=str(folder / "evidence"),
        BROKER_INSTANCE_PATH=str(folder / "instance"),
        TMPDIR=str(folder / "spool"),
    )
    if chunk_size is not None:
        env["BROKER_EVIDENCE_CHUNK_SIZE"] = str(chunk_size)
    (folder / "spool").mkdir()
    log = folder / "serve.log"
    # One waitress process with 8 threads: with several (gunicorn) processes, the process measured for
    # peak memory would be the master, not the workers that hold the bytes.
    command = [
        *(sys.executable, "-m", "broker.cli", "serve", "--host", "127.0.0.1", "--port", str(port)),
        *("--processes", "1", "--threads", "8"),
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        server = Server(process, f"http://127.0.0.1:{port}", log)
        server.wait_until_ready()
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# Measuring.


class TimedBroker(BrokerClient):
    """The client, adding up the time spent waiting for `complete` (the server's assembly)."""

    completing = 0.0

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        started = time.perf_counter()
        try:
            return super().request(method, path, **kwargs)
        finally:
            if path.endswith("/complete"):
                self.completing += time.perf_counter() - started


class Phase:
    """A progress bar for sending.send and fetching.fetch that only notes when its phase starts and ends."""

    def __init__(self, spans: dict[str, list[float]], label: str) -> None:
        self.spans = spans
        self.label = label

    def __enter__(self) -> "Phase":
        self.spans[self.label] = [time.perf_counter()]
        return self

    def __exit__(self, *exc: object) -> None:
        self.spans[self.label].append(time.perf_counter())

    def update(self, n: int) -> None:
        return None


def deliver(
    url: str, parties: dict[str, Party], order_id: str, plaintext: Path, sha256: str, folder: Path
) -> dict[str, Any]:
    """Send as the provider and fetch as the prosecutor over HTTP; the seconds of each phase."""
    spans: dict[str, list[float]] = {}

    def progress(label: str, total: int) -> Phase:
        return Phase(spans, label)

    provider, prosecutor = parties["provider"], parties["prosecutor"]
    signer = KeySigner.from_pem_file(folder / "provider.pem")
    assert prosecutor.identity_file is not None
    identities = age.parse_identities(prosecutor.identity_file.read_text())
    with requests.Session() as http:
        sent = time.perf_counter()
        broker = TimedBroker(url, provider.token, http)
        manifest = sending.send(
            broker,
            order_id,
            [plaintext],
            signer,
            folder / "provider-work",
            progress=progress,
        )
        sealed = time.perf_counter()
    with requests.Session() as http:
        fetch_started = time.perf_counter()
        [fetched] = fetching.fetch(
            BrokerClient(url, prosecutor.token, http),
            order_id,
            identities,
            folder / "received",
            progress=progress,
        )
        fetched_at = time.perf_counter()
    if fetched["sha256"] != sha256 or Path(fetched["path"]).stat().st_size != plaintext.stat().st_size:
        raise BenchError(f"the fetched file {fetched['path']} differs from what was sent")
    upload, download = spans["uploading"], spans["downloading"]
    return {
        "package_size": manifest["body"]["files"][0]["package"]["size"],
        "encrypt_seconds": upload[0] - sent,
        "upload_seconds": upload[1] - upload[0],
        "complete_seconds": broker.completing,
        "seal_seconds": sealed - upload[1],
        "download_seconds": download[1] - download[0],
        "fetch_seconds": fetched_at - fetch_started,
    }


def machine(versions: dict[str, str]) -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        model = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
        cpu = model.group(1) if model else cpu
    memory = "unknown"
    with contextlib.suppress(OSError):
        total = re.search(r"^MemTotal:\s+(\d+) kB$", Path("/proc/meminfo").read_text(), re.MULTILINE)
        memory = human(int(total.group(1)) * 1024) if total else memory
    packages = {name: importlib.metadata.version(name) for name in ("waitress", "pyrage", "SQLAlchemy")}
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu}, {os.cpu_count()} logical CPUs, {platform.machine()}",
        "memory": memory,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "software": ", ".join(f"{name} {version}" for name, version in {**packages, **versions}.items()),
    }


# Reporting.


def human(size: int) -> str:
    """Bytes as the largest binary unit that keeps a whole number where it can: 1 GiB, 10 MiB, 1.5 GiB."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", MiB), ("KiB", 1 << 10)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) or value >= 100 else f"{value:.1f} {unit}"
    return f"{size} B"


def mib(size: int | None) -> str:
    return "n/a" if size is None else f"{size / MiB:.1f} MiB"


def rate(size: int, seconds: float) -> str:
    return f"{size / MiB / seconds:.1f}" if seconds > 0 else "n/a"


def memory_verdict(results: Sequence[Result]) -> str:
    """Whether the server's peak stays flat from the smallest to the largest package, computed."""
    measured = sorted((r for r in results if r.peak_rss is not None), key=lambda r: r.size)
    if len(measured) < 2:
        return "Only one package size was measured, so there is nothing to compare the peak with."
    small, large = measured[0], measured[-1]
    assert small.peak_rss is not None and large.peak_rss is not None
    growth = large.peak_rss - small.peak_rss
    flat = growth < FLAT_TOLERANCE
    return (
        f"Peak server memory {'stays flat' if flat else 'GROWS with package size'}: the {human(large.size)} "
        f"run peaked {growth / MiB:+.1f} MiB from the {human(small.size)} run "
        f"({mib(small.peak_rss)} → {mib(large.peak_rss)}) while the package grew "
        f"{(large.package_size - small.package_size) / MiB:.0f} MiB"
        f" (flat means less than {FLAT_TOLERANCE // MiB} MiB)."
    )


def render(results: Sequence[Result], host: dict[str, str], chunk_size: int | None, command: str) -> str:
    """The Markdown report: machine, method, one table per database, the memory verdict, how to rerun."""
    chunk = human(chunk_size) if chunk_size else "8 MiB (the default)"
    lines = [
        "## Evidence delivery",
        "",
        f"Generated by `bench/evidence.py` on {host['date']}. Rerun the benchmark rather than editing the numbers.",
        "",
        "### Machine",
        "",
        f"- CPU: {host['cpu']}",
        f"- Memory: {host['memory']}; {host['system']}",
        f"- Python {host['python']}; {host['software']}",
        "",
        "### Method",
        "",
        "For each database and package size the benchmark starts from scratch: a fresh database (an SQLite "
        f"file, or a PostgreSQL database `{BENCH_DATABASE}` created and dropped again), migrated, with the "
        "demo network registered and an EPOC issued and received in-process. Then `broker serve` (waitress, "
        f"8 threads) starts as a separate process with chunks of {chunk}, local evidence storage and its temp "
        "folder on the same disk as the benchmark. The benchmark sends a file of random bytes as the "
        "provider with `broker.client.evidence_sending.send` and fetches it as the prosecutor with `broker.client.evidence_fetching.fetch`, "
        "over HTTP on the loopback interface, client and server on the same machine. The phases are timed "
        "through the client's progress hooks:",
        "",
        "- **Encrypt**: plaintext bytes / (three API reads, SHA-256 of the plaintext, age encryption into "
        "the work folder, SHA-256 of the package).",
        "- **Upload**: package bytes / (announcing the package, every chunk PUT with its digest, and "
        "`complete`, where the server assembles the chunks, hashing them as it writes the package; the seconds table shows that share). "
        "Signing and posting the manifest afterwards is not included (*Manifest* in the seconds table).",
        "- **Download**: package bytes / streaming `GET …/content` into a file.",
        "- **Fetch, verify, decrypt**: plaintext bytes / the whole `fetch`: manifest signature, download, "
        "package SHA-256, decryption, plaintext SHA-256 and the decryption report.",
        "- **Server RSS**: `VmHWM` (peak resident set) of the server process from `/proc/<pid>/status`: "
        "*baseline* once it has answered its first request (the OpenAPI document), *peak* after the fetch. "
        "Each size gets its own server, so each peak belongs to one size.",
        "",
        "MiB/s are 2^20 bytes per second; one run per cell, so expect some noise between runs. The page "
        "cache is warm: the files were just written.",
        "",
        "### Results",
    ]
    for database in dict.fromkeys(r.database for r in results):
        rows = [r for r in results if r.database == database]
        lines += [
            "",
            f"#### {'SQLite' if database == 'sqlite' else 'PostgreSQL'}",
            "",
            "| Package | Encrypt MiB/s | Upload MiB/s | Download MiB/s | Fetch, verify, decrypt MiB/s "
            "| Server baseline RSS | Server peak RSS |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {human(r.size)} | {rate(r.size, r.encrypt_seconds)} | {rate(r.package_size, r.upload_seconds)} "
            f"| {rate(r.package_size, r.download_seconds)} | {rate(r.size, r.fetch_seconds)} "
            f"| {mib(r.baseline_rss)} | {mib(r.peak_rss)} |"
            for r in rows
        ]
        lines += ["", memory_verdict(rows)]
    lines += [
        "",
        "Seconds per phase:",
        "",
        "| Database | Package | Encrypt | Upload | of which `complete` | Manifest | Download "
        "| Fetch, verify, decrypt |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.database} | {human(r.size)} | {r.encrypt_seconds:.2f} | {r.upload_seconds:.2f} "
        f"| {r.complete_seconds:.2f} | {r.seal_seconds:.2f} | {r.download_seconds:.2f} | {r.fetch_seconds:.2f} |"
        for r in results
    ]
    lines += [
        "",
        "### Why the server's memory does not depend on package size",
        "",
        "The server never holds a package: `PUT …/chunks/{n}` streams `request.stream` to storage in 1 MiB "
        "blocks, `complete` concatenates and hashes the chunks in 1 MiB blocks, and `GET …/content` is a "
        "generator over 1 MiB blocks. waitress buffers each request body before the app sees it, in memory "
        "only up to `inbuf_overflow` (512 KiB) and in a temporary file beyond that, so an 8 MiB chunk costs "
        "disk in the server's temp folder, not memory; its `max_request_body_size` (1 GiB by default) "
        "limits one chunk, not a package. On the way out, waitress spills pending output to a temporary "
        "file beyond `outbuf_overflow` (1 MiB) and pauses the generator above `outbuf_high_watermark` "
        "(16 MiB). If the server's temp folder is a tmpfs, the spooled chunks do take RAM, though not in "
        "the process's RSS.",
        "",
        "Each peak above is one delivery on a fresh server. A server that keeps running can still creep: "
        "glibc gives every waitress thread its own malloc arena, and the arenas keep some of the freed 1 MiB "
        "download blocks instead of returning them to the system, so RSS rises slowly with the bytes served "
        "across many downloads, not with any one package's size. `MALLOC_ARENA_MAX=2` in the server's "
        "environment keeps it flat.",
        "",
        "Not measured here: several uploads or downloads at once, packages of thousands of chunks (where "
        "per-chunk costs dominate), and the S3 storage backend.",
        "",
        "### Rerun",
        "",
        "```sh",
        "python bench/evidence.py --sizes 10MB,100MB,1GB --databases sqlite,postgresql",
        "```",
        "",
        f"Run it from the repository root with the project's virtualenv (`pip install -e '.[postgres]'`). "
        f"This report came from `{command}`. PostgreSQL must accept the superuser on 127.0.0.1:5432 "
        "(`--postgres-url` to change that); the largest size needs about five times its size of free disk "
        "(`--work-dir` to put the temporary folder elsewhere). `--chunk-size` sets the server's "
        "BROKER_EVIDENCE_CHUNK_SIZE. The smoke test `tests/test_bench_smoke.py` keeps the script working.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

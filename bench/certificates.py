"""How long a certificate PDF takes: render + seal per form, and the verifier, p50 and p95.

    python bench/certificates.py                                  # prints the table
    python bench/certificates.py --output docs/certificates.md    # and puts it between its markers there

Pure CPU, no database: each form is rendered from the example messages (broker.certificates.samples),
sealed with a P-256 seal made for the run, and verified, `--repeat` times after one warm-up (the first
call of a process also loads the fonts and pyHanko, reported apart). Wall-clock time depends on what
else the machine runs, so the CPU time of the process is measured too: on a shared machine it is the
figure that says what one PDF costs.

With --output the table goes between `<!-- bench:certificates -->` and `<!-- /bench:certificates -->`
in that file (appended with its markers if they are missing); nothing outside them changes.
"""

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import common
from common import write_section

from broker.certificates import Seal
from broker.certificates import Verdict
from broker.certificates import certificate_pdf
from broker.certificates import verify_pdf
from broker.certificates.samples import PROSECUTOR
from broker.certificates.samples import PROVIDER
from broker.certificates.samples import parties
from broker.certificates.samples import samples
from broker.certificates.samples import trust_list
from broker.wire import envelope

SECTION = "certificates"  # the name in the markers of the section this benchmark writes


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Times:
    """Seconds per run: wall clock, and CPU time of this process."""

    wall: list[float]
    cpu: list[float]


def timed(work: Callable[[], object], repeat: int) -> Times:
    work()  # warm-up: fonts registered, modules imported
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return Times(wall, cpu)


@dataclass(frozen=True)
class Row:
    form: str
    language: str
    size: int
    made: Times
    checked: Times


def measure(repeat: int) -> tuple[list[Row], float]:
    """Per form: its name, language, PDF size, render+seal times and verify times; and the first call."""
    seal = Seal.generate("bench seal")
    signers = parties()
    trusted = trust_list(signers)
    examples = samples(signers)
    certificate = examples[0].message
    certificate_id = envelope.read_unverified(certificate)["id"]
    extension = signers["prosecutor"].sign(
        "preservation-extension", {"reason": "Translation pending."}, PROVIDER, certificate_id
    )
    confirmation = signers["prosecutor"].sign(
        "production-request-confirmation",
        {"request_type": "eio", "reference": "EIO-1", "issued_on": "2026-12-01"},
        PROVIDER,
        certificate_id,
    )
    acknowledgement = signers["provider"].sign(
        "acknowledgement", {"addressee_file_number": "EM-1"}, PROSECUTOR, certificate_id
    )
    cases = [
        ("Annex I (EPOC)", examples[0].message, "de"),
        ("Annex II (EPOC-PR)", examples[1].message, "fr"),
        ("Annex III (response)", examples[2].message, "en"),
        ("Annex V (confirmation)", confirmation, "en"),
        ("Annex VI (extension)", extension, "fr"),
        ("other message (acknowledgement)", acknowledgement, "de"),
    ]
    start = time.perf_counter()
    certificate_pdf(certificate, seal, language="en", certificate=certificate)
    first = time.perf_counter() - start
    rows = []
    for name, message, language in cases:

        def render(message: str = message, language: str = language) -> bytes:
            return certificate_pdf(
                message, seal, language=language, order_reference="bench", certificate=certificate
            )

        pdf = render()
        verdict = verify_pdf(pdf, [seal.certificate], trusted)
        if not verdict.valid:
            raise SystemExit(f"{name}: {verdict.line()}")

        def check(pdf: bytes = pdf) -> Verdict:
            return verify_pdf(pdf, [seal.certificate], trusted)

        rows.append(Row(name, language, len(pdf), timed(render, repeat), timed(check, repeat)))
    return rows, first


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def spread(times: Times, fraction: float) -> str:
    """One cell: the wall-clock percentile, then the CPU one in brackets."""
    return f"{ms(percentile(times.wall, fraction))} ({ms(percentile(times.cpu, fraction))})"


def section(rows: list[Row], first: float, repeat: int) -> str:
    """The Markdown this benchmark writes: how it ran, then per form p50 and p95, wall and CPU."""
    lines = [
        f"`python bench/certificates.py --repeat {repeat}` on {platform.machine()} ({os.cpu_count()} cores, load "
        f"average {os.getloadavg()[0]:.1f} while it ran), Python {platform.python_version()}, "
        "one process, no database: each form rendered from the example messages and sealed (P-256, PAdES B-B), "
        f"then verified (seal, attachment, signature, schema); {repeat} runs after a warm-up. Wall-clock time "
        "grows with the machine's load; CPU time is what one PDF costs. The first call in a process took "
        f"{ms(first)} (fonts and pyHanko loaded once).",
        "",
        "| form | language | PDF size | render + seal p50 (CPU) | p95 (CPU) | verify p50 (CPU) | p95 (CPU) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        cells = [spread(times, fraction) for times in (row.made, row.checked) for fraction in (0.5, 0.95)]
        lines.append(f"| {row.form} | {row.language} | {row.size / 1024:.0f} KiB | {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=common.positive, default=20)
    parser.add_argument(
        "--output", type=Path, help="a Markdown file to write the table into, between its markers"
    )
    arguments = parser.parse_args(argv)
    rows, first = measure(arguments.repeat)
    text = section(rows, first, arguments.repeat)
    print(text)
    if arguments.output:
        write_section(SECTION, text, arguments.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())

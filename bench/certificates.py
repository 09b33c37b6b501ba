"""How long a certificate PDF takes: render + seal per form, and the verifier, p50 and p95.

    python bench/certificates.py                     # prints the table
    python bench/certificates.py --output docs/performance.md   # replaces its "Certificates as PDF" section

Pure CPU, no database: each form is rendered from the example messages (broker.certificates.samples),
sealed with a P-256 seal made for the run, and verified, `--repeat` times after one warm-up (the first
call of a process also loads the fonts and pyHanko, reported apart).
"""

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from broker.certificates import Seal
from broker.certificates import certificate_pdf
from broker.certificates import verify_pdf
from broker.certificates.samples import PROSECUTOR
from broker.certificates.samples import PROVIDER
from broker.certificates.samples import parties
from broker.certificates.samples import samples
from broker.certificates.samples import trust_list
from broker.wire import envelope

SECTION = "## Certificates as PDF"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(work: Callable[[], object], repeat: int) -> list[float]:
    work()  # warm-up: fonts registered, modules imported
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


def measure(repeat: int) -> tuple[list[tuple[str, str, int, list[float], list[float]]], float]:
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
        rows.append(
            (
                name,
                language,
                len(pdf),
                timed(render, repeat),
                timed(lambda pdf=pdf: verify_pdf(pdf, [seal.certificate], trusted), repeat),
            )
        )
    return rows, first


def section(rows: list[tuple[str, str, int, list[float], list[float]]], first: float, repeat: int) -> str:
    lines = [
        SECTION,
        "",
        f"`python bench/certificates.py --repeat {repeat}` on {platform.machine()} ({os.cpu_count()} cores, load "
        f"average {os.getloadavg()[0]:.1f} while it ran), Python {platform.python_version()}, "
        "one process, no database: each form rendered from the example messages and sealed (P-256, PAdES B-B), "
        f"then verified (seal, attachment, signature, schema); {repeat} runs after a warm-up. The first call in a "
        f"process took {first * 1000:.0f} ms (fonts and pyHanko loaded once).",
        "",
        "| form | language | PDF size | render + seal p50 | p95 | verify p50 | p95 |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, language, size, made, checked in rows:
        lines.append(
            f"| {name} | {language} | {size / 1024:.0f} KiB | {statistics.median(made) * 1000:.0f} ms | "
            f"{percentile(made, 0.95) * 1000:.0f} ms | {statistics.median(checked) * 1000:.0f} ms | "
            f"{percentile(checked, 0.95) * 1000:.0f} ms |"
        )
    return "\n".join(lines) + "\n"


def write(output: Path, text: str) -> None:
    """Replace this benchmark's section of `output`, or append it; other sections are left as they are."""
    current = output.read_text(encoding="utf-8") if output.exists() else ""
    if SECTION in current:
        before, _, rest = current.partition(SECTION)
        following = rest.find("\n## ")
        after = rest[following + 1 :] if following >= 0 else ""
        current = before + text + ("\n" + after if after else "")
    else:
        current = current.rstrip("\n") + "\n\n" + text
    output.write_text(current, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--output", type=Path, help="the Markdown file whose section to replace")
    arguments = parser.parse_args(argv)
    rows, first = measure(arguments.repeat)
    text = section(rows, first, arguments.repeat)
    print(text)
    if arguments.output:
        write(arguments.output, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

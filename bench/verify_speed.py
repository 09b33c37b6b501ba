"""How fast the whole log verifies in process: the fast pass against the entry-by-entry parse it replaced.

Measures a synthetic log of a million entries shaped like the broker's and prints entries per second
(issue 11's target: 500,000 entries/s in process):

    .venv/bin/python bench/verify_speed.py [ENTRIES]

Times are CPU time of this process (`time.process_time`), so other work on the machine disturbs them
less than it would wall-clock time; the best of a few runs is reported.
"""

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "audit"))

import synthetic_log
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from broker import translog
from broker.audit import verify
from broker.audit.verify_scan import LogScan


def synthetic_export(count: int) -> tuple[dict[str, Any], str]:
    """An export of `count` synthetic entries with one checkpoint over all of them, and its vkey."""
    key = Ed25519PrivateKey.generate()
    texts = synthetic_log.leaves(count, exact=False)
    document = synthetic_log.export(
        key, synthetic_log.entries(texts), [synthetic_log.signed_note(key, texts)]
    )
    return document, translog.verifier_key(synthetic_log.ORIGIN, key.public_key())


def rate(count: int, run: Callable[[], object], repeat: int) -> float:
    """Entries per CPU second, the best of `repeat` runs."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
    return count / best


def parse_every_entry(entries: list[dict[str, Any]]) -> None:
    """The pass as it was: every entry parsed, re-canonicalised and checked, then the root."""
    scan = LogScan()
    for entry in entries:
        scan.check_entry(entry)
    scan.root()


def measure(count: int, slow_count: int, repeat: int = 3) -> tuple[float, float]:
    """(fast, slow) entries per second: verify_log over `count` entries, parsing over `slow_count`."""
    document, vkey = synthetic_export(count)
    fast = rate(count, lambda: verify.verify_log(verify.ExportSource(document), vkey), repeat)
    slow = rate(slow_count, lambda: parse_every_entry(document["entries"][:slow_count]), repeat)
    return fast, slow


if __name__ == "__main__":
    entries = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    started = time.perf_counter()
    fast, slow = measure(entries, min(entries, 100_000))
    print(
        f"{entries:,} synthetic entries: verify_log {fast:,.0f} entries/s (CPU), parsing every entry "
        f"{slow:,.0f} entries/s, {fast / slow:.1f}x; {time.perf_counter() - started:.0f} s in all"
    )

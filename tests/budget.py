"""How many examples a property test draws: its full budget on CI, a quarter of it on a developer's run.

Every test that names its number of examples asks `examples(full)`. CI's profile (HYPOTHESIS_PROFILE=ci,
set by .ci/run) draws the full budget, derandomized: the same examples every run, so a change lands or
not on what it changed and CI proves exactly what it always has. Any other profile (a developer's
`pytest`) draws a quarter, at least MINIMUM, and fresh ones every run: a quick run, and over many runs
more of the space than the same examples drawn again would cover. A variable named by the test
(BROKER_FUZZ_EXAMPLES, …) wins over both, for a longer run by hand.
"""

import os

# The profile tests/conftest.py loads.
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")
FULL_PROFILES = {"ci"}
SHARE = 4
MINIMUM = 5


def examples(full: int, variable: str | None = None) -> int:
    """The number of examples to draw for a test whose full budget is `full`."""
    chosen = os.environ.get(variable, "") if variable else ""
    if chosen:
        return int(chosen)
    if PROFILE in FULL_PROFILES:
        return full
    return max(full // SHARE, min(full, MINIMUM))

"""`broker demo` runs the whole exchange on a bare machine and says what happened."""

import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from broker.cli import main

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)


def test_demo_runs_the_complete_exchange_and_exits_zero():
    result = CliRunner().invoke(main, ["demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    output = result.stdout
    for step in (
        "error EE-06 (Regulation (EU) 2023/1543, Art. 4(2)): A public prosecutor may not issue an EPOC",
        "drafts an EPOC for subscriber data instead (file PARQUET-2026-04417): 0 blocking findings",
        "refused, 422 urn:eevidence-broker:problem:invalid-signature; the order is still draft",
        "issues it: state issued",
        "1 order waiting",
        "verifies the prosecutor's signature itself",
        "state produced",
        "verifies Example Mail's signature",
        "verifies the broker's log with only its verifier key: all",
        "The exchange completed",
        # the HI-1 round: a provider reads and answers an EPOC-PR in ETSI TS 103 120 alone
        "The HI-1 round completed",
        # the lifecycle scenario, on a clock the demo moves
        "Ireland's enforcing authority is notified at the same time (Art. 8)",
        "asks for clarification (Annex III): the clock stops, state clarification_requested",
        "the deadline moves by the pause",
        "extends it once by 30 days (Annex VI)",
        "confirms a production order was issued (Annex V)",
        "worker: deadline.missed: production of order",
        "state enforcement_requested, decision due within 5 working days",
        "The lifecycle completed",
        # Regulation (EU) 2021/784: removed within the hour, preserved, produced under an EPOC by reference
        "25 minutes later it removes the manual and confirms (Annex II): state removed",
        "six months from removal (Regulation (EU) 2021/784, Art. 6(2))",
        "issues an EPOC for the preserved manual, by reference to the removal order",
        "Example Mail produces the preserved content under it: state produced",
        # Arts. 10-11: the uploader kept in the dark, then told; its complaint and the complaint's outcome
        "decides that the uploader must not learn of the removal until",
        "tries to tell the uploader: refused, 409: the issuing authority decided that the content provider must "
        "not be told of the removal until",
        "(Regulation (EU) 2021/784, Art. 11(3); TCO-17)",
        "worker: withholding.ended: withholding of order",
        "Example Mail tells the uploader and records it (Art. 11(1)): state removed",
        "Example Mail records the complaint (Art. 10(1)): its outcome is due by",
        "Example Mail dismisses it, with its reasons and the remedies left (Art. 10(2)): the complaint's clock "
        "stopped in time",
        # Regulation (EU) 2022/2065, Art. 18: a threat notification answered by an emergency EPOC
        "of a threat to a school (Digital Services Act, Art. 18): it tops the prosecutor's list as an emergency",
        "answers it with an emergency EPOC naming the notification",
        # a CETS 224 Art. 8 order on its own route: through the requested Party's authority
        "it goes to Higher Public Prosecutor's Office in Belgrade (competent authority), not to the provider",
        "takes delivery: state awaiting_service",
        "Belgrade Mail does not see it yet (404)",
        "serves it on Belgrade Mail: state served; the provider's 20 days run from service",
        "takes delivery of the served order and answers: state produced",
        "The treaty route completed",
    ):
        assert step in output


@pytest.fixture
def request_cleanup():
    folders = []
    yield folders.append
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def test_kept_demo_prints_commands_that_verify_its_log(monkeypatch, request_cleanup):
    """With --keep, the printed export and verify commands work as printed."""
    result = CliRunner().invoke(main, ["demo", "--keep"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    kept = next(line for line in result.stdout.splitlines() if line.startswith("Kept "))
    request_cleanup(Path(kept.split()[1].rstrip(".")))
    export_line, verify_line = [
        line.strip() for line in result.stdout.splitlines() if " broker audit " in line
    ]
    environment, _, export_command = export_line.partition(" broker ")
    monkeypatch.setenv(*environment.split("=", 1))
    exported = CliRunner().invoke(main, shlex.split(export_command))
    assert exported.exit_code == 0, exported.output
    verified = CliRunner().invoke(main, shlex.split(verify_line.partition("broker ")[2]))
    assert verified.exit_code == 0, verified.output
    # Everything the demo logged is proved by the export's last checkpoint: nothing is left past it.
    assert "verified: all" in verified.stdout
    assert "the export holds none past it" in verified.stdout


def test_demo_help_explains_it():
    result = CliRunner().invoke(main, ["demo", "--help"])
    assert result.exit_code == 0
    assert "European Production Order Certificate" in result.stdout
    assert "--keep" in result.stdout

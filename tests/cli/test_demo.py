"""`broker demo` runs the whole exchange on a bare machine and says what happened."""

from click.testing import CliRunner

from broker.cli import main


def test_demo_runs_the_complete_exchange_and_exits_zero():
    result = CliRunner().invoke(main, ["demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    output = result.stdout
    for step in (
        "drafts an EPOC for subscriber data",
        "refused, 422 urn:eevidence-broker:problem:invalid-signature; the order is still draft",
        "issues it: state issued",
        "1 order waiting",
        "verifies the prosecutor's signature itself",
        "state answered",
        "verifies Example Mail's signature",
        "The exchange completed",
    ):
        assert step in output


def test_demo_help_explains_it():
    result = CliRunner().invoke(main, ["demo", "--help"])
    assert result.exit_code == 0
    assert "European Production Order Certificate" in result.stdout
    assert "--keep" in result.stdout

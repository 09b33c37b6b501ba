"""Registering Europol from the command line: one organisation of its own kind, its users, a token."""

import pytest
from click.testing import CliRunner

from broker.cli import main


@pytest.fixture
def broker(database, monkeypatch):
    """Run `broker …` against the test database; returns the click Result."""
    monkeypatch.setenv("BROKER_DATABASE_URL", database.url)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return run


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def refused(result, words: str) -> None:
    assert result.exit_code == 1
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_europol_is_registered_once_with_its_caseworkers(broker, client):
    created = ok(broker("org", "create", "Europol", "--kind", "europol", "--country", "nl"))
    assert created.endswith("  Europol (europol, NL)\n")
    assert "europol" in ok(broker("org", "list"))
    ok(
        broker(
            "user",
            "create",
            "--org",
            "Europol",
            "--email",
            "ec3@europol.test",
            "--name",
            "EC3",
            "--role",
            "caseworker",
        )
    )
    token = ok(broker("token", "create", "--user", "ec3@europol.test")).strip()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["organisation"]["kind"] == "europol"

    refused(
        broker("org", "create", "Europol 2", "--kind", "europol", "--country", "NL"),
        "Europol is already registered",
    )
    refused(
        broker(
            "user",
            "create",
            "--org",
            "Europol",
            "--email",
            "r@europol.test",
            "--name",
            "R",
            "--role",
            "reviewer",
        ),
        "role 'reviewer' does not exist in Europol",
    )


def test_europol_has_no_authority_type(broker):
    refused(
        broker(
            "org", "create", "Europol", "--kind", "europol", "--country", "NL", "--authority-type", "court"
        ),
        "Europol cannot have an authority type",
    )

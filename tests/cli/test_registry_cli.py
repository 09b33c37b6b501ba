"""Setting up a real deployment from the CLI, without the demo: organisations, users, tokens, keys."""

import json
import stat

import pyrage
import pytest
from click.testing import CliRunner

from broker import crypto
from broker.cli import main


@pytest.fixture
def broker(database, monkeypatch):
    """Run `broker …` against the test database; returns the click Result."""
    monkeypatch.setenv("BROKER_DATABASE_URL", database.url)
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return run


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_deployment_is_set_up_from_the_command_line(broker, client, tmp_path):
    ok(
        broker(
            "org",
            "create",
            "Parquet de Paris",
            "--kind",
            "issuing_authority",
            "--country",
            "fr",
            "--authority-type",
            "public_prosecutor",
        )
    )
    ok(broker("org", "create", "Example Mail", "--kind", "provider", "--country", "US"))
    addressee = ok(
        broker(
            "org",
            "add-addressee",
            "Example Mail",
            "--type",
            "designated_establishment",
            "--name",
            "Example Mail Ireland Ltd",
            "--country",
            "IE",
            "--address",
            "Dublin 2",
            "--email",
            "le@examplemail.test",
            "--emergency-contact",
            "+353 1 000 0999",
            "--language",
            "en",
            "--language",
            "ga",
        )
    )
    assert "designated_establishment, IE" in addressee
    assert "Parquet de Paris" in ok(broker("org", "list"))

    ok(
        broker(
            "user",
            "create",
            "--org",
            "Parquet de Paris",
            "--email",
            "cm@parquet.test",
            "--name",
            "Camille",
            "--role",
            "caseworker",
        )
    )
    token = ok(broker("token", "create", "--user", "cm@parquet.test", "--days", "7")).strip()
    assert token.startswith("ebt_")
    assert token not in ok(broker("token", "list")), "a token is shown once, never listed"

    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.get_json()["organisation"]["name"] == "Parquet de Paris"

    key_file = tmp_path / "parquet.pem"
    public = json.loads(ok(broker("key", "generate", str(key_file))))
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "d" not in public
    registered = ok(broker("key", "register", "--org", "Parquet de Paris", "--private-key", str(key_file)))
    kid = crypto.jwk_thumbprint(public)
    assert registered.startswith(kid)

    trust_list = json.loads(ok(broker("key", "export")))
    (entry,) = trust_list["keys"]
    assert (entry["kid"], entry["organisation_name"], entry["revoked_at"]) == (kid, "Parquet de Paris", None)
    assert "d" not in entry

    ok(broker("key", "revoke", "--kid", kid, "--reason", "laptop stolen"))
    assert "revoked: laptop stolen" in ok(broker("key", "list"))


def test_a_public_jwk_file_can_be_registered(broker, tmp_path):
    ok(broker("org", "create", "Example Mail", "--kind", "provider", "--country", "US"))
    jwk = crypto.public_jwk(crypto.generate_private_key("ES256"))
    (tmp_path / "key.json").write_text(json.dumps(jwk))
    assert "ES256" in ok(
        broker("key", "register", "--org", "Example Mail", "--jwk", str(tmp_path / "key.json"))
    )


def test_a_revoked_token_no_longer_opens_the_api(broker, client):
    ok(broker("org", "create", "Oversight", "--kind", "oversight_body", "--country", "FR"))
    ok(
        broker(
            "user", "create", "--org", "Oversight", "--email", "a@o.test", "--name", "A", "--role", "auditor"
        )
    )
    result = broker("token", "create", "--user", "a@o.test")
    token = ok(result).strip()
    token_id = result.stderr.split()[2].rstrip(",")
    ok(broker("token", "revoke", token_id))
    answer = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    # Answered like an unknown token (docs/problems.md, "Why a revoked token is answered like an unknown one").
    assert answer.get_json()["type"].endswith("unauthenticated")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["org", "create", "X", "--kind", "provider", "--country", "XX"], "not an ISO 3166-1 alpha-2"),
        (["org", "create", "X", "--kind", "issuing_authority", "--country", "FR"], "needs an authority type"),
        (
            ["org", "create", "X", "--kind", "provider", "--country", "FR", "--authority-type", "judge"],
            "cannot have an authority type",
        ),
        (
            ["user", "create", "--org", "Nobody", "--email", "a@b.test", "--name", "A", "--role", "admin"],
            "no organisation named",
        ),
        (["token", "create", "--user", "nobody@x.test"], "no user with e-mail"),
        (["key", "revoke", "--kid", "-" + "A" * 42, "--reason", "x"], "no signing key"),
    ],
    ids=[
        "unknown country",
        "authority without type",
        "provider with type",
        "unknown org",
        "unknown user",
        "unknown key",
    ],
)
def test_bad_input_gets_one_line_and_a_non_zero_exit(broker, args, message):
    result = broker(*args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_private_key_file_is_never_overwritten(broker, tmp_path):
    key_file = tmp_path / "k.pem"
    key_file.write_text("precious")
    result = broker("key", "generate", str(key_file))
    assert result.exit_code == 1
    assert key_file.read_text() == "precious"


def test_an_unmigrated_database_is_refused_with_the_remedy(monkeypatch, tmp_path):
    monkeypatch.setenv("BROKER_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    result = CliRunner().invoke(main, ["org", "list"])
    assert result.exit_code == 1
    assert "run `broker db upgrade`" in result.stderr


def test_db_upgrade_creates_the_schema(monkeypatch, tmp_path):
    monkeypatch.setenv("BROKER_DATABASE_URL", f"sqlite:///{tmp_path / 'new.sqlite3'}")
    runner = CliRunner()
    assert "is at revision" in runner.invoke(main, ["db", "upgrade"]).stdout
    current = runner.invoke(main, ["db", "current"]).stdout.splitlines()
    assert current[0].split()[-1] == current[1].split()[-1]


def test_an_issuing_authority_publishes_and_revokes_an_encryption_recipient(broker):
    ok(
        broker(
            "org",
            "create",
            "Parquet de Paris",
            "--kind",
            "issuing_authority",
            "--country",
            "FR",
            "--authority-type",
            "public_prosecutor",
        )
    )
    value = str(pyrage.x25519.Identity.generate().to_public())
    published = ok(broker("key", "add-recipient", "--org", "Parquet de Paris", value))
    recipient_id = published.split()[0]
    assert value in ok(broker("key", "recipients"))
    ok(broker("key", "revoke-recipient", "--id", recipient_id, "--reason", "rotated"))
    assert "revoked: rotated" in ok(broker("key", "recipients"))
    refused = broker("key", "add-recipient", "--org", "Parquet de Paris", "age1invalid")
    assert refused.exit_code == 1
    assert "not an age X25519 recipient" in refused.stderr

"""A provider's 24/7 mailbox, registered with its addressee from the CLI (`--emergency-email`)."""

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from broker.cli import main
from broker.parties.models import Addressee


@pytest.fixture
def broker(database, monkeypatch):
    """Run `broker …` against the test database; returns the click Result."""
    monkeypatch.setenv("BROKER_DATABASE_URL", database.url)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)


def add_addressee(broker, mailbox: str):
    assert broker("org", "create", "Example Mail", "--kind", "provider", "--country", "US").exit_code == 0
    return broker(
        "org", "add-addressee", "Example Mail", "--type", "designated_establishment", "--name", "Example Mail IE",
        "--country", "IE", "--address", "Dublin 2", "--email", "le@examplemail.test",
        "--emergency-contact", "+353 1 000 0999", "--emergency-email", mailbox, "--language", "en",
    )  # fmt: skip


def test_the_24_7_mailbox_is_registered_with_the_addressee(broker, database):
    assert add_addressee(broker, "desk@examplemail.test").exit_code == 0
    with database.transaction() as session:
        assert session.scalars(sa.select(Addressee.emergency_email)).all() == ["desk@examplemail.test"]


@pytest.mark.parametrize(
    "mailbox",
    [
        "desk",
        "desk@localhost",
        "Desk <desk@examplemail.test>",
        "desk@examplemail.test\r\nBcc: x@example.test",
    ],
)
def test_a_mailbox_that_is_not_a_bare_address_is_refused_in_one_line(broker, database, mailbox):
    result = add_addressee(broker, mailbox)
    assert result.exit_code == 1
    assert "is not" in result.stderr and "e-mail address" in result.stderr
    with database.transaction() as session:
        assert session.scalars(sa.select(Addressee)).all() == []

"""Two test runs on one PostgreSQL database would empty each other's tables mid-test: this run holds
its database, and a second claim on it is refused with what to do instead."""

import pytest
import sqlalchemy as sa

from tests.conftest import claim


def test_a_second_run_on_the_same_database_is_refused_and_told_what_to_do(database_url):
    if sa.make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("on SQLite every run has a temporary folder of its own")
    with claim(database_url) as refused:
        assert refused is not None
    database = sa.make_url(database_url).database
    assert f"another test run is using the database {database}" in refused
    assert "set BROKER_TEST_DATABASE_URL to another database" in refused

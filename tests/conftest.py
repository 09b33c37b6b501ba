"""Fixtures shared by the whole suite: a migrated database (SQLite or PostgreSQL), the app, a network.

BROKER_TEST_DATABASE_URL selects the database (CI sets it to the local PostgreSQL); without it the
suite runs on an SQLite file. The schema always comes from the real Alembic migrations.

The suite runs in parallel (pytest-xdist, one worker per CPU, each with its own database); `-n 0` or
`-p no:xdist` runs it in this process, for a debugger. HYPOTHESIS_PROFILE picks the property tests'
profile: "default", or "ci", which CI selects. Each property test names its full budget of examples
through tests/budget.py: "ci" draws all of it, the same examples every run; "default" draws a quarter
(at least five), new ones every run, for a quicker run that over many runs explores more.
"""

import contextlib
import functools
import gc
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import responses
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings

from broker import crypto
from broker import migrate
from broker.app import create_app
from broker.audit import verify
from broker.audit.models import AuditLogHead
from broker.audit.operations import integrate_all
from broker.certificates import Seal
from broker.clock import FrozenClock
from broker.db import Base
from broker.db import Database
from broker.models import __all__ as _models  # noqa: F401 - every table on Base.metadata
from broker.parties import operations
from broker.vocabulary import AddresseeType
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role
from broker.wire import envelope
from tests import budget
from tests.remembered import HOLDING
from tests.remembered import autocommit
from tests.remembered import remember
from tests.remembered import run_script

LOG_HEAD = AuditLogHead.__table__  # the migration seeds its one row; tests reset it

# Every test client's response is checked against the OpenAPI document (tests/contract/live_openapi.py).
pytest_plugins = ["contract.live_openapi"]

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

# A test deployment: webhook receivers listen on loopback, so the switch meant for tests is on for the
# apps, the worker rounds and the processes the tests start (docs/configuration.md); never in production.
os.environ.setdefault("BROKER_WEBHOOK_ALLOW_LOOPBACK", "true")

# Bytecode is cached (in the ignored __pycache__ folders) even where PYTHONDONTWRITEBYTECODE says not
# to: without it every xdist worker rewrote every test module's asserts, and every broker process a
# test starts compiled the broker again, on every run (about a tenth of the CLI and server tests' time).
# From here on in this process, and from the start in the workers and processes it starts.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

# Property tests: each test names its own number of examples (tests/budget.py: all of it under "ci", a
# quarter otherwise); no deadline, since a worker sharing the CPU with others is slow now and then.
# "ci" draws the same examples on every run (derandomize): a change lands or not on what it changed,
# never on the draw; new examples are explored by every run on a developer's machine, and a failure
# found there (printed with the blob that replays it) is fixed with its @example.
settings.register_profile("default", deadline=None, print_blob=True)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile(budget.PROFILE)


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Run in parallel unless told otherwise: `-n auto --dist worksteal` when no `-n` was given.

    Set here rather than in addopts, so that `-p no:xdist` still works; `-n 0` and `--pdb` run the
    tests in this process.
    """
    if not config.pluginmanager.hasplugin("xdist") or hasattr(config, "workerinput"):
        return
    if config.option.numprocesses is None:
        config.option.numprocesses = "auto"
        if config.option.dist == "no":
            config.option.dist = "worksteal"


# The cyclic garbage collector ran about 3,700 times over tests/api and tests/lifecycle alone, each
# time walking the objects every test allocates, and now and then all 400,000 the process holds: 7 %
# of those tests' time. Collecting a fifth as often, with what the imports and the collection built
# frozen out of every collection (`pytest_collection_finish`), took 1.5 s instead of 3.2 s there.
gc.set_threshold(20_000, 50, 50)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish() -> None:
    """Freeze what exists once the tests are collected: the collector never walks it again."""
    gc.collect()
    gc.freeze()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start the slow tests first (after any shuffling), so that no worker draws one as the run ends.

    xdist's worksteal gives each worker a share of the list and lets an idle worker take the end of
    another's: with the tests of several seconds at the front, what is left for the end is short.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This process's database: its own one under each xdist worker, so that workers never meet.

    Without BROKER_TEST_DATABASE_URL, an SQLite file in the temporary folder, which xdist gives each
    worker apart (…/popen-gw0/…). With it, the configured database when the tests run in one process,
    and a database of the worker's own beside it under xdist (`…/test` gives `…/test_gw0`), claimed
    for the run (see `claim`).
    """
    configured = os.environ.get("BROKER_TEST_DATABASE_URL")
    if not configured:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = without_waiting_for_disk(worker_database(configured, worker) if worker else configured)
    with claim(url) as refused:
        if refused:
            pytest.fail(refused, pytrace=False)
        yield url


RUN_LOCK = 0x42524B52  # an advisory lock key of the test runs' own ("BRKR")


@contextlib.contextmanager
def claim(url: str) -> Iterator[str | None]:
    """Hold the database for this run (None), or say which database another run holds and what to do.

    Two runs on one machine (a CI check beside a developer's run) would otherwise empty each other's
    tables mid-test and fail in ways that say nothing of the cause. The claim is a PostgreSQL
    advisory lock, taken for the database the run uses and held by a connection of its own until the
    run ends (or its process dies).
    """
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            if not connection.scalar(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": RUN_LOCK}):
                database = sa.make_url(url).database
                yield (
                    f"another test run is using the database {database}: let it finish, or set "
                    "BROKER_TEST_DATABASE_URL to another database (each worker adds _gw0, _gw1, … to its name)"
                )
                return
            connection.commit()  # the lock is the session's: no transaction stays open beside the tests
            yield None
    finally:
        engine.dispose()


def without_waiting_for_disk(configured: str) -> str:
    """On PostgreSQL, the URL with `synchronous_commit=off` for every session opened with it.

    A commit then returns before its WAL reaches the disk: 0.1-0.2 ms instead of 1.3-2.5 ms on this
    project's machine, and a test commits often. What a test checks does not change: the commit is
    visible to every other session at once and survives any client, killed or not; only a crash of
    the PostgreSQL server itself could lose the last fraction of a second, and no test crashes it.
    Servers and commands a test starts get the URL, so they commit the same way.
    """
    url = sa.make_url(configured)
    if url.get_backend_name() != "postgresql":
        return configured
    return url.update_query_dict({"options": "-c synchronous_commit=off"}).render_as_string(False)


def worker_database(configured: str, worker: str) -> str:
    """The configured URL with the worker's name added to the database's; created on PostgreSQL if missing."""
    url = sa.make_url(configured)
    if url.get_backend_name() == "sqlite":
        assert url.database, f"an SQLite file is needed to give each worker its own: {configured}"
        path = Path(url.database)
        return url.set(database=str(path.with_stem(f"{path.stem}_{worker}"))).render_as_string(False)
    own = url.set(database=f"{url.database}_{worker}")
    # CREATE DATABASE runs outside a transaction, from a connection to the configured database.
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}
            )
            if not exists:
                name = connection.dialect.identifier_preparer.quote(str(own.database))
                connection.execute(sa.text(f"CREATE DATABASE {name}"))
    finally:
        engine.dispose()
    return own.render_as_string(False)


@pytest.fixture(scope="session")
def migrated(database_url: str) -> Iterator[Database]:
    """The test database, emptied and brought to the migration head once per run.

    On PostgreSQL the whole database is vacuumed next, the system catalogs with it: every run drops
    and creates the schema, and some tests migrate down and up, so with autovacuum off (this
    project's server) pg_attribute, pg_depend and pg_class gathered tens of thousands of dead rows
    run after run (38,000 in pg_attribute beside 950 live), which every catalog read walked past.
    """
    database = Database(database_url)
    with database.engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    migrate.upgrade(database)
    if database.engine.dialect.name == "postgresql":
        with autocommit(database) as connection:
            connection.exec_driver_sql("VACUUM")
    yield database
    database.dispose()


@pytest.fixture
def database(migrated: Database) -> Iterator[Database]:
    """The migrated database, emptied after each test."""
    yield migrated
    # Every table is emptied except the log head, which the migration seeds and tests reset. DELETE,
    # children first, on PostgreSQL too: a test leaves a few rows, and TRUNCATE, which replaces every
    # table's files, took about eight times as long.
    # Only the tables that hold rows, found in one query: most tests touch a few of the tables, and a
    # DELETE per table per test was most of the cleanup's time on PostgreSQL. The DELETEs go as one
    # text (one round trip on PostgreSQL).
    dialect = migrated.engine.dialect
    with autocommit(migrated) as connection:
        holding = set(connection.scalars(HOLDING))  # the log head among them: it always has its row
    emptied = [t for t in reversed(Base.metadata.sorted_tables) if t.name in holding and t is not LOG_HEAD]
    reset = sa.update(LOG_HEAD).values(size=sa.literal_column("0"))
    run_script(
        migrated,
        [str(statement.compile(dialect=dialect)) for statement in (*map(sa.delete, emptied), reset)],
    )
    _vacuum_now_and_then(migrated, [*emptied, LOG_HEAD])


VACUUM_EVERY = 20  # tests


@dataclass
class _Vacuum:
    """The tables written since the last VACUUM (PostgreSQL), and how many tests ago that was."""

    written: set[sa.Table] = field(default_factory=set)
    tests: int = 0


_VACUUM = _Vacuum()


def _vacuum_now_and_then(database: Database, written: list[sa.Table]) -> None:
    """On PostgreSQL, VACUUM the tables written since the last time, every VACUUM_EVERY tests.

    A deleted or updated row stays in its table as a dead one until a vacuum. This project's PostgreSQL
    runs with autovacuum off, so over a run the emptied tables grew to megabytes of dead rows
    (audit_entries: 6.8 MB and 16,000 dead rows after tests/api alone), which every later test's reads
    walked past: the emptiness checks, the remembered worlds' fingerprints, every scan.
    """
    if database.engine.dialect.name != "postgresql":
        return
    _VACUUM.written.update(written)
    _VACUUM.tests += 1
    if _VACUUM.tests < VACUUM_EVERY:
        return
    preparer = database.engine.dialect.identifier_preparer
    tables = ", ".join(sorted(preparer.format_table(table) for table in _VACUUM.written))
    with autocommit(database) as connection:
        connection.exec_driver_sql(f"VACUUM {tables}")
    _VACUUM.written.clear()
    _VACUUM.tests = 0


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture(scope="session")
def broker_key_file(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The broker's own checkpoint key, generated for this run (never a committed key)."""
    path = tmp_path_factory.mktemp("broker-key") / "broker-key.pem"
    path.write_bytes(crypto.private_key_pem(crypto.generate_private_key("EdDSA")))
    return path


EVIDENCE_CHUNK_SIZE = 1024
# At most 10,000 chunks per package (S3's part limit): 64 chunks are plenty for tests.
EVIDENCE_MAX_PACKAGE_SIZE = 64 * EVIDENCE_CHUNK_SIZE


@pytest.fixture
def app(database: Database, clock: FrozenClock, broker_key_file: Any, tmp_path: Path) -> Flask:
    settings = {
        "TESTING": True,
        "KEY_FILE": str(broker_key_file),
        "LOG_ORIGIN": "broker.test/log",
        # Small chunks, so that tests cut packages of a few kilobytes into several chunks.
        "EVIDENCE_FOLDER": str(tmp_path / "evidence"),
        "EVIDENCE_CHUNK_SIZE": EVIDENCE_CHUNK_SIZE,
        "EVIDENCE_MAX_PACKAGE_SIZE": EVIDENCE_MAX_PACKAGE_SIZE,
    }
    return create_app(settings, clock=clock, database=database)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass
class Party:
    """A registered organisation as its own systems see it: user token and private signing key."""

    name: str
    organisation_id: str
    kind: OrganisationKind
    token: str
    private_key: Any
    kid: str
    clock: FrozenClock

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def sign(
        self,
        message_type: str,
        body: dict[str, Any],
        recipient: str,
        *,
        in_reply_to: str | None = None,
        issued_at: datetime | None = None,
        message_id: str | None = None,
        private_key: Any = None,
        sender: str | None = None,
    ) -> str:
        """A sealed message from this party (override any part to build a bad one)."""
        sealed = envelope.new_envelope(
            message_type=message_type,
            body=body,
            sender=sender or self.organisation_id,
            kid=self.kid,
            recipient=recipient,
            issued_at=issued_at or self.clock(),
            in_reply_to=in_reply_to,
            message_id=message_id,
        )
        return envelope.seal(sealed, private_key or self.private_key, self.kid)


class Network:
    """Registers parties through the real operations, one transaction each."""

    def __init__(self, database: Database, clock: FrozenClock) -> None:
        self.database = database
        self.clock = clock
        self.parties: dict[str, Party] = {}
        self.addressees: dict[str, str] = {}

    def add(
        self,
        handle: str,
        name: str,
        kind: OrganisationKind,
        country: str,
        role: Role,
        authority_type: AuthorityType | None = None,
        addressee_country: str | None = None,
        *,
        integrate: bool = True,
    ) -> Party:
        """Register one party; `integrate=False` leaves its log entries queued for a later integration."""
        with self.database.transaction() as session:
            organisation = operations.create_organisation(
                session, self.clock, name=name, kind=kind, country=country, authority_type=authority_type
            )
            user = operations.create_user(
                session,
                self.clock,
                organisation=organisation,
                email=f"{handle}@example.test",
                name=handle,
                role=role,
            )
            _, token = operations.issue_token(
                session, self.clock, user=user, label="test", lifetime=timedelta(days=30)
            )
            private_key = crypto.generate_private_key("EdDSA")
            key = operations.register_key(
                session, self.clock, organisation=organisation, jwk=crypto.public_jwk(private_key)
            )
            if addressee_country:
                addressee = operations.add_addressee(
                    session,
                    self.clock,
                    provider=organisation,
                    addressee_type=AddresseeType.DESIGNATED_ESTABLISHMENT,
                    name=f"{name} {addressee_country}",
                    country=addressee_country,
                    address="1 Example Street",
                    email=f"orders@{handle}.test",
                    emergency_contact="+353 1 000 0999",
                    languages=["en"],
                )
                self.addressees[handle] = str(addressee.id)
            party = Party(name, str(organisation.id), kind, token, private_key, key.kid, self.clock)
        if integrate:
            integrate_all(self.database)  # as the CLI does after registering
        self.parties[handle] = party
        return party

    def add_serbian_route(self) -> None:
        """Tokyo's prosecutor, Belgrade Mail and Serbia's competent authority: a CETS 224 route's three parties."""
        self.add(
            "tokyo",
            "Tokyo District Public Prosecutors Office",
            OrganisationKind.ISSUING_AUTHORITY,
            "JP",
            Role.CASEWORKER,
            AuthorityType.PUBLIC_PROSECUTOR,
        )
        self.add(
            "belgrade_mail",
            "Belgrade Mail",
            OrganisationKind.PROVIDER,
            "RS",
            Role.LEGAL_OFFICER,
            addressee_country="RS",
        )
        self.add(
            "belgrade",
            "Higher Public Prosecutor's Office in Belgrade",
            OrganisationKind.ENFORCING_AUTHORITY,
            "RS",
            Role.REVIEWER,
            AuthorityType.PUBLIC_PROSECUTOR,
        )

    def __getitem__(self, handle: str) -> Party:
        return self.parties[handle]


def register_network(database: Database, clock: FrozenClock) -> Network:
    """Every kind of party, two of the kinds that must never see each other's orders.

    Their log entries are integrated once, after the seven registrations, rather than after each.
    """
    net = Network(database, clock)
    add = functools.partial(net.add, integrate=False)
    issuing, enforcing = OrganisationKind.ISSUING_AUTHORITY, OrganisationKind.ENFORCING_AUTHORITY
    add("prosecutor", "Parquet de Paris", issuing, "FR", Role.CASEWORKER, AuthorityType.PUBLIC_PROSECUTOR)
    add(
        "judge",
        "Juge d'instruction de Paris",
        issuing,
        "FR",
        Role.CASEWORKER,
        AuthorityType.INVESTIGATING_JUDGE,
    )
    add("other_authority", "Parquet de Lyon", issuing, "FR", Role.CASEWORKER, AuthorityType.PUBLIC_PROSECUTOR)
    add(
        "provider",
        "Example Mail",
        OrganisationKind.PROVIDER,
        "US",
        Role.LEGAL_OFFICER,
        addressee_country="IE",
    )
    add(
        "other_provider",
        "Other Cloud",
        OrganisationKind.PROVIDER,
        "US",
        Role.LEGAL_OFFICER,
        addressee_country="DE",
    )
    add("enforcing", "District Court of Ireland", enforcing, "IE", Role.REVIEWER, AuthorityType.COURT)
    add("oversight", "Oversight Body", OrganisationKind.OVERSIGHT_BODY, "FR", Role.AUDITOR)
    integrate_all(database)
    return net


@pytest.fixture
def network(database: Database, clock: FrozenClock) -> Network:
    """The parties of register_network, registered through the operations once per process and instant."""

    def registered() -> dict[str, Any]:
        net = register_network(database, clock)
        return {"parties": net.parties, "addressees": net.addressees}

    def copied(known: dict[str, Any]) -> dict[str, Any]:  # the same keys, each party on this test's clock
        parties = {handle: replace(party, clock=clock) for handle, party in known["parties"].items()}
        return {"parties": parties, "addressees": dict(known["addressees"])}

    known = remember(database, clock, ("network",), registered, copied)
    net = Network(database, clock)
    net.parties, net.addressees = known["parties"], known["addressees"]
    return net


def epoc_draft(addressee: str, **changes: Any) -> dict[str, Any]:
    """A complete, lawful EPOC draft for subscriber data; `changes` replace top-level members."""
    draft: dict[str, Any] = {
        "instrument": "reg-2023-1543",
        "issuing_authority": {"file_number": "PARQUET-2026-001"},
        "addressee": addressee,
        "data_categories": ["subscriber"],
        "targets": [{"type": "email_address", "value": "suspect@examplemail.test"}],
        "time_range": {"start": "2026-09-01T00:00:00+02:00", "end": "2026-11-01T00:00:00+01:00"},
        "offence": {
            "description": "Online investment fraud",
            "legal_provisions": ["Code pénal, art. 313-1"],
            "maximum_penalty_months": 60,
        },
        "purpose": "criminal_proceedings",
        "emergency": False,
        "necessity_and_proportionality": "The account is the only lead to identify the suspect.",
        "similar_domestic_order_possible": True,
        "case_summary": "Victims paid into accounts advertised from this address.",
        "user_information": {"decision": "delay", "justification": "Would alert the suspect."},
        "language": "en",
    }
    draft.update(changes)
    return draft


def epoc_pr_draft(addressee: str, **changes: Any) -> dict[str, Any]:
    """A complete EPOC-PR draft preserving subscriber and traffic data ahead of an EPOC."""
    draft = epoc_draft(addressee, data_categories=["subscriber", "traffic"], subsequent_request="epo")
    del draft["user_information"], draft["similar_domestic_order_possible"]
    draft.update(changes)
    return draft


class Exchange:
    """Drives an order through the API step by step, asserting each step succeeds."""

    def __init__(self, client: FlaskClient, network: Network) -> None:
        self.client = client
        self.network = network

    def draft(self, author: str = "prosecutor", order_type: str = "epoc", **changes: Any) -> dict[str, Any]:
        builder = epoc_draft if order_type == "epoc" else epoc_pr_draft
        certificate = builder(self.network.addressees["provider"], **changes)
        response = self.client.post(
            "/api/v1/orders",
            json={"order_type": order_type, "certificate": certificate},
            headers=self.network[author].headers,
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def issue(self, order: dict[str, Any], author: str = "prosecutor") -> dict[str, Any]:
        party = self.network[author]
        jws = party.sign(order["order_type"], order["certificate"], order["provider"]["id"])
        response = self.client.post(
            f"/api/v1/orders/{order['id']}/issue",
            data=jws,
            content_type="application/jose",
            headers=party.headers,
        )
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def receive(self, order: dict[str, Any], provider: str = "provider") -> dict[str, Any]:
        response = self.client.post(
            f"/api/v1/orders/{order['id']}/receive", headers=self.network[provider].headers
        )
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def response_jws(
        self, order: dict[str, Any], body: dict[str, Any] | None = None, **overrides: Any
    ) -> str:
        certificate_message = next(m for m in order["messages"] if m["type"] == order["order_type"])
        return self.network["provider"].sign(
            "response",
            body or {"outcome": "produced", "data_preserved": True},
            order["issuing_authority"]["id"],
            in_reply_to=certificate_message["id"],
            **overrides,
        )

    def respond(self, order: dict[str, Any], body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.client.post(
            f"/api/v1/orders/{order['id']}/responses",
            data=self.response_jws(order, body),
            content_type="application/jose",
            headers=self.network["provider"].headers,
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()


@pytest.fixture
def exchange(client: FlaskClient, network: Network) -> Exchange:
    return Exchange(client, network)


def count_rows(database: Database, table: str) -> int:
    """How many rows a table holds (to prove a refusal left nothing behind)."""
    (count,) = count_rows_of(database, (table,))
    return count


def count_rows_of(database: Database, tables: tuple[str, ...]) -> tuple[int, ...]:
    """How many rows each table holds, in one statement."""
    counts = (sa.select(sa.func.count()).select_from(sa.table(table)).scalar_subquery() for table in tables)
    with autocommit(database) as connection:
        return tuple(connection.execute(sa.select(*counts)).one())


@pytest.fixture
def counted(database: Database) -> Any:
    """counted("orders", "messages") -> how many rows each table holds now, read in one statement."""
    return lambda *tables: count_rows_of(database, tables)


@pytest.fixture
def rows(database: Database) -> Any:
    """rows("orders") -> how many rows that table holds now."""
    return lambda table: count_rows(database, table)


@pytest.fixture
def drafts() -> Any:
    """drafts.epoc(addressee, **changes) / drafts.epoc_pr(addressee, **changes)."""

    class Drafts:
        epoc = staticmethod(epoc_draft)
        epoc_pr = staticmethod(epoc_pr_draft)

    return Drafts


# The host the audit verifier and other HTTP clients are pointed at in tests: no network behind it.
TEST_BROKER_URL = "http://broker.test"


@pytest.fixture
def broker_http(client: Any) -> Iterator[responses.RequestsMock]:
    """HTTP to http://broker.test/api/v1/… answered by the Flask test client (no network)."""

    def forward(request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(request.url)
        headers = {name: value for name, value in request.headers.items() if name.lower() != "host"}
        answer = client.open(
            url.path, method=request.method, query_string=url.query, headers=headers, data=request.body
        )
        passed = {name: value for name, value in answer.headers.items() if name.lower() != "content-length"}
        return answer.status_code, passed, answer.get_data()

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for method in (responses.GET, responses.POST):
            mock.add_callback(
                method, re.compile(re.escape(TEST_BROKER_URL) + r"/api/v1/.*"), forward, content_type=None
            )
        yield mock


@pytest.fixture
def api_source(broker_http: responses.RequestsMock, network: Network) -> verify.ApiSource:
    """The log as an oversight body reads it over the API."""
    return verify.ApiSource(TEST_BROKER_URL, network["oversight"].token, requests.Session())


@pytest.fixture(scope="session")
def seal() -> Seal:
    """The broker's PDF seal for this run: a P-256 key and a self-signed certificate, never a committed key."""
    return Seal.generate("e-evidence broker (test seal)")


@pytest.fixture(scope="session")
def seal_files(seal: Seal, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("seal")
    key, certificate = folder / "seal-key.pem", folder / "seal-cert.pem"
    key.write_bytes(seal.key_pem)
    certificate.write_bytes(seal.certificate_pem)
    return key, certificate


@pytest.fixture
def sealed(app: Flask, seal_files: tuple[Path, Path]) -> Flask:
    """The app with the seal of this run configured, as BROKER_SEAL_KEY_FILE / BROKER_SEAL_CERT_FILE would.

    Without one the PDF routes answer 503 to everyone.
    """
    key, certificate = seal_files
    app.config.update(SEAL_KEY_FILE=str(key), SEAL_CERT_FILE=str(certificate))
    return app

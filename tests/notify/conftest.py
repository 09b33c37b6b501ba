"""Fixtures for notifications: endpoints registered as a party would, the outbox, a mocked receiver.

Deliveries resolve names with `FakeResolver` (injected into the delivery, never by patching socket):
the test names resolve to a public address, and the mocked receiver (responses) answers in its place,
so no test ever sends a packet anywhere but to loopback.
"""

import ipaddress
import socket
import ssl
import threading
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.oid import NameOID

from broker.access import Actor
from broker.audit.signer import LogSigner
from broker.notify import delivery
from broker.notify import operations
from broker.notify.models import OutboxMessage
from broker.notify.models import WebhookEndpoint
from broker.orders.models import Order
from broker.orders.operations import summary
from broker.parties.operations import authenticate

HOOK = "https://hooks.examplemail.test/broker"
# A public address (is_global) that the fake resolver gives the test names; responses answers for it.
PUBLIC = "93.184.215.14"


class FakeResolver:
    """A resolver injected into the delivery: each name's answer from a table, every call recorded."""

    def __init__(self, answers: dict[str, list[str]] | None = None, default: list[str] | None = None) -> None:
        self.answers = answers or {}
        self.default = default
        self.calls: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append((host, port))
        answer = self.answers.get(host, self.default)
        if answer is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return answer


@pytest.fixture
def resolver() -> FakeResolver:
    """Every name resolves to PUBLIC unless a test sets resolver.answers[name]."""
    return FakeResolver(default=[PUBLIC])


@pytest.fixture
def start(clock: Any) -> datetime:
    """When the test begins, by the frozen clock."""
    return clock()


@pytest.fixture
def signer(app: Any) -> LogSigner:
    """The broker's own key, as the app is configured with it."""
    return app.extensions["broker"].log_signer


@pytest.fixture
def actor(database: Any, clock: Any, network: Any) -> Callable[[str], Actor]:
    """actor("provider") -> the Actor behind that party's token."""

    def of(handle: str) -> Actor:
        with database.transaction() as session:
            return authenticate(session, clock, network[handle].token)

    return of


@pytest.fixture
def hook(database: Any, clock: Any, actor: Any) -> Callable[..., WebhookEndpoint]:
    """hook("provider", url, allow_loopback=False) -> an endpoint registered for that party."""

    def register(handle: str, url: str = HOOK, *, allow_loopback: bool = False) -> WebhookEndpoint:
        with database.transaction() as session:
            return operations.register_endpoint(
                session, clock, actor(handle), url, allow_loopback=allow_loopback
            )

    return register


@pytest.fixture
def notify(database: Any, clock: Any, network: Any) -> Callable[..., list[OutboxMessage]]:
    """notify("provider", ...) -> the outbox rows written, each call in its own transaction."""

    def enqueue(
        *handles: str,
        event: str = "order.issued",
        order: Order | None = None,
        emergency: bool = False,
        details: dict[str, Any] | None = None,
    ) -> list[OutboxMessage]:
        with database.transaction() as session:
            return operations.enqueue(
                session,
                clock,
                event=event,
                organisation_ids=[uuid.UUID(network[handle].organisation_id) for handle in handles],
                order=None if order is None else summary(order),
                emergency=emergency,
                details=details or {},
            )

    return enqueue


@pytest.fixture
def receiver() -> Iterator[responses.RequestsMock]:
    """The receiving side of every webhook: register answers with receiver.post(url, status=...)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def egress(resolver: FakeResolver) -> delivery.Egress:
    """What the delivery may reach: public addresses only (loopback refused), names from `resolver`."""
    return delivery.Egress(allow_loopback=False, resolver=resolver)


@pytest.fixture
def deliver(
    database: Any, clock: Any, signer: LogSigner, egress: delivery.Egress, receiver: responses.RequestsMock
) -> Callable[..., int]:
    """deliver() -> runs one round of the delivery worker, as `broker worker` would (receiver mocked)."""

    def run(limit: int = 50) -> int:
        with requests.Session() as http:
            return delivery.deliver_due(database, clock, signer, http, limit=limit, egress=egress)

    return run


@pytest.fixture
def deliver_for_real(database: Any, clock: Any, signer: LogSigner) -> Callable[..., int]:
    """deliver_for_real(egress) -> one delivery round over real sockets (only to loopback receivers)."""

    def run(egress: delivery.Egress, limit: int = 50) -> int:
        with requests.Session() as http:
            return delivery.deliver_due(database, clock, signer, http, limit=limit, egress=egress)

    return run


@pytest.fixture
def outbox(database: Any) -> Callable[[], list[OutboxMessage]]:
    """outbox() -> every outbox row now, oldest first, with its attempts loaded."""

    def rows() -> list[OutboxMessage]:
        with database.transaction() as session:
            statement = sa.select(OutboxMessage).order_by(OutboxMessage.created_at, OutboxMessage.id)
            messages = session.scalars(statement).all()
            for message in messages:
                _ = message.history, message.endpoint
            return list(messages)

    return rows


@pytest.fixture
def order(exchange: Any, database: Any) -> Order:
    """An order the prosecutor has issued to Example Mail."""
    issued = exchange.issue(exchange.draft())
    with database.transaction() as session:
        return session.get_one(Order, uuid.UUID(issued["id"]))


# --- Real receivers on loopback, for what a mock cannot show: where the connection went, TLS, SNI ---


@dataclass
class Seen:
    """One request a real receiver got: the Host header, the TLS server name (SNI) and the local address."""

    host: str
    server_name: str | None
    local_address: str
    delivery: str


class LocalReceiver:
    """An HTTP(S) server on 127.0.0.1 that answers 204 and records every request (stopped by the fixture)."""

    def __init__(self, context: ssl.SSLContext | None) -> None:
        self.seen: list[Seen] = []
        self.server_names: list[str | None] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                name = receiver.server_names[-1] if receiver.server_names else None
                local = self.connection.getsockname()[0]
                delivery_id = self.headers.get("X-Broker-Delivery", "")
                receiver.seen.append(Seen(self.headers.get("Host", ""), name, local, delivery_id))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        if context is not None:
            context.sni_callback = lambda _socket, name, _context: self.server_names.append(name)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05})
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@dataclass
class CertificateAuthority:
    """A certificate authority made for one test, and the bundle file a delivery verifies with."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    bundle: Path

    def issue(self, folder: Path, names: tuple[str, ...], ips: tuple[str, ...] = ()) -> ssl.SSLContext:
        """A server context with a certificate for `names` (DNS) and `ips` (IP addresses) signed by this CA."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        alternatives = [x509.DNSName(name) for name in names]
        alternatives += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, (names or ips)[0])])
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        chain = folder / f"server-{uuid.uuid4().hex}.pem"
        chain.write_bytes(
            certificate.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(chain)
        return context


@pytest.fixture
def authority(tmp_path: Path) -> CertificateAuthority:
    """A CA generated for this test only: no certificate or key is ever committed."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "broker tests CA")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    bundle = tmp_path / "test-ca.pem"
    bundle.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return CertificateAuthority(key, certificate, bundle)


@pytest.fixture
def local_receiver() -> Iterator[Callable[..., LocalReceiver]]:
    """local_receiver(context=None) -> a started receiver on 127.0.0.1 (https when given a context)."""
    started: list[LocalReceiver] = []

    def start(context: ssl.SSLContext | None = None) -> LocalReceiver:
        receiver = LocalReceiver(context)
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()

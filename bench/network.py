"""The bench network: eight issuing authorities, four providers, two enforcing authorities, an oversight body.

Each party is registered through the registry operations with its own user, token and Ed25519 key,
as `broker org|user|token|key` would register it; the private keys and tokens are kept in a JSON
file beside the database (mode 600), so that every benchmark acts as the parties' own systems do.
Also here: the certificates the benchmarks draft (lawful, so that issuing passes the legal checks).
"""

import json
import uuid
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from common import BenchError

from broker import crypto
from broker.access import Actor
from broker.clock import Clock
from broker.db import Database
from broker.parties import operations as parties
from broker.vocabulary import AddresseeType
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role
from broker.wire import envelope


@dataclass(frozen=True)
class Spec:
    handle: str
    name: str
    kind: OrganisationKind
    country: str
    role: Role
    authority_type: AuthorityType | None = None
    addressee_country: str | None = None


_ISSUING, _PROVIDER = OrganisationKind.ISSUING_AUTHORITY, OrganisationKind.PROVIDER
_PROSECUTOR, _JUDGE = AuthorityType.PUBLIC_PROSECUTOR, AuthorityType.INVESTIGATING_JUDGE
SPECS = (
    Spec("fr-prosecutor", "Parquet de Paris", _ISSUING, "FR", Role.CASEWORKER, _PROSECUTOR),
    Spec("fr-judge", "Juge d'instruction, Paris", _ISSUING, "FR", Role.CASEWORKER, _JUDGE),
    Spec("de-prosecutor", "Staatsanwaltschaft Berlin", _ISSUING, "DE", Role.CASEWORKER, _PROSECUTOR),
    Spec("it-prosecutor", "Procura della Repubblica di Milano", _ISSUING, "IT", Role.CASEWORKER, _PROSECUTOR),
    Spec("es-judge", "Juzgado de Instrucción de Madrid", _ISSUING, "ES", Role.CASEWORKER, _JUDGE),
    Spec("nl-prosecutor", "Openbaar Ministerie Rotterdam", _ISSUING, "NL", Role.CASEWORKER, _PROSECUTOR),
    Spec("pl-prosecutor", "Prokuratura Okręgowa w Warszawie", _ISSUING, "PL", Role.CASEWORKER, _PROSECUTOR),
    Spec("be-judge", "Juge d'instruction de Bruxelles", _ISSUING, "BE", Role.CASEWORKER, _JUDGE),
    Spec("mail", "Example Mail", _PROVIDER, "US", Role.LEGAL_OFFICER, addressee_country="IE"),
    Spec("cloud", "Example Cloud", _PROVIDER, "US", Role.LEGAL_OFFICER, addressee_country="IE"),
    Spec("chat", "Example Chat", _PROVIDER, "US", Role.LEGAL_OFFICER, addressee_country="LU"),
    Spec("host", "Example Hosting", _PROVIDER, "FR", Role.LEGAL_OFFICER, addressee_country="LU"),
    Spec(
        "ie-enforcing",
        "District Court of Ireland",
        OrganisationKind.ENFORCING_AUTHORITY,
        "IE",
        Role.REVIEWER,
        AuthorityType.COURT,
    ),
    Spec(
        "lu-enforcing",
        "Parquet général du Luxembourg",
        OrganisationKind.ENFORCING_AUTHORITY,
        "LU",
        Role.REVIEWER,
        AuthorityType.PUBLIC_PROSECUTOR,
    ),
    Spec("oversight", "Commission de contrôle", OrganisationKind.OVERSIGHT_BODY, "FR", Role.AUDITOR),
)


@dataclass
class BenchParty:
    """One organisation as its own systems see it: token, key and ids (what the network file keeps)."""

    handle: str
    name: str
    kind: str
    country: str
    role: str
    organisation_id: str
    user_id: str
    token: str
    kid: str
    private_pem: str
    addressee_id: str | None = None

    @cached_property
    def private_key(self) -> Any:
        return crypto.load_private_key(self.private_pem.encode())

    @cached_property
    def signer(self) -> crypto.KeySigner:
        """The key as a signer, made once: signing with the bare key works out its thumbprint every time."""
        return crypto.KeySigner(self.private_key)

    @property
    def actor(self) -> Actor:
        """The Actor the API would authenticate this party's token as (for in-process operations)."""

        return Actor(
            uuid.UUID(self.user_id),
            uuid.UUID(self.organisation_id),
            OrganisationKind(self.kind),
            Role(self.role),
        )

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def sign(
        self,
        message_type: str,
        body: dict[str, Any],
        recipient: str,
        issued_at: datetime,
        in_reply_to: str | None = None,
    ) -> str:
        """A sealed message from this party, as its own system would make it."""
        sealed = envelope.new_envelope(
            message_type=message_type,
            body=body,
            sender=self.organisation_id,
            kid=self.kid,
            recipient=recipient,
            issued_at=issued_at,
            in_reply_to=in_reply_to,
        )
        return envelope.seal(sealed, self.signer, self.kid)


@dataclass
class BenchNetwork:
    """Every party of the bench network, by handle; saved as JSON beside a seeded database."""

    parties: dict[str, BenchParty] = field(default_factory=dict)

    def __getitem__(self, handle: str) -> BenchParty:
        return self.parties[handle]

    def of_kind(self, kind: OrganisationKind) -> list[BenchParty]:
        return [party for party in self.parties.values() if party.kind == kind.value]

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({h: asdict(p) for h, p in self.parties.items()}, indent=1))
        path.chmod(0o600)

    @classmethod
    def load(cls, path: Path) -> "BenchNetwork":
        if not path.exists():
            raise BenchError(f"no network file {path}: seed the database with bench/seed.py first")
        return cls({h: BenchParty(**p) for h, p in json.loads(path.read_text()).items()})


def build_network(database: Database, clock: Clock, token_lifetime: timedelta) -> BenchNetwork:
    """Register SPECS through the registry operations, one transaction; private keys stay in memory."""
    from broker.audit.operations import integrate_all

    network = BenchNetwork()
    with database.transaction() as session:
        for spec in SPECS:
            organisation = parties.create_organisation(
                session,
                clock,
                name=spec.name,
                kind=spec.kind,
                country=spec.country,
                authority_type=spec.authority_type,
            )
            user = parties.create_user(
                session,
                clock,
                organisation=organisation,
                email=f"{spec.handle}@bench.example",
                name=spec.handle,
                role=spec.role,
            )
            _, token = parties.issue_token(session, clock, user=user, label="bench", lifetime=token_lifetime)
            private_key = crypto.generate_private_key("EdDSA")
            key = parties.register_key(
                session, clock, organisation=organisation, jwk=crypto.public_jwk(private_key)
            )
            addressee_id = None
            if spec.addressee_country:
                addressee = parties.add_addressee(
                    session,
                    clock,
                    provider=organisation,
                    addressee_type=AddresseeType.DESIGNATED_ESTABLISHMENT,
                    name=f"{spec.name} {spec.addressee_country}",
                    country=spec.addressee_country,
                    address="1 Example Street",
                    email=f"orders@{spec.handle}.example",
                    emergency_contact="+353 1 000 0999",
                    languages=["en"],
                )
                addressee_id = str(addressee.id)
            network.parties[spec.handle] = BenchParty(
                spec.handle,
                spec.name,
                spec.kind.value,
                spec.country,
                spec.role.value,
                str(organisation.id),
                str(user.id),
                token,
                key.kid,
                crypto.private_key_pem(private_key).decode(),
                addressee_id,
            )
    integrate_all(database)
    return network


def prepare(url: str, clock: Clock, token_lifetime: timedelta = timedelta(days=800)) -> BenchNetwork:
    """Migrate an empty database and register the bench network; its file is saved beside it."""
    from broker import migrate

    database = Database(url)
    try:
        migrate.upgrade(database)
        network = build_network(database, clock, token_lifetime)
    finally:
        database.dispose()
    network.save(network_file(url))
    return network


def network_file(url: str) -> Path:
    """Where the network of a bench database is kept: beside an SQLite file, in the temp folder for PostgreSQL."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return Path(str(parsed.database)).with_suffix(".network.json")
    import tempfile

    return Path(tempfile.gettempdir()) / f"{parsed.database}.network.json"


def epoc(addressee_id: str, file_number: str, target: str) -> dict[str, Any]:
    """A lawful EPOC draft for subscriber data (a prosecutor may issue it without validation)."""
    return {
        "instrument": "reg-2023-1543",
        "issuing_authority": {"file_number": file_number},
        "addressee": addressee_id,
        "data_categories": ["subscriber"],
        "targets": [{"type": "email_address", "value": target}],
        "time_range": {"start": "2026-01-01T00:00:00+01:00", "end": "2026-03-01T00:00:00+01:00"},
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


def emergency_epoc(addressee_id: str, file_number: str, target: str) -> dict[str, Any]:
    """A judge's emergency EPOC for traffic data: notified to the enforcing State (Art. 8)."""
    certificate = epoc(addressee_id, file_number, target)
    certificate.update(
        data_categories=["traffic"],
        offence={
            "description": "Kidnapping with a ransom demand sent by e-mail.",
            "legal_provisions": ["Code pénal, art. 224-4"],
            "maximum_penalty_months": 360,
        },
        emergency=True,
        emergency_justification="A person is held; the e-mails are the only lead to where.",
        offence_committed_in_issuing_state=True,
        person_resides_in_issuing_state=False,
    )
    return certificate


def epoc_pr(addressee_id: str, file_number: str, target: str) -> dict[str, Any]:
    """An EPOC-PR preserving subscriber and traffic data ahead of a production order."""
    certificate = epoc(addressee_id, file_number, target)
    del certificate["user_information"], certificate["similar_domestic_order_possible"]
    certificate.update(data_categories=["subscriber", "traffic"], subsequent_request="epo")
    return certificate

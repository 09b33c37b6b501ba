"""The demo network: five organisations with their users, tokens, signing keys and (for issuing
authorities) age identities.

Private keys are generated at run time and written only to the demo's temporary folder.
"""

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyrage
from sqlalchemy import orm

from broker import crypto
from broker.clock import Clock
from broker.db import Database
from broker.parties import operations
from broker.parties.models import Organisation
from broker.vocabulary import AddresseeType
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import RemovalAddresseeType
from broker.vocabulary import Role


@dataclass
class Party:
    """One demo organisation as its own systems see it: its token and its private key."""

    name: str
    organisation_id: str
    user: str
    token: str
    private_key: Any
    kid: str
    # An issuing authority's age identity file, whose recipient it publishes for evidence.
    identity_file: Path | None = None

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass(frozen=True)
class OrganisationSpec:
    name: str
    kind: OrganisationKind
    country: str
    authority_type: AuthorityType | None
    user_email: str
    user_name: str
    role: Role


NETWORK = {
    "prosecutor": OrganisationSpec(
        "Parquet de Paris",
        OrganisationKind.ISSUING_AUTHORITY,
        "FR",
        AuthorityType.PUBLIC_PROSECUTOR,
        "camille.martin@parquet-paris.example",
        "Camille Martin",
        Role.CASEWORKER,
    ),
    "judge": OrganisationSpec(
        "Juge d'instruction, Tribunal judiciaire de Paris",
        OrganisationKind.ISSUING_AUTHORITY,
        "FR",
        AuthorityType.INVESTIGATING_JUDGE,
        "luc.bernard@tj-paris.example",
        "Luc Bernard",
        Role.CASEWORKER,
    ),
    "provider": OrganisationSpec(
        "Example Mail",
        OrganisationKind.PROVIDER,
        "US",
        None,
        "legal@examplemail.example",
        "Aoife Byrne",
        Role.LEGAL_OFFICER,
    ),
    "enforcing": OrganisationSpec(
        "District Court of Ireland (enforcing authority)",
        OrganisationKind.ENFORCING_AUTHORITY,
        "IE",
        AuthorityType.COURT,
        "registrar@courts-ie.example",
        "Seán Murphy",
        Role.REVIEWER,
    ),
    "oversight": OrganisationSpec(
        "Commission nationale de contrôle (oversight)",
        OrganisationKind.OVERSIGHT_BODY,
        "FR",
        None,
        "audit@oversight-fr.example",
        "Inès Laurent",
        Role.AUDITOR,
    ),
}


def register_organisation(
    session: orm.Session, clock: Clock, spec: OrganisationSpec
) -> tuple[Organisation, str, Any, str]:
    """One demo organisation with its user, a year's token and an Ed25519 signing key.

    The token lasts a year: the lifecycle scenario moves its clock by months. Returns the
    organisation, the token, the private key and its kid.
    """
    organisation = operations.create_organisation(
        session,
        clock,
        name=spec.name,
        kind=spec.kind,
        country=spec.country,
        authority_type=spec.authority_type,
    )
    user = operations.create_user(
        session, clock, organisation=organisation, email=spec.user_email, name=spec.user_name, role=spec.role
    )
    _, token = operations.issue_token(session, clock, user=user, label="demo", lifetime=timedelta(days=365))
    private_key = crypto.generate_private_key("EdDSA")
    key = operations.register_key(
        session, clock, organisation=organisation, jwk=crypto.public_jwk(private_key)
    )
    return organisation, token, private_key, key.kid


def build_network(database: Database, clock: Clock, key_folder: Path) -> dict[str, Party]:
    """Register the demo organisations, users, tokens and keys; private keys stay in `key_folder`."""
    parties: dict[str, Party] = {}
    with database.transaction() as session:
        for role_name, spec in NETWORK.items():
            organisation, token, private_key, kid = register_organisation(session, clock, spec)
            key_file = key_folder / f"{role_name}.pem"
            key_file.write_bytes(crypto.private_key_pem(private_key))
            key_file.chmod(0o600)
            identity_file = None
            if spec.kind is OrganisationKind.ISSUING_AUTHORITY:
                identity_file = key_folder / f"{role_name}.age-identity"
                identity = pyrage.x25519.Identity.generate()
                identity_file.write_text(f"# public key: {identity.to_public()}\n{identity}\n")
                identity_file.chmod(0o600)
                operations.register_recipient(
                    session, clock, organisation=organisation, recipient=str(identity.to_public())
                )
            parties[role_name] = Party(
                spec.name, str(organisation.id), spec.user_name, token, private_key, kid, identity_file
            )
            if spec.kind is OrganisationKind.PROVIDER:
                operations.add_addressee(
                    session,
                    clock,
                    provider=organisation,
                    addressee_type=AddresseeType.DESIGNATED_ESTABLISHMENT,
                    name="Example Mail Ireland Limited",
                    country="IE",
                    address="1 Grand Canal Square, Dublin 2, D02 E5X2, Ireland",
                    email="lawenforcement@examplemail.example",
                    phone="+353 1 000 0000",
                    emergency_contact="+353 1 000 0999 (24/7 emergency desk)",
                    languages=["en", "ga"],
                    removal_role=RemovalAddresseeType.CONTACT_POINT,  # Regulation (EU) 2021/784, Art. 15
                )
    return parties

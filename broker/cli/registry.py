"""`broker org|user|token|key`: set up a real deployment's registry without the demo."""

import json
import os
import typing
import uuid
from datetime import datetime
from datetime import timedelta
from enum import Enum
from pathlib import Path

import click
import sqlalchemy as sa
from sqlalchemy import orm

from broker import crypto
from broker import problems
from broker.cli.common import clock
from broker.cli.common import registry_transaction
from broker.cli.common import reports_problems
from broker.clock import to_rfc3339
from broker.parties import operations
from broker.parties.models import ApiToken
from broker.parties.models import EncryptionRecipient
from broker.parties.models import Organisation
from broker.parties.models import SigningKey
from broker.parties.models import User
from broker.parties.people.operations import credentials
from broker.vocabulary import AddresseeType
from broker.vocabulary import AuthorityType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import RemovalAddresseeType
from broker.vocabulary import Role
from broker.vocabulary import TreatyRole


def _choice(enum: type[Enum]) -> click.Choice[str]:
    return click.Choice([str(member.value) for member in enum])


def find_organisation(session: orm.Session, name_or_id: str) -> Organisation:
    """An organisation by its exact name or its id."""
    try:
        organisation = session.get(Organisation, uuid.UUID(name_or_id))
    except ValueError:
        organisation = session.scalar(sa.select(Organisation).where(Organisation.name == name_or_id))
    if organisation is None:
        raise problems.NotFound(f"no organisation named or numbered {name_or_id!r}")
    return organisation


def find_user(session: orm.Session, email: str) -> User:
    """A user by e-mail address."""
    user = session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        raise problems.NotFound(f"no user with e-mail {email!r}")
    return user


@click.group()
def org() -> None:
    """Register organisations and providers' addressees."""


@org.command("create")
@click.argument("name")
@click.option(
    "--kind",
    type=_choice(OrganisationKind),
    required=True,
    help="europol: the recipient of DSA Art. 18(2) threat notifications, one per registry (country NL).",
)
@click.option("--country", required=True, help="ISO 3166-1 alpha-2 code, e.g. FR")
@click.option("--authority-type", type=_choice(AuthorityType), help="Required for authorities (Art. 4).")
@click.option(
    "--treaty-role",
    type=_choice(TreatyRole),
    help="An enforcing authority that is its State's 24/7 point of contact (CETS 224 Art. 9) or serves "
    "overseas production orders (COPO s.9).",
)
@reports_problems
def org_create(
    name: str, kind: str, country: str, authority_type: str | None, treaty_role: str | None = None
) -> None:
    """Register organisation NAME."""
    with registry_transaction() as session:
        organisation = operations.create_organisation(
            session,
            clock,
            name=name,
            kind=OrganisationKind(kind),
            country=country.upper(),
            authority_type=AuthorityType(authority_type) if authority_type else None,
            treaty_role=TreatyRole(treaty_role) if treaty_role else None,
        )
        click.echo(
            f"{organisation.id}  {organisation.name} ({organisation.kind.value}, {organisation.country})"
        )


@org.command("list")
@reports_problems
def org_list() -> None:
    """List organisations."""
    with registry_transaction() as session:
        for organisation in session.scalars(sa.select(Organisation).order_by(Organisation.name)):
            kind = organisation.kind.value + (
                f"/{organisation.authority_type.value}" if organisation.authority_type else ""
            )
            click.echo(f"{organisation.id}  {organisation.country}  {kind:<45} {organisation.name}")


@org.command("add-addressee")
@click.argument("provider")
@click.option("--type", "addressee_type", type=_choice(AddresseeType), required=True)
@click.option("--name", required=True)
@click.option("--country", required=True)
@click.option("--address", required=True)
@click.option("--email", required=True)
@click.option("--phone")
@click.option("--emergency-contact", required=True, help="24/7 point of contact for emergency orders.")
@click.option("--emergency-email", help="24/7 mailbox: emergency orders are mailed there at once.")
@click.option("--language", "languages", multiple=True, required=True, help="Accepted language (repeat).")
@click.option(
    "--removal-role",
    type=_choice(RemovalAddresseeType),
    help="It also receives removal orders (Regulation (EU) 2021/784) as the provider's contact point or legal representative.",
)
@reports_problems
def org_add_addressee(
    provider: str,
    addressee_type: str,
    name: str,
    country: str,
    address: str,
    email: str,
    phone: str | None,
    emergency_contact: str,
    emergency_email: str | None,
    languages: tuple[str, ...],
    removal_role: str | None,
) -> None:
    """Register where PROVIDER receives orders in one Member State."""
    with registry_transaction() as session:
        addressee = operations.add_addressee(
            session,
            clock,
            provider=find_organisation(session, provider),
            addressee_type=AddresseeType(addressee_type),
            name=name,
            country=country.upper(),
            address=address,
            email=email,
            phone=phone,
            emergency_contact=emergency_contact,
            emergency_email=emergency_email,
            languages=languages,
            removal_role=RemovalAddresseeType(removal_role) if removal_role else None,
        )
        click.echo(
            f"{addressee.id}  {addressee.name} ({addressee.addressee_type.value}, {addressee.country})"
        )


@click.group()
def user() -> None:
    """Manage users."""


@user.command("create")
@click.option("--org", "organisation", required=True, help="Organisation name or id.")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=_choice(Role), required=True)
@reports_problems
def user_create(organisation: str, email: str, name: str, role: str) -> None:
    """Add a user to an organisation."""
    with registry_transaction() as session:
        created = operations.create_user(
            session,
            clock,
            organisation=find_organisation(session, organisation),
            email=email,
            name=name,
            role=Role(role),
        )
        click.echo(f"{created.id}  {created.email} ({created.role.value})")


@user.command("list")
@reports_problems
def user_list() -> None:
    """List users."""
    with registry_transaction() as session:
        for each in session.scalars(sa.select(User).order_by(User.email)):
            click.echo(f"{each.id}  {each.email:<40} {each.role.value:<14} {each.organisation.name}")


@user.command("set-password")
@click.option("--email", required=True)
@click.password_option(help="The new password; asked for twice, unseen, when not given.")
@reports_problems
def user_set_password(email: str, password: str) -> None:
    """Set a person's portal password and end their sessions (docs/portal.md, "Accounts").

    Without a second factor yet, the person enrols one at their next sign-in: hand the password
    over by a separate channel, and soon.
    """
    with registry_transaction() as session:
        ended = credentials.set_password(session, clock, find_user(session, email), password)
    click.echo(f"password set for {email}; {ended} session(s) ended")


@user.command("disable")
@click.option("--email", required=True)
@reports_problems
def user_disable(email: str) -> None:
    """Disable a person's account and revoke the signing keys they hold (docs/portal.md, "Signing")."""
    with registry_transaction() as session:
        revoked = operations.disable_user(session, clock, find_user(session, email))
    click.echo(f"disabled {email}; {len(revoked)} signing key(s) revoked")


@user.command("reset-2fa")
@click.option("--email", required=True)
@reports_problems
def user_reset_2fa(email: str) -> None:
    """Remove a person's lost second factor and recovery codes; the next sign-in enrols a new one."""
    with registry_transaction() as session:
        ended = credentials.reset_second_factor(session, clock, find_user(session, email))
    click.echo(
        f"second factor removed for {email}; {ended} session(s) ended; they enrol again at next sign-in"
    )


@click.group()
def token() -> None:
    """Issue, list and revoke API tokens."""


@token.command("create")
@click.option("--user", "email", required=True, help="The user's e-mail.")
@click.option("--label", default="api", show_default=True)
@click.option("--days", type=click.IntRange(min=1, max=366), default=30, show_default=True)
@reports_problems
def token_create(email: str, label: str, days: int) -> None:
    """Create a token; it is printed once and cannot be shown again."""
    with registry_transaction() as session:
        created, plaintext = operations.issue_token(
            session, clock, user=find_user(session, email), label=label, lifetime=timedelta(days=days)
        )
        click.echo(f"token id {created.id}, expires {created.expires_at:%Y-%m-%d %H:%M} UTC", err=True)
        click.echo(plaintext)


@token.command("list")
@reports_problems
def token_list() -> None:
    """List tokens (never their values)."""
    with registry_transaction() as session:
        for each in session.scalars(sa.select(ApiToken).order_by(ApiToken.created_at)):
            status = "revoked" if each.revoked_at else f"expires {each.expires_at:%Y-%m-%d}"
            click.echo(f"{each.id}  {each.user.email:<40} {each.label:<20} {status}")


@token.command("revoke")
@click.argument("token_id", type=click.UUID)
@reports_problems
def token_revoke(token_id: uuid.UUID) -> None:
    """Revoke a token at once."""
    with registry_transaction() as session:
        revoked = operations.revoke_token(session, clock, token_id)
        click.echo(f"revoked {revoked.id} at {revoked.revoked_at:%Y-%m-%d %H:%M:%S} UTC")


@click.group()
def key() -> None:
    """Generate signing keys locally and register their public halves."""


@key.command("generate")
@click.argument("private_key_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--alg", type=click.Choice(["EdDSA", "ES256"]), default="EdDSA", show_default=True)
@reports_problems
def key_generate(private_key_file: Path, alg: str) -> None:
    """Write a new private key to PRIVATE_KEY_FILE (mode 600) and print its public JWK.

    Runs locally and touches no database: the private key never reaches the broker.
    """
    if private_key_file.exists():
        raise click.ClickException(f"{private_key_file} exists; refusing to overwrite a key")
    private_key = crypto.generate_private_key(alg)
    descriptor = os.open(private_key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(crypto.private_key_pem(private_key))
    public = crypto.public_jwk(private_key)
    click.echo(f"kid {crypto.jwk_thumbprint(public)}", err=True)
    click.echo(json.dumps(public))


@key.command("register")
@click.option("--org", "organisation", required=True, help="Organisation name or id.")
@click.option("--jwk", "jwk_file", type=click.File("r"), help="Public JWK (JSON) file, or - for stdin.")
@click.option(
    "--private-key",
    "private_key_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Derive the public key from this private key file (read locally, never stored).",
)
@click.option("--valid-until", type=click.DateTime(formats=["%Y-%m-%d"]), help="Last day of validity (UTC).")
@click.option("--holder", help="E-mail of the organisation's person who holds the key; none for a machine's.")
@reports_problems
def key_register(
    organisation: str,
    jwk_file: typing.IO[str] | None,
    private_key_file: Path | None,
    valid_until: datetime | None,
    holder: str | None,
) -> None:
    """Register a public signing key for an organisation."""
    if (jwk_file is None) == (private_key_file is None):
        raise click.UsageError("give exactly one of --jwk or --private-key")
    if jwk_file is not None:
        try:
            jwk = json.load(jwk_file)
        except json.JSONDecodeError as error:
            raise click.ClickException(f"the JWK file is not JSON: {error}") from error
    else:
        assert private_key_file is not None
        try:
            jwk = crypto.public_jwk(crypto.load_private_key(private_key_file.read_bytes()))
        except crypto.InvalidKey as error:
            raise click.ClickException(f"{private_key_file}: {error}") from error
    until = valid_until.replace(tzinfo=clock().tzinfo) + timedelta(days=1) if valid_until else None
    with registry_transaction() as session:
        registered = operations.register_key(
            session,
            clock,
            organisation=find_organisation(session, organisation),
            jwk=jwk,
            valid_until=until,
            holder=find_user(session, holder) if holder else None,
        )
        click.echo(f"{registered.kid}  {registered.alg}  registered for {registered.organisation.name}")


@key.command("list")
@reports_problems
def key_list() -> None:
    """List registered public keys."""
    with registry_transaction() as session:
        now = clock()
        for each in session.scalars(sa.select(SigningKey).order_by(SigningKey.created_at)):
            if each.revoked_at:
                status = f"revoked: {each.revocation_reason}"
            elif each.valid_until is not None and each.valid_until <= now:
                status = f"expired {to_rfc3339(each.valid_until)}"
            elif each.valid_from > now:
                status = f"valid from {to_rfc3339(each.valid_from)}"
            else:
                status = "active"
            held = f"  held by {each.user.email}" if each.user else ""
            click.echo(f"{each.kid}  {each.alg:<6} {each.organisation.name:<40} {status}{held}")


@key.command("revoke")
@click.option(
    "--kid", required=True, help="The key's RFC 7638 thumbprint (an option: kids may start with '-')."
)
@click.option("--reason", required=True)
@reports_problems
def key_revoke(kid: str, reason: str) -> None:
    """Revoke a key: messages signed with it are refused from now on."""
    with registry_transaction() as session:
        revoked = operations.revoke_key(session, clock, kid=kid, reason=reason)
        click.echo(f"revoked {revoked.kid} at {revoked.revoked_at:%Y-%m-%d %H:%M:%S} UTC")


@key.command("add-recipient")
@click.option("--org", "organisation", required=True, help="The issuing authority (name or id).")
@click.argument("recipient")
@reports_problems
def key_add_recipient(organisation: str, recipient: str) -> None:
    """Publish RECIPIENT (age1…, from `age-keygen -y`) for evidence sent to an issuing authority."""
    with registry_transaction() as session:
        published = operations.register_recipient(
            session, clock, organisation=find_organisation(session, organisation), recipient=recipient
        )
        click.echo(f"{published.id}  {published.recipient}  for {published.organisation.name}")


@key.command("recipients")
@reports_problems
def key_recipients() -> None:
    """List published encryption recipients."""
    with registry_transaction() as session:
        for each in session.scalars(sa.select(EncryptionRecipient).order_by(EncryptionRecipient.created_at)):
            status = f"revoked: {each.revocation_reason}" if each.revoked_at else "active"
            click.echo(f"{each.id}  {each.recipient}  {each.organisation.name:<40} {status}")


@key.command("revoke-recipient")
@click.option("--id", "recipient_id", type=click.UUID, required=True)
@click.option("--reason", required=True)
@reports_problems
def key_revoke_recipient(recipient_id: uuid.UUID, reason: str) -> None:
    """Withdraw a recipient: providers must no longer encrypt to it."""
    with registry_transaction() as session:
        revoked = operations.revoke_recipient(session, clock, recipient_id=recipient_id, reason=reason)
        assert revoked.revoked_at is not None
        click.echo(f"revoked {revoked.recipient} at {to_rfc3339(revoked.revoked_at)}")


@key.command("export")
@click.argument("output", type=click.File("w"), default="-")
@reports_problems
def key_export(output: typing.IO[str]) -> None:
    """Write the trust list (JWKS of every registered key, with owner and status) to OUTPUT."""
    with registry_transaction() as session:
        keys = []
        for each in session.scalars(sa.select(SigningKey).order_by(SigningKey.created_at)):
            keys.append(
                {
                    **each.jwk,
                    "kid": each.kid,
                    "alg": each.alg,
                    "use": "sig",
                    "organisation": str(each.organisation_id),
                    "organisation_name": each.organisation.name,
                    "valid_from": to_rfc3339(each.valid_from),
                    "valid_until": to_rfc3339(each.valid_until) if each.valid_until else None,
                    "revoked_at": to_rfc3339(each.revoked_at) if each.revoked_at else None,
                    "revocation_reason": each.revocation_reason,
                }
            )
    json.dump({"keys": keys}, output, indent=2)
    output.write("\n")

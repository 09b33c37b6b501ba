"""Who holds a signing key: a person of the organisation or no one, and a disabled person's keys revoked."""

import json
import uuid

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from broker import crypto
from broker import problems
from broker.access import Actor
from broker.audit.models import AuditPending
from broker.cli import main
from broker.parties import operations
from broker.parties.models import Organisation
from broker.parties.models import SigningKey
from broker.parties.models import User
from broker.vocabulary import Role


def person(session, network, party: str) -> User:
    return session.scalars(sa.select(User).where(User.email == f"{party}@example.test")).one()


def colleague(session, clock, network, party: str, handle: str) -> User:
    organisation = session.get_one(Organisation, uuid.UUID(network[party].organisation_id))
    return operations.create_user(
        session,
        clock,
        organisation=organisation,
        email=f"{handle}@example.test",
        name=handle,
        role=Role.ADMIN,
    )


def new_jwk() -> dict:
    return crypto.public_jwk(crypto.generate_private_key("ES256"))


def queued(session, action: str) -> list[dict]:
    documents = [json.loads(document) for document in session.scalars(sa.select(AuditPending.document))]
    return [document for document in documents if document["action"] == action]


def test_a_key_records_the_person_who_holds_it_and_the_log_says_so(database, clock, network):
    with database.transaction() as session:
        holder = person(session, network, "provider")
        key = operations.register_key(
            session, clock, organisation=holder.organisation, jwk=new_jwk(), holder=holder
        )
        assert key.user_id == holder.id
        (entry,) = [entry for entry in queued(session, "key.registered") if entry["object"]["id"] == key.kid]
        assert entry["details"]["user"] == str(holder.id)


def test_a_machines_key_has_no_holder_and_its_entry_names_none(database, clock, network):
    with database.transaction() as session:
        organisation = person(session, network, "provider").organisation
        key = operations.register_key(session, clock, organisation=organisation, jwk=new_jwk())
        assert key.user_id is None
        (entry,) = [entry for entry in queued(session, "key.registered") if entry["object"]["id"] == key.kid]
        assert "user" not in entry["details"]


@pytest.mark.parametrize("who", ["another organisation's person", "a disabled person"])
def test_a_key_is_never_recorded_as_held_by_someone_who_cannot_sign_for_the_organisation(
    database, clock, network, who
):
    with database.transaction() as session:
        organisation = person(session, network, "provider").organisation
        if who == "a disabled person":
            holder = colleague(session, clock, network, "provider", "gone")
            holder.disabled_at = clock()
        else:
            holder = person(session, network, "prosecutor")
        with pytest.raises(problems.ValidationFailed) as refused:
            operations.register_key(session, clock, organisation=organisation, jwk=new_jwk(), holder=holder)
        assert "holder" in refused.value.extensions["errors"]
        assert session.scalar(sa.select(sa.func.count()).select_from(SigningKey)) == len(network.parties)


def test_register_own_key_refuses_a_person_who_does_not_exist(database, clock, network):
    with database.transaction() as session:
        admin = colleague(session, clock, network, "provider", "provider_admin")
        actor = Actor(
            user_id=admin.id,
            organisation_id=admin.organisation_id,
            kind=admin.organisation.kind,
            role=admin.role,
        )
        with pytest.raises(problems.ValidationFailed, match="no person"):
            operations.register_own_key(session, clock, actor, new_jwk(), uuid.uuid4())


def test_disabling_a_person_revokes_the_keys_they_hold_and_only_those(database, clock, network):
    with database.transaction() as session:
        leaving = colleague(session, clock, network, "provider", "leaving")
        staying = colleague(session, clock, network, "provider", "staying")
        organisation = leaving.organisation
        held = [
            operations.register_key(session, clock, organisation=organisation, jwk=new_jwk(), holder=leaving)
            for _ in range(2)
        ]
        theirs = operations.register_key(
            session, clock, organisation=organisation, jwk=new_jwk(), holder=staying
        )
        signed_before = clock()
        clock.advance(hours=1)
        revoked = operations.disable_user(session, clock, leaving)
        assert {key.kid for key in revoked} == {key.kid for key in held}
        assert leaving.disabled_at == clock()
        for key in held:
            assert key.revocation_reason == operations.HOLDER_DISABLED
            assert key.is_usable_at(signed_before), "what the person signed before stays valid"
            assert not key.is_usable_at(clock())
        assert theirs.revoked_at is None
        assert session.get_one(SigningKey, network["provider"].kid).revoked_at is None, (
            "the machine's key stays"
        )
        assert {entry["object"]["id"] for entry in queued(session, "key.revoked")} == {
            key.kid for key in held
        }
        assert [entry["object"]["id"] for entry in queued(session, "user.disabled")] == [str(leaving.id)]


def test_disabling_twice_keeps_the_first_time_and_logs_it_once(database, clock, network):
    with database.transaction() as session:
        leaving = colleague(session, clock, network, "provider", "leaving")
        operations.disable_user(session, clock, leaving)
        first = leaving.disabled_at
        clock.advance(hours=1)
        assert operations.disable_user(session, clock, leaving) == []
        assert leaving.disabled_at == first
        assert len(queued(session, "user.disabled")) == 1


def test_the_api_publishes_the_holder_of_each_key(client, database, clock, network):
    with database.transaction() as session:
        holder = person(session, network, "provider")
        key = operations.register_key(
            session, clock, organisation=holder.organisation, jwk=new_jwk(), holder=holder
        )
        kid, holder_id = key.kid, str(holder.id)
    provider = network["provider"]
    keys = client.get(
        f"/api/v1/organisations/{provider.organisation_id}/keys", headers=network["prosecutor"].headers
    ).get_json()["keys"]
    assert {key["kid"]: key["user"] for key in keys} == {provider.kid: None, kid: holder_id}


def test_the_command_line_registers_a_persons_key_and_disabling_them_revokes_it(
    database, network, monkeypatch
):
    monkeypatch.setenv("BROKER_DATABASE_URL", database.url)
    runner = CliRunner()
    jwk = json.dumps(new_jwk())
    registered = runner.invoke(
        main,
        ["key", "register", "--org", "Example Mail", "--jwk", "-", "--holder", "provider@example.test"],
        input=jwk,
    )
    assert registered.exit_code == 0, registered.output
    kid = registered.stdout.split()[0]
    assert "held by provider@example.test" in runner.invoke(main, ["key", "list"]).stdout
    disabled = runner.invoke(main, ["user", "disable", "--email", "provider@example.test"])
    assert disabled.exit_code == 0, disabled.output
    assert disabled.stdout.strip() == "disabled provider@example.test; 1 signing key(s) revoked"
    with database.transaction() as session:
        assert session.get_one(SigningKey, kid).revocation_reason == operations.HOLDER_DISABLED
    unknown = runner.invoke(main, ["user", "disable", "--email", "nobody@example.test"])
    assert unknown.exit_code != 0 and "no user with e-mail" in unknown.output

"""Issuing authorities publish age recipients next to their signing keys, for evidence sent to them."""

import uuid

import pyrage
import pytest

from broker import problems
from broker.audit.operations import integrate_all
from broker.parties import operations
from broker.parties.models import Organisation


def recipient() -> str:
    return str(pyrage.x25519.Identity.generate().to_public())


def publish(database, clock, network, handle, value):
    with database.transaction() as session:
        owner = session.get_one(Organisation, uuid.UUID(network[handle].organisation_id))
        return operations.register_recipient(session, clock, organisation=owner, recipient=value).id


def test_a_provider_reads_the_recipient_to_encrypt_to(client, database, clock, network):
    value = recipient()
    publish(database, clock, network, "prosecutor", value)
    answer = client.get(
        f"/api/v1/organisations/{network['prosecutor'].organisation_id}/recipients",
        headers=network["provider"].headers,
    ).get_json()
    (published,) = answer["recipients"]
    assert published["recipient"] == value
    assert published["revoked_at"] is None
    pyrage.x25519.Recipient.from_str(published["recipient"])  # usable by an age implementation as served


def test_a_revoked_recipient_is_shown_with_its_reason(client, database, clock, network):
    recipient_id = publish(database, clock, network, "prosecutor", recipient())
    with database.transaction() as session:
        operations.revoke_recipient(session, clock, recipient_id=recipient_id, reason="identity file lost")
    (published,) = client.get(
        f"/api/v1/organisations/{network['prosecutor'].organisation_id}/recipients",
        headers=network["oversight"].headers,
    ).get_json()["recipients"]
    assert published["revocation_reason"] == "identity file lost"
    assert published["revoked_at"] == "2026-11-24T09:00:00+00:00"


@pytest.mark.parametrize(
    ("handle", "value", "problem"),
    [
        ("prosecutor", "age1notbech32", problems.ValidationFailed),
        ("prosecutor", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB", problems.ValidationFailed),
        ("provider", None, problems.InvalidReference),
    ],
    ids=["bad Bech32 checksum", "an SSH key, not an age recipient", "a provider receives no evidence"],
)
def test_unusable_recipients_are_refused(database, clock, network, handle, value, problem):
    with pytest.raises(problem):
        publish(database, clock, network, handle, value or recipient())


def test_one_recipient_belongs_to_one_authority(database, clock, network):
    value = recipient()
    publish(database, clock, network, "prosecutor", value)
    with pytest.raises(problems.Conflict):
        publish(database, clock, network, "judge", value)


def test_publishing_and_revoking_are_logged_without_the_key_material(client, database, clock, network):
    value = recipient()
    recipient_id = publish(database, clock, network, "prosecutor", value)
    with database.transaction() as session:
        operations.revoke_recipient(session, clock, recipient_id=recipient_id, reason="rotated")
    integrate_all(database)  # as `broker key` does after its transaction
    entries = client.get("/api/v1/audit/entries?limit=1000", headers=network["oversight"].headers).get_json()
    leaves = [e["leaf"] for e in entries["entries"] if '"encryption_recipient"' in e["leaf"]]
    assert len(leaves) == 2
    assert '"recipient.registered"' in leaves[0] and '"recipient.revoked"' in leaves[1]

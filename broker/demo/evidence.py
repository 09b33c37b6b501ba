"""The evidence step of the demo: Example Mail delivers the subscriber records, encrypted, and the
prosecutor's office fetches, verifies and decrypts them, all through the broker's HTTP API.
"""

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from broker.client import BrokerClient
from broker.client import KeySigner
from broker.client import age
from broker.client import evidence_fetching as fetching
from broker.client import evidence_sending as sending
from broker.demo.network import Party


class EvidenceFailed(Exception):
    """The delivery did not end with every hash checked."""


def subscriber_records(folder: Path) -> list[Path]:
    """What Example Mail produces for the subscriber-data EPOC: an account record and a login history."""
    folder.mkdir(parents=True, exist_ok=True)
    account = folder / "subscriber-j.doe.1987.json"
    account.write_text(
        json.dumps(
            {
                "account": "j.doe.1987@examplemail.example",
                "created": "2025-03-14T09:21:07Z",
                "name_given": "J. Doe",
                "recovery_phone": "+33 6 00 00 00 00",
                "payment": None,
            },
            indent=2,
        )
    )
    logins = folder / "login-history.csv"
    with logins.open("w") as sink:
        sink.write("timestamp,ip_address,port\n")
        for day in range(1, 61):
            sink.write(
                f"2026-09-{(day - 1) % 30 + 1:02d}T08:{day % 60:02d}:00Z,198.51.100.{day},{40000 + day}\n"
            )
    return [account, logins]


def deliver(
    url: str,
    order: dict[str, Any],
    provider: Party,
    authority: Party,
    folder: Path,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """Send as the provider, fetch as the authority; returns what the summary shows."""
    produced = subscriber_records(folder / "produced")
    key_file = folder / "provider.pem"
    signer = KeySigner.from_pem_file(key_file)
    say(
        f"   {provider.name} encrypts {len(produced)} files to the prosecutor's published age recipient, "
        "uploads them in checksummed chunks and signs an evidence manifest:"
    )
    manifest = sending.send(
        BrokerClient(url, provider.token),
        order["id"],
        produced,
        signer,
        folder / "provider-work",
        say=lambda line: say(f"      {line}"),
    )
    say(
        f"   {authority.name} verifies the manifest's signature with Example Mail's key, downloads the "
        "packages and decrypts them with its own identity, which never left its machine:"
    )
    assert authority.identity_file is not None
    identities = age.parse_identities(authority.identity_file.read_text())
    fetched = fetching.fetch(
        BrokerClient(url, authority.token),
        order["id"],
        identities,
        folder / "received",
        say=lambda line: say(f"      {line}"),
    )
    for original, copy in zip(produced, fetched, strict=True):
        if hashlib.sha256(original.read_bytes()).hexdigest() != copy["sha256"]:
            raise EvidenceFailed(f"{copy['name']} differs from what the provider produced")
    return {"manifest": manifest["id"], "files": fetched}

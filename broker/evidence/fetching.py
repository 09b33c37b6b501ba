"""The issuing authority's side: verify the manifest's signature with the provider's key, download
each package (resuming a partial download), check its SHA-256, decrypt it, check every plaintext hash,
and report the outcome to the broker's custody log.
"""

import os
import uuid
from collections.abc import Callable
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from broker import crypto
from broker.evidence import age
from broker.evidence.client import Broker
from broker.evidence.client import EvidenceError
from broker.evidence.client import NoProgress
from broker.wire import envelope

# The members of a public JWK that verification uses; trust lists add organisation, validity and names.
JWK_MEMBERS = frozenset({"kty", "crv", "x", "y", "kid", "alg", "use"})


def fetch(
    broker: Broker,
    order_id: str,
    identities: Sequence[str],
    out: Path,
    *,
    say: Callable[[str], None] = lambda line: None,
    progress: Callable[[str, int], Any] | None = None,
    trusted_keys: dict[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Download, verify and decrypt every sealed package of an order into `out`; report each outcome.

    A manifest's signature is checked with the provider's key (from `trusted_keys`, the deployment's
    trust list, or else the broker's key list); every package's SHA-256 and every decrypted file's
    SHA-256 must equal the manifest's. A failed check leaves no decrypted file behind.
    """
    order = broker.json("GET", f"/orders/{order_id}")
    manifests = [m for m in order["messages"] if m["type"] == "evidence-manifest"]
    if not manifests:
        raise EvidenceError(f"order {order_id} has no evidence manifest yet: nothing was delivered")
    keys = trusted_keys or _keys_of(broker, order["provider"]["id"])
    packages = {p["id"]: p for p in broker.json("GET", f"/orders/{order_id}/evidence")["items"]}
    out.mkdir(parents=True, exist_ok=True)
    partial = out / ".partial"
    partial.mkdir(exist_ok=True, mode=0o700)
    results = []
    for message in manifests:
        body = _verified_manifest(message, keys, order["provider"]["id"])
        for produced in body["files"]:
            named = produced["package"]
            package = packages.get(named["id"])
            if package is None or package["state"] != "sealed":
                state = package["state"] if package else "not listed"
                raise EvidenceError(
                    f"package {named['id']} of {produced['name']} is {state}; it cannot be fetched"
                )
            results.append(_fetch_one(broker, order_id, produced, identities, out, partial, say, progress))
    if not any(partial.iterdir()):
        partial.rmdir()
    return results


def _keys_of(broker: Broker, organisation: str) -> dict[str, dict[str, Any]]:
    listed = broker.json("GET", f"/organisations/{organisation}/keys")["keys"]
    return {key["kid"]: {**key["jwk"], "organisation": organisation, **_validity(key)} for key in listed}


def trusted_keys(jwks: Any) -> dict[str, dict[str, Any]]:
    """The keys of a trust list (keys/*.jwks.json): JWKs with kid, organisation and validity members."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise ValueError('expected a JSON object with a "keys" list')
    return {key["kid"]: key for key in jwks["keys"] if isinstance(key, dict) and "kid" in key}


def _validity(key: dict[str, Any]) -> dict[str, Any]:
    return {name: key.get(name) for name in ("valid_from", "valid_until", "revoked_at")}


def _verified_manifest(
    message: dict[str, Any], keys: dict[str, dict[str, Any]], provider: str
) -> dict[str, Any]:
    """The manifest's body, once its signature verifies with the provider's own key."""
    jwk = keys.get(message["sender_kid"])
    if jwk is None or jwk.get("organisation", provider) != provider:
        raise EvidenceError(
            f"manifest {message['id']} is signed with key {message['sender_kid']}, not a key of the provider"
        )
    if not _valid_at(jwk, message["issued_at"]):
        raise EvidenceError(
            f"manifest {message['id']} was signed with key {message['sender_kid']} outside its validity "
            "(revoked, expired or not yet valid)"
        )
    try:
        opened = envelope.open_sealed(message["jws"], {k: v for k, v in jwk.items() if k in JWK_MEMBERS})
    except (crypto.InvalidSignature, envelope.MalformedEnvelope) as error:
        raise EvidenceError(f"manifest {message['id']} does not verify: {error}") from error
    if opened["sender"]["organisation"] != provider or opened["type"] != "evidence-manifest":
        raise EvidenceError(f"manifest {message['id']} was not sent by the order's provider")
    return dict(opened["body"])


def _valid_at(key: dict[str, Any], issued_at: str) -> bool:
    """The key was valid when the message was signed (a key revoked later still proves earlier messages)."""
    moment = _instant(issued_at)
    starts, ends, revoked = (key.get(name) for name in ("valid_from", "valid_until", "revoked_at"))
    if starts and moment < _instant(starts):
        return False
    return not any(limit and moment >= _instant(limit) for limit in (ends, revoked))


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _fetch_one(
    broker: Broker,
    order_id: str,
    produced: dict[str, Any],
    identities: Sequence[str],
    out: Path,
    partial: Path,
    say: Callable[[str], None],
    progress: Callable[[str, int], Any] | None,
) -> dict[str, Any]:
    named = produced["package"]
    path = f"/orders/{order_id}/evidence/{named['id']}"
    download = partial / f"{named['id']}.age"
    _download(broker, path, download, named, progress)
    target = out / produced["name"]
    # The report goes into the custody log, so it says what failed, never which file.
    failure: str | None = None
    try:
        with download.open("rb") as sealed:
            sha256, size = age.sha256_stream(sealed)
        if (size, sha256) != (named["size"], named["sha256"]):
            failure = "the package's size or SHA-256 differs from the manifest"
            raise EvidenceError(
                f"package {named['id']} is {size} bytes with SHA-256 {sha256}; the manifest says "
                f"{named['size']} bytes with {named['sha256']}"
            )
        temporary = out / f".{produced['name']}.{uuid.uuid4().hex}.part"
        age.decrypt_file(download, temporary, identities)
        with temporary.open("rb") as plain:
            sha256, size = age.sha256_stream(plain)
        if (size, sha256) != (produced["size"], produced["sha256"]):
            temporary.unlink()
            failure = "the decrypted file's size or SHA-256 differs from the manifest"
            raise EvidenceError(
                f"{produced['name']} decrypted to {size} bytes with SHA-256 {sha256}; the manifest says "
                f"{produced['size']} bytes with {produced['sha256']}"
            )
        os.replace(temporary, target)
    except age.NoMatchingIdentity as error:
        failure = "the package was not encrypted to any of the given identities"
        raise EvidenceError(f"{produced['name']}: {failure}") from error
    except age.AgeError as error:
        failure = f"the package is corrupt or was tampered with ({error.__class__.__name__})"
        raise EvidenceError(
            f"{produced['name']}: the package is corrupt or was tampered with ({error})"
        ) from error
    finally:
        report = {"outcome": "failed", "detail": failure} if failure else {"outcome": "verified"}
        broker.request("POST", f"{path}/decryption-report", json=report)
        if failure:
            download.unlink(missing_ok=True)
    download.unlink()
    say(f"{produced['name']}: {produced['size']} bytes decrypted, package and file hashes match the manifest")
    return {
        "name": produced["name"],
        "path": str(target),
        "size": produced["size"],
        "sha256": produced["sha256"],
    }


def _download(
    broker: Broker,
    path: str,
    target: Path,
    named: dict[str, Any],
    progress: Callable[[str, int], Any] | None,
) -> None:
    """Stream the package to `target`, continuing a partial download of the same package."""
    have = target.stat().st_size if target.exists() else 0
    if have > named["size"]:
        target.unlink()
        have = 0
    bar = progress("downloading", named["size"]) if progress else NoProgress()
    with bar:
        bar.update(have)
        if have == named["size"]:
            return
        headers = {"Range": f"bytes={have}-", "If-Range": f'"{named["sha256"]}"'} if have else {}
        answer = broker.request("GET", f"{path}/content", expect=(200, 206), headers=headers, stream=True)
        try:
            with answer, target.open("ab" if answer.status_code == 206 else "wb") as sink:
                for block in answer.iter_content(1 << 20):
                    sink.write(block)
                    bar.update(len(block))
        except requests.RequestException as error:
            raise EvidenceError(
                f"the download broke off ({error.__class__.__name__}); run the same command again to resume"
            ) from error

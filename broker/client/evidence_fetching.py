"""The issuing authority's side: verify the manifest's signature with the provider's key, download
each package (resuming a partial download), check its SHA-256, decrypt it, check every plaintext hash,
and report the outcome to the broker's custody log.
"""

import os
import uuid
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import requests

from broker.client import age
from broker.client.errors import EvidenceError
from broker.client.errors import VerificationError
from broker.client.http import Connection
from broker.client.http import NoProgress
from broker.client.verify import TrustList
from broker.client.verify import verify_message


def fetch(
    broker: Connection,
    order_id: str,
    identities: Sequence[str],
    out: Path,
    *,
    say: Callable[[str], None] = lambda line: None,
    progress: Callable[[str, int], Any] | None = None,
    trusted_keys: TrustList | None = None,
) -> list[dict[str, Any]]:
    """Download, verify and decrypt every sealed package of an order into `out`; report each outcome.

    A manifest's signature is checked with the provider's key (from `trusted_keys`, the deployment's
    trust list, or else the broker's key list); every package's SHA-256 and every decrypted file's
    SHA-256 must equal the manifest's. A failed check leaves no decrypted file behind, and no file
    already in `out` is ever replaced by different content (see `_placement`).
    """
    order = broker.json("GET", f"/orders/{order_id}")
    manifests = [m for m in order["messages"] if m["type"] == "evidence-manifest"]
    if not manifests:
        raise EvidenceError(f"order {order_id} has no evidence manifest yet: nothing was delivered")
    provider = order["provider"]["id"]
    # An empty trust list is a trust list: it must not fall back to trusting the broker's key list.
    if trusted_keys is not None:
        keys = trusted_keys
    else:
        keys = TrustList.from_document(broker.json("GET", f"/organisations/{provider}/keys"))
    packages = {p["id"]: p for p in broker.json("GET", f"/orders/{order_id}/evidence")["items"]}
    out.mkdir(parents=True, exist_ok=True)
    partial = out / ".partial"
    partial.mkdir(exist_ok=True, mode=0o700)
    results = []
    claimed: set[Path] = set()
    for message in manifests:
        body = _verified_manifest(message, keys, provider)
        for produced in body["files"]:
            named = produced["package"]
            package = packages.get(named["id"])
            if package is None or package["state"] != "sealed":
                state = package["state"] if package else "not listed"
                raise EvidenceError(
                    f"package {named['id']} of {produced['name']} is {state}; it cannot be fetched"
                )
            target = _placement(out, message["id"], produced, claimed, say)
            results.append(
                _fetch_one(broker, order_id, produced, identities, target, partial, say, progress)
                | {"manifest": message["id"]}
            )
    if not any(partial.iterdir()):
        partial.rmdir()
    return results


def _verified_manifest(message: dict[str, Any], keys: TrustList, provider: str) -> dict[str, Any]:
    """The manifest's body, once its signature verifies with the provider's own key."""
    key = keys.get(message["sender_kid"])
    if key is None or (key.organisation or provider) != provider:
        raise EvidenceError(
            f"manifest {message['id']} is signed with key {message['sender_kid']}, not a key of the provider"
        )
    try:
        refusal = key.refusal_at(message["issued_at"])
    except ValueError as error:
        raise EvidenceError(f"the validity dates of key {key.kid} are not RFC 3339: {error}") from error
    if refusal:
        raise EvidenceError(
            f"manifest {message['id']} was signed with key {message['sender_kid']} outside its validity "
            "(revoked, expired or not yet valid)"
        )
    try:
        opened = verify_message(message["jws"], keys)
    except VerificationError as error:
        raise EvidenceError(f"manifest {message['id']} does not verify: {error}") from error
    if opened.sender != provider or opened.type != "evidence-manifest":
        raise EvidenceError(f"manifest {message['id']} was not sent by the order's provider")
    return opened.body


def _placement(
    out: Path, manifest_id: str, produced: dict[str, Any], claimed: set[Path], say: Callable[[str], None]
) -> Path:
    """Where a produced file goes, so that nothing is ever overwritten silently.

    A file goes to `out/<name>` unless an earlier file of this run took that name (two manifests of
    one order may both deliver `mailbox.mbox`) or `out` already holds a different file under it (a
    file the manifest's size and SHA-256 do not describe). Then it goes to `out/<manifest id>/<name>`,
    which is said on stderr and in the result's `path`. The choice depends only on the manifests and
    on what `out` held, so running fetch again finds each file where the first run put it, and
    rewrites it only with the identical bytes. If both places are taken, fetch stops.
    """
    name = str(produced["name"])
    if name in (".", "..") or name == ".partial":
        raise EvidenceError(
            f"manifest {manifest_id} names a file {name!r}, which cannot be written; ask the provider"
        )
    preferred = out / name
    if preferred not in claimed and _free_for(preferred, produced):
        claimed.add(preferred)
        return preferred
    alternative = out / manifest_id / name
    if alternative in claimed or not _free_for(alternative, produced):
        raise EvidenceError(
            f"{name}: {preferred} and {alternative} already hold other files; fetch into an empty --out folder "
            "(nothing was overwritten)"
        )
    try:
        alternative.parent.mkdir(exist_ok=True)
    except OSError as error:
        raise EvidenceError(f"{name}: cannot create {alternative.parent} ({error.strerror})") from error
    claimed.add(alternative)
    why = (
        "another manifest of this order delivered a file of that name"
        if preferred in claimed
        else (f"{preferred} already holds a different file")
    )
    say(f"{name}: {why}; saving it as {alternative}")
    return alternative


def _free_for(path: Path, produced: dict[str, Any]) -> bool:
    """No file there, or already this very file (the manifest's size and SHA-256): nothing to lose."""
    if not path.exists() and not path.is_symlink():
        return True
    if not path.is_file() or path.is_symlink() or path.stat().st_size != produced["size"]:
        return False
    with path.open("rb") as existing:
        return bool(age.sha256_stream(existing)[0] == produced["sha256"])


def _fetch_one(
    broker: Connection,
    order_id: str,
    produced: dict[str, Any],
    identities: Sequence[str],
    target: Path,
    partial: Path,
    say: Callable[[str], None],
    progress: Callable[[str, int], Any] | None,
) -> dict[str, Any]:
    """Download one package, check it, decrypt it next to `target`, check the plaintext, rename it."""
    named = produced["package"]
    path = f"/orders/{order_id}/evidence/{named['id']}"
    download = partial / f"{named['id']}.age"
    _download(broker, path, download, named, progress)
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
        temporary = target.parent / f".{produced['name']}.{uuid.uuid4().hex}.part"
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
        os.replace(temporary, target)  # onto nothing, or onto these very bytes (_placement)
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
    broker: Connection,
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

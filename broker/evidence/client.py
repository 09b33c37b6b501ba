"""The parties' side of evidence delivery, over the broker's HTTP API.

`send` is the addressee's job: encrypt each produced file to the issuing authority's age recipient
(once, into a work folder, so a resumed upload sends the very same bytes), upload the packages in
chunks, let the broker measure them, and sign the manifest. `fetch` is the issuing authority's:
verify the manifest's signature with the provider's key, download each package (resuming a partial
download), check its SHA-256, decrypt it, check every plaintext hash, and report the outcome.

Only this side ever sees plaintext or an age identity; the broker moves ciphertext.
"""

import base64
import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from broker import crypto
from broker.clock import system_clock
from broker.evidence import age
from broker.wire import envelope

API = "/api/v1"
# Connection failures are retried this often per request, waiting RETRY_WAIT seconds more each time.
RETRIES = 4
RETRY_WAIT = 1.0
STATE_FILE = "send-state.json"
# The members of a public JWK that verification uses; trust lists add organisation, validity and names.
JWK_MEMBERS = frozenset({"kty", "crv", "x", "y", "kid", "alg", "use"})

Progress = Callable[[int], None]


class EvidenceError(Exception):
    """Something the user must act on; the message says what happened and what to do."""


class BrokerError(EvidenceError):
    """The broker refused a request; carries the problem type and status."""

    def __init__(self, method: str, path: str, status: int, problem: dict[str, Any]) -> None:
        self.status = status
        self.problem = problem
        self.type = str(problem.get("type", ""))
        detail = problem.get("detail") or problem.get("title") or "no detail"
        errors = problem.get("errors")
        suffix = f" ({json.dumps(errors, ensure_ascii=False)})" if errors else ""
        super().__init__(f"{method} {path} answered {status}: {detail}{suffix}")


class Broker:
    """The API with one party's token: JSON in and out, problems as BrokerError, retries on broken connections."""

    def __init__(
        self, base_url: str, token: str, http: requests.Session | None = None, timeout: float = 300
    ) -> None:
        self.base = base_url.rstrip("/")
        self.http = http or requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.timeout = timeout

    def request(
        self, method: str, path: str, *, expect: Sequence[int] = (200,), **kwargs: Any
    ) -> requests.Response:
        url = self.base + API + path
        for attempt in range(RETRIES + 1):
            try:
                answer = self.http.request(method, url, timeout=self.timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as error:
                if attempt == RETRIES or not _rewindable(kwargs.get("data")):
                    raise EvidenceError(
                        f"cannot reach the broker at {self.base} ({error.__class__.__name__}); run the same "
                        "command again to resume"
                    ) from error
                time.sleep(RETRY_WAIT * (attempt + 1))
                continue
            if answer.status_code in expect:
                return answer
            raise BrokerError(method, path, answer.status_code, _problem(answer))
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.request(method, path, **kwargs).json()


@dataclass(frozen=True)
class Signer:
    """The addressee's signing key, as its own systems hold it."""

    private_key: Any
    kid: str

    @classmethod
    def from_pem_file(cls, path: Path) -> "Signer":
        try:
            key = crypto.load_private_key(path.read_bytes())
        except (OSError, ValueError) as error:
            raise EvidenceError(f"cannot read the signing key {path}: {error}") from error
        return cls(key, crypto.jwk_thumbprint(crypto.public_jwk(key)))


@dataclass(frozen=True)
class Produced:
    """One produced file as the manifest describes it."""

    path: Path
    name: str
    size: int
    sha256: str


def send(
    broker: Broker,
    order_id: str,
    files: Sequence[Path],
    signer: Signer,
    work: Path,
    *,
    data_categories: Sequence[str] | None = None,
    time_range: dict[str, str] | None = None,
    recipient: str | None = None,
    say: Callable[[str], None] = lambda line: None,
    progress: Callable[[str, int], Any] | None = None,
) -> dict[str, Any]:
    """Deliver `files` for an order: encrypt, upload (resuming), seal with a signed manifest.

    Returns the signed manifest's envelope. `work` keeps the encrypted packages and what was already
    uploaded, so running the same command again after a failure resumes instead of starting over.
    """
    names = [path.name for path in files]
    if len(set(names)) != len(names):
        raise EvidenceError(
            "two produced files have the same name; rename one so the manifest is unambiguous"
        )
    me = broker.json("GET", "/me")
    order = broker.json("GET", f"/orders/{order_id}")
    issuer = order["issuing_authority"]["id"]
    recipient = recipient or _current_recipient(broker, issuer)
    work.mkdir(parents=True, exist_ok=True, mode=0o700)
    state = _State.load(work / STATE_FILE, order_id, recipient)
    delivered = next((m for m in order["messages"] if m["id"] == state.manifest_id), None)
    if delivered is not None:
        # The broker took the manifest but its answer was lost: the delivery is already complete.
        say(f"manifest {delivered['id']} was already accepted: nothing left to send")
        state.finish()
        return envelope.read_unverified(delivered["jws"])
    entries = []
    for path in files:
        produced, package = _encrypted(path, recipient, work, state, say)
        entries.append((produced, package))
    total = sum(package["size"] for _, package in entries)
    bar = progress("uploading", total) if progress else _NoBar()
    with bar:
        for produced, package in entries:
            package["id"] = _uploaded(broker, order_id, produced, package, state, bar.update)
    manifest = {
        "data_categories": list(data_categories or order["certificate"]["data_categories"]),
        "time_range": time_range or order["certificate"]["time_range"],
        "recipient": recipient,
        "files": [
            {
                "name": produced.name,
                "size": produced.size,
                "sha256": produced.sha256,
                "package": {"id": package["id"], "size": package["size"], "sha256": package["sha256"]},
            }
            for produced, package in entries
        ],
    }
    sealed = envelope.new_envelope(
        message_type="evidence-manifest",
        body=manifest,
        sender=me["organisation"]["id"],
        kid=signer.kid,
        recipient=issuer,
        issued_at=system_clock(),
        in_reply_to=order["messages"][0]["id"],
        message_id=state.manifest_id,
    )
    broker.request(
        "POST",
        f"/orders/{order_id}/messages",
        expect=(201,),
        data=envelope.seal(sealed, signer.private_key, signer.kid),
        headers={"Content-Type": "application/jose", "Idempotency-Key": state.manifest_id},
    )
    say(f"manifest {sealed['id']} signed and accepted: {len(entries)} package(s) sealed as evidence")
    state.finish()
    return sealed


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


# The addressee's side.


class _State:
    """What a send has done so far, kept in the work folder so a second run resumes."""

    def __init__(self, path: Path, document: dict[str, Any]) -> None:
        self.path = path
        self.document = document

    @classmethod
    def load(cls, path: Path, order_id: str, recipient: str) -> "_State":
        fresh = {"order": order_id, "recipient": recipient, "manifest_id": str(uuid.uuid4()), "files": {}}
        if not path.exists():
            return cls(path, fresh)
        document = json.loads(path.read_text())
        if (document.get("order"), document.get("recipient")) != (order_id, recipient):
            raise EvidenceError(
                f"{path.parent} holds an unfinished delivery for another order or recipient; use another --work folder"
            )
        return cls(path, document)

    @property
    def manifest_id(self) -> str:
        return str(self.document["manifest_id"])

    def file(self, path: Path) -> dict[str, Any] | None:
        return self.document["files"].get(str(path.resolve()))

    def remember(self, path: Path, entry: dict[str, Any]) -> None:
        self.document["files"][str(path.resolve())] = entry
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.document, indent=2))
        os.replace(temporary, self.path)

    def finish(self) -> None:
        """Delivered: the encrypted copies and the state go; the plaintext was never copied."""
        for entry in self.document["files"].values():
            Path(entry["package"]["path"]).unlink(missing_ok=True)
        self.path.unlink(missing_ok=True)


def _encrypted(
    path: Path, recipient: str, work: Path, state: _State, say: Callable[[str], None]
) -> tuple[Produced, dict[str, Any]]:
    """The file's encrypted package in `work`: made once, reused on resume (age output is randomised)."""
    try:
        with path.open("rb") as source:
            sha256, size = age.sha256_stream(source)
    except OSError as error:
        raise EvidenceError(f"cannot read {path}: {error.strerror}") from error
    produced = Produced(path, path.name, size, sha256)
    known = state.file(path)
    if known and known["sha256"] == sha256 and Path(known["package"]["path"]).is_file():
        return produced, known["package"]
    target = work / f"{uuid.uuid4()}.age"
    with path.open("rb") as source, target.open("wb") as sink:
        age.encrypt_stream(source, sink, [recipient])
    with target.open("rb") as sealed:
        package_sha256, package_size = age.sha256_stream(sealed)
    package = {"path": str(target), "size": package_size, "sha256": package_sha256, "id": None}
    state.remember(path, {"sha256": sha256, "package": package})
    say(f"{path.name}: {size} bytes encrypted to {package_size} bytes")
    return produced, package


def _uploaded(
    broker: Broker,
    order_id: str,
    produced: Produced,
    package: dict[str, Any],
    state: _State,
    advance: Progress,
) -> str:
    """Upload one package (or resume it) and have the broker assemble it; returns its id."""
    current = None
    if package.get("id"):
        try:
            current = broker.json("GET", f"/orders/{order_id}/evidence/{package['id']}")
        except BrokerError as error:
            if error.status != 404:
                raise
        if current is not None and current["state"] not in ("uploading", "uploaded"):
            current = None  # aborted, rejected or deleted: start a new package
    if current is None:
        current = broker.json(
            "POST",
            f"/orders/{order_id}/evidence",
            expect=(201,),
            json={"file_name": f"{produced.name}.age", "size": package["size"], "sha256": package["sha256"]},
        )
        package["id"] = current["id"]
        state.remember(produced.path, {"sha256": produced.sha256, "package": package})
    done = set(current["chunks_received"])
    chunk_size = current["chunk_size"]
    path = f"/orders/{order_id}/evidence/{current['id']}"
    if current["state"] == "uploading":
        with Path(package["path"]).open("rb") as source:
            for index in range(current["chunk_count"]):
                if index in done:
                    advance(min(chunk_size, package["size"] - index * chunk_size))
                    continue
                source.seek(index * chunk_size)
                chunk = source.read(chunk_size)
                digest = base64.b64encode(hashlib.sha256(chunk).digest()).decode()
                broker.request(
                    "PUT",
                    f"{path}/chunks/{index}",
                    data=chunk,
                    headers={
                        "Content-Type": "application/octet-stream",
                        "Content-Digest": f"sha-256=:{digest}:",
                    },
                )
                advance(len(chunk))
        broker.request("POST", f"{path}/complete")
    else:
        advance(package["size"])
    return str(current["id"])


def _current_recipient(broker: Broker, issuer: str) -> str:
    published = broker.json("GET", f"/organisations/{issuer}/recipients")["recipients"]
    current = [r for r in published if r.get("revoked_at") is None]
    if not current:
        raise EvidenceError(
            "the issuing authority has published no encryption recipient: ask it to run "
            "`broker key add-recipient` (nothing can be encrypted to it until then)"
        )
    return str(max(current, key=lambda r: r["created_at"])["recipient"])


# The issuing authority's side.


def _keys_of(broker: Broker, organisation: str) -> dict[str, dict[str, Any]]:
    listed = broker.json("GET", f"/organisations/{organisation}/keys")["keys"]
    return {key["kid"]: {**key["jwk"], "organisation": organisation, **_validity(key)} for key in listed}


def trusted_keys(jwks: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The keys of a trust list (keys/*.jwks.json): JWKs with kid, organisation and validity members."""
    return {key["kid"]: key for key in jwks.get("keys", []) if isinstance(key, dict) and "kid" in key}


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
    bar = progress("downloading", named["size"]) if progress else _NoBar()
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


# Plumbing.


class _NoBar:
    def __enter__(self) -> "_NoBar":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        return None


def _rewindable(data: Any) -> bool:
    return data is None or isinstance(data, bytes | str)


def _problem(answer: requests.Response) -> dict[str, Any]:
    try:
        document = answer.json()
    except ValueError:
        return {"detail": answer.text[:500] or answer.reason}
    return document if isinstance(document, dict) else {"detail": str(document)}

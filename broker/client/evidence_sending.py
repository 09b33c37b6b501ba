"""The addressee's side: encrypt each produced file to the issuing authority's age recipient, upload
the packages in chunks, let the broker measure them, and sign the manifest.

Each file is encrypted once, into a work folder that also records what was uploaded: age output is
randomised, so a resumed upload must send the very same bytes, and only the chunks still missing.
"""

import base64
import hashlib
import json
import os
import uuid
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from broker.client import age
from broker.client.errors import EvidenceError
from broker.client.errors import ProblemError
from broker.client.http import Connection
from broker.client.http import NoProgress
from broker.client.http import Progress
from broker.clock import system_clock
from broker.crypto import Signer
from broker.wire import envelope

STATE_FILE = "send-state.json"


@dataclass(frozen=True)
class Produced:
    """One produced file as the manifest describes it."""

    path: Path
    name: str
    size: int
    sha256: str


def send(
    broker: Connection,
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
    bar = progress("uploading", total) if progress else NoProgress()
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
        data=envelope.seal(sealed, signer, signer.kid),
        headers={"Content-Type": "application/jose", "Idempotency-Key": state.manifest_id},
    )
    say(f"manifest {sealed['id']} signed and accepted: {len(entries)} package(s) sealed as evidence")
    state.finish()
    return sealed


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
        known: dict[str, Any] | None = self.document["files"].get(str(path.resolve()))
        return known

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
    broker: Connection,
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
        except ProblemError as error:
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


def _current_recipient(broker: Connection, issuer: str) -> str:
    published = broker.json("GET", f"/organisations/{issuer}/recipients")["recipients"]
    current = [r for r in published if r.get("revoked_at") is None]
    if not current:
        raise EvidenceError(
            "the issuing authority has published no encryption recipient: ask it to run "
            "`broker key add-recipient` (nothing can be encrypted to it until then)"
        )
    return str(max(current, key=lambda r: r["created_at"])["recipient"])

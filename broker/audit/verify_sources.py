"""Where an outside verifier reads the log: the broker's API (with an oversight body's token) or an export.

Neither is trusted: a source only hands over checkpoints, entries and proofs, and everything it
hands over is checked against the broker's verifier key and the hashes the verifier recomputes.
"""

import base64
from typing import Any
from typing import Protocol

import requests

from broker import translog

EXPORT_FORMAT = "eevidence-broker-audit-export/1"
# Entries asked for per request: the API's largest page.
PAGE = 1000


class AuditVerificationError(Exception):
    """The log, an entry, a case file or a checkpoint does not verify; the message says what and where."""


class LogSource(Protocol):
    """Where the log is read from: the broker's API or an export file."""

    def latest_checkpoint(self) -> bytes:
        """The newest signed checkpoint the source holds, as a signed note."""
        ...

    def signed_at(self) -> str | None:
        """When the broker signed the checkpoint `latest_checkpoint` returned, if the source says."""
        ...

    def size(self) -> int:
        """How many entries the source holds now, including any past its newest checkpoint."""
        ...

    def entries(self, start: int, limit: int) -> list[Any]:
        """Entries [start, start + limit) as the source holds them (unchecked JSON values)."""
        ...

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """The proof that entry `index` is in the tree of the first `size` entries."""
        ...

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """The proof that the tree of `new_size` entries extends the tree of `old_size`."""
        ...


class HttpAnswer(Protocol):
    """What ApiSource reads of an HTTP answer: requests' spelling."""

    status_code: int
    text: str

    def json(self) -> Any: ...


class HttpSession(Protocol):
    """The part of requests.Session ApiSource uses; the demo hands in one over Flask's test client."""

    headers: dict[str, str]

    def get(self, url: str, params: dict[str, int], timeout: float) -> HttpAnswer: ...

    def post(self, url: str, params: dict[str, int], timeout: float) -> HttpAnswer: ...


class ApiSource:
    """The broker's audit API, read with an oversight body's token."""

    def __init__(
        self, base_url: str, token: str, session: requests.Session | HttpSession | None = None
    ) -> None:
        self.base = base_url.rstrip("/") + "/api/v1/audit"
        self.http = session or requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self._signed_at: str | None = None

    def get_json(self, path: str, **params: int) -> Any:
        """GET a path under /api/v1/audit; anything but 200 is an AuditVerificationError."""
        return self._call("GET", path, 200, params)

    def latest_checkpoint(self) -> bytes:
        answer = self.get_json("/checkpoints/latest")
        self._signed_at = answer.get("created_at")
        return str(answer["note"]).encode()

    def signed_at(self) -> str | None:
        return self._signed_at

    def sign_checkpoint(self) -> tuple[bytes, str | None]:
        """Ask the broker to sign a checkpoint of the log now (it integrates queued entries first).

        Only an oversight body may; the broker returns its newest checkpoint if nothing was added.
        """
        answer = self._call("POST", "/checkpoints", 201, {})
        return str(answer["note"]).encode(), answer.get("created_at")

    def size(self) -> int:
        return int(self.get_json("/entries", start=0, limit=1)["size"])

    def entries(self, start: int, limit: int) -> list[Any]:
        return list(self.get_json("/entries", start=start, limit=limit)["entries"])

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        answer = self.get_json("/proofs/inclusion", index=index, size=size)
        return [base64.b64decode(h) for h in answer["proof"]]

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        answer = self.get_json("/proofs/consistency", old_size=old_size, new_size=new_size)
        return [base64.b64decode(h) for h in answer["proof"]]

    def _call(self, method: str, path: str, status: int, params: dict[str, int]) -> Any:
        # get and post, not request: the demo hands in a stand-in for requests.Session with just those.
        send = self.http.get if method == "GET" else self.http.post
        try:
            answer = send(self.base + path, params=params, timeout=30)
        except requests.RequestException as error:
            raise AuditVerificationError(f"cannot reach the broker: {error}") from error
        if answer.status_code != status:
            try:
                detail = answer.json().get("detail", answer.text)
            except ValueError:
                detail = answer.text
            raise AuditVerificationError(f"{method} {path} answered {answer.status_code}: {detail}")
        return answer.json()


class ExportSource:
    """An export file (`broker audit export`): proofs are computed here from its entries."""

    def __init__(self, document: dict[str, Any]) -> None:
        if (
            not isinstance(document, dict)
            or document.get("format") != EXPORT_FORMAT
            or not isinstance(document.get("entries"), list)
        ):
            raise AuditVerificationError(f"not an audit export in the {EXPORT_FORMAT} format")
        if not document.get("checkpoints"):
            raise AuditVerificationError("the export holds no signed checkpoint")
        self.document = document

    def latest_checkpoint(self) -> bytes:
        return str(self.document["checkpoints"][-1]).encode()

    def signed_at(self) -> str | None:
        return None  # an export keeps the signed notes only, and a note carries no time

    def size(self) -> int:
        return len(self.document["entries"])

    def entries(self, start: int, limit: int) -> list[Any]:
        return list(self.document["entries"][start : start + limit])

    def _hashes(self, size: int) -> list[bytes]:
        return [translog.leaf_hash(entry["leaf"].encode()) for entry in self.document["entries"][:size]]

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        return translog.inclusion_proof(self._hashes(size), index)

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        return translog.consistency_proof(self._hashes(new_size), old_size)


def open_latest(source: LogSource, vkey: str) -> tuple[translog.Checkpoint, bytes]:
    """The source's newest checkpoint, its signature checked with the broker's verifier key."""
    note = source.latest_checkpoint()
    return open_note(note, vkey, "the checkpoint does not verify with the given key"), note


def open_note(note: bytes, vkey: str, failure: str) -> translog.Checkpoint:
    """A signed checkpoint opened with the verifier key, or AuditVerificationError starting with `failure`."""
    try:
        return translog.open_checkpoint(note, vkey)
    except translog.CheckpointError as error:
        raise AuditVerificationError(f"{failure}: {error}") from error

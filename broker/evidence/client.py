"""The parties' side of evidence delivery: the broker's HTTP API with one party's token.

`broker.evidence.sending` (the addressee) and `broker.evidence.fetching` (the issuing authority) build
on it. Only the parties' machines ever see plaintext or an age identity; the broker moves ciphertext.
"""

import json
import time
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from broker import crypto

API = "/api/v1"
# Connection failures are retried this often per request, waiting RETRY_WAIT seconds more each time.
RETRIES = 4
RETRY_WAIT = 1.0

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


class NoProgress:
    """A progress bar that shows nothing, for callers that pass none."""

    def __enter__(self) -> "NoProgress":
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

"""The broker's HTTP API with one party's token: the transport every part of the client shares.

What it adds to `requests`: problem+json answers become `ProblemError`; a broken connection or a
timeout is retried (RETRIES times, waiting RETRY_WAIT seconds more each time); and every POST
carries an Idempotency-Key, fresh for each logical request and the same on each retry, so that a
retried POST whose first answer was lost is replayed by the broker instead of done twice. Answers
are read within broker.crypto.jsonlimits' bounds, so no answer, whoever sends it, can exhaust the
parser.
"""

import time
import uuid
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

import requests

from broker.client.errors import ClientError
from broker.client.errors import ConnectionFailed
from broker.client.errors import ProblemError
from broker.crypto import jsonlimits

API = "/api/v1"
# Connection failures are retried this often per request, waiting RETRY_WAIT seconds more each time.
RETRIES = 4
RETRY_WAIT = 1.0
TIMEOUT = 300.0

Progress = Callable[[int], None]


class Connection:
    """One party's authenticated access to one broker: JSON in and out, retries, idempotency keys."""

    def __init__(
        self,
        base_url: str,
        token: str,
        http: requests.Session | None = None,
        timeout: float = TIMEOUT,
        *,
        user_agent: str | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ClientError(f"the broker URL must start with https:// or http://, not {base_url!r}")
        if not token:
            raise ClientError("an API token is required")
        self.base = base_url.rstrip("/")
        self.http = http or requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        if user_agent:
            self.http.headers["User-Agent"] = user_agent
        self.timeout = timeout

    def request(
        self,
        method: str,
        path: str,
        *,
        expect: Sequence[int] = (200,),
        idempotency_key: str | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send one request, retrying broken connections; a status not in `expect` is a ProblemError.

        A POST gets `idempotency_key`, or a fresh UUID, as its Idempotency-Key unless the caller's
        headers already carry one; the retries of this call reuse it.
        """
        url = self.base + API + path
        if method.upper() == "POST":
            headers = dict(kwargs.pop("headers", None) or {})
            if not any(name.lower() == "idempotency-key" for name in headers):
                headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
            kwargs["headers"] = headers
        for attempt in range(RETRIES + 1):
            try:
                answer = self.http.request(method, url, timeout=self.timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as error:
                if attempt == RETRIES or not _rewindable(kwargs.get("data")):
                    raise ConnectionFailed(
                        f"cannot reach the broker at {self.base} ({error.__class__.__name__}); run the same "
                        "command again to resume"
                    ) from error
                time.sleep(RETRY_WAIT * (attempt + 1))
                continue
            if answer.status_code in expect:
                return answer
            raise ProblemError(method, path, answer.status_code, _problem(answer))
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """The JSON document the broker answered, read within the JSON limits (ValueError beyond them)."""
        return jsonlimits.loads(self.request(method, path, **kwargs).content, check_text=False)

    def post_jose(
        self, path: str, jws: str, *, expect: Sequence[int], idempotency_key: str | None = None
    ) -> Any:
        """POST a signed message (application/jose) and return the JSON answer."""
        if not jws.isascii():
            raise ClientError("a signed message is ASCII text (a JWS compact serialization); this is not one")
        return self.json(
            "POST",
            path,
            expect=expect,
            data=jws.strip().encode("ascii"),
            headers={"Content-Type": "application/jose"},
            idempotency_key=idempotency_key,
        )


class NoProgress:
    """A progress bar that shows nothing, for callers that pass none."""

    def __enter__(self) -> "NoProgress":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        return None


def query(**values: Any) -> dict[str, str]:
    """Query parameters as the API spells them: booleans as true/false, None left out."""
    return {
        name: ("true" if value else "false") if isinstance(value, bool) else str(value)
        for name, value in values.items()
        if value is not None
    }


def _rewindable(data: Any) -> bool:
    return data is None or isinstance(data, bytes | str)


def _problem(answer: requests.Response) -> Mapping[str, Any]:
    try:
        document = jsonlimits.loads(answer.content, check_text=False)
    except ValueError:
        return {"detail": answer.text[:500] or answer.reason}
    return document if isinstance(document, dict) else {"detail": str(document)}

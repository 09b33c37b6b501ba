"""Delivering the outbox: signed POSTs with exponential backoff, safe with many workers and any crash.

Delivery is at least once. Each message is sent in its own transaction that holds the row from the
claim to the recorded outcome, and nothing is marked delivered unless the receiver answered 2xx. A
worker that dies mid-delivery rolls its transaction back, so the message stays due and is sent again;
a receiver may therefore see a message twice and deduplicates on X-Broker-Delivery (the outbox id).

Two workers never send the same attempt: on PostgreSQL the due query skips rows another worker has
locked (FOR UPDATE SKIP LOCKED); on every database each attempt is then claimed by a conditional
UPDATE of the attempts counter, which only one transaction can win (SQLite serialises the claims,
holding its single write lock for the duration of the HTTP call).

Backoff: after the n-th failed attempt the next comes min(30 s * 2**(n-1), 1 h) later (30 s, 1 min,
2 min, ... 32 min, then hourly). The schedule is clamped to created_at + 24 h and a message fails only
when an attempt made at or after that instant fails, so retries always span at least 24 hours.

Egress: every POST goes through `PinnedAdapter`, never through the caller's session, its proxies or
its environment. The adapter resolves the URL's host at the moment of sending, refuses the attempt
if any address is not public (broker/notify/addresses.py), and connects to an address it checked,
sending the URL's Host header and verifying TLS against the URL's name, so a name that changes its
answer between the check and the connection (DNS rebinding) changes nothing. Redirects are never
followed. A refused attempt is a failed attempt like any other: retried, visible in the history.
"""

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
import sqlalchemy as sa
from requests.adapters import HTTPAdapter
from sqlalchemy import orm
from urllib3.exceptions import ConnectTimeoutError
from urllib3.exceptions import MaxRetryError

from broker import config
from broker import crypto
from broker.audit.signer import LogSigner
from broker.clock import Clock
from broker.db import Database
from broker.notify import addresses
from broker.notify import operations
from broker.notify import queries
from broker.notify.models import OutboxMessage

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
MAX_ERROR_LENGTH = 500
# Addresses of one name tried in turn when a connection cannot be made (nothing was sent yet).
MAX_ADDRESSES_TRIED = 3


@dataclass(frozen=True)
class Egress:
    """What deliveries may reach and how names are resolved; tests inject a resolver and their own CA."""

    allow_loopback: bool = False
    resolver: addresses.Resolver = addresses.system_resolver
    # True: the system's CA bundle (requests' default); a path: that bundle (tests' own CA).
    verify: bool | str = True

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "Egress":
        """As the deployment configures it (BROKER_WEBHOOK_ALLOW_LOOPBACK), with the system's resolver."""
        return cls(allow_loopback=addresses.allow_loopback_setting(settings))


class RefusedDestination(requests.ConnectionError):
    """The URL, or an address its name resolves to, is not one the broker may reach; nothing was sent."""


class PinnedAdapter(HTTPAdapter):
    """A transport adapter that connects only to addresses it resolved and checked itself.

    `send` resolves the request's host once and checks every address; the connection pool is then
    keyed by the checked address (`build_connection_pool_key_attributes`), with the original name
    as TLS server name (SNI) and as the name the certificate must match. urllib3 thus never
    resolves the name again, and a rebinding answer between check and connect is never used.
    """

    def __init__(self, egress: Egress) -> None:
        super().__init__(max_retries=0)
        self.egress = egress
        self._pinned = threading.local()

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Resolve, check, then send to each checked address in turn until a connection is made."""
        if proxies:
            raise RefusedDestination("deliveries never go through a proxy: the proxy would resolve the name")
        try:
            target = addresses.resolve(
                request.url or "", self.egress.resolver, allow_loopback=self.egress.allow_loopback
            )
        except addresses.AddressRefused as refused:
            raise RefusedDestination(str(refused), request=request) from None
        # The receiver sees the URL's host, never the address the connection was pinned to.
        request.headers["Host"] = target.host_header
        unreachable: requests.ConnectionError | None = None
        for address in target.addresses[:MAX_ADDRESSES_TRIED]:
            self._pinned.target = (target, address)
            try:
                return super().send(
                    request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies={}
                )
            except requests.ConnectionError as error:
                if not _never_connected(error):
                    raise
                unreachable = error
            finally:
                self._pinned.target = None
        assert unreachable is not None  # the target has at least one address
        raise unreachable

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: bool | str, cert: Any = None
    ) -> tuple[Any, Any]:
        """The pool of the pinned address, verifying TLS against the URL's name rather than the address."""
        params, kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        host_params: dict[str, Any] = dict(params)
        pool_kwargs: dict[str, Any] = dict(kwargs)
        pinned = getattr(self._pinned, "target", None)
        if pinned is None:
            raise RefusedDestination("no checked address for this request: it was not sent through send()")
        target, address = pinned
        if host_params["host"] != target.host:
            raise RefusedDestination(
                f"the request is for {host_params['host']}, but {target.host} was checked"
            )
        host_params["host"] = str(address)
        if host_params["scheme"] == "https":
            # SNI and the certificate check use the name the organisation registered, not the address.
            pool_kwargs["server_hostname"] = target.tls_name
            pool_kwargs["assert_hostname"] = target.tls_name or str(address)
        return host_params, pool_kwargs


def _never_connected(error: requests.ConnectionError) -> bool:
    """Whether the connection itself failed (refused, unreachable, timed out): then nothing was sent."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    reason = error.args[0].reason if error.args and isinstance(error.args[0], MaxRetryError) else None
    return isinstance(reason, ConnectTimeoutError)  # NewConnectionError is one too


def broker_jwk(signer: LogSigner) -> dict[str, str]:
    """The broker's public JWK as receivers verify deliveries with it: kid is its RFC 7638 thumbprint."""
    jwk = crypto.public_jwk(signer.private_key)
    return {**jwk, "kid": crypto.jwk_thumbprint(jwk), "alg": "EdDSA", "use": "sig"}


def deliver_due(
    database: Database,
    clock: Clock,
    signer: LogSigner,
    http: requests.Session,
    *,
    limit: int = 50,
    egress: Egress | None = None,
) -> int:
    """Attempt up to `limit` due messages, emergencies first, then oldest; how many HTTP calls were made.

    `http` gives the requests their default headers (User-Agent); its adapters, proxies and
    environment are never used: every call goes through a `PinnedAdapter`. `egress` defaults to
    the deployment's settings (BROKER_WEBHOOK_ALLOW_LOOPBACK from the environment, as `broker
    worker` reads every setting).
    """
    adapter = PinnedAdapter(egress or Egress.from_settings(config.settings()))
    kid = broker_jwk(signer)["kid"]
    made = 0
    try:
        for _ in range(limit):
            try:
                with database.transaction() as session:
                    outcome = _deliver_next(session, clock, signer, kid, http, adapter)
            except sa.exc.OperationalError as error:
                # The database was busy or went away: this message's transaction rolled back, so it is
                # still due (and may have reached its receiver: at least once). Leave it to the next round.
                log.warning("delivery round interrupted: %s", error.orig)
                break
            if outcome is None:
                break
            made += outcome
    finally:
        adapter.close()
    return made


def _deliver_next(
    session: orm.Session,
    clock: Clock,
    signer: LogSigner,
    kid: str,
    http: requests.Session,
    adapter: PinnedAdapter,
) -> bool | None:
    """Deliver the first due message: None if none is due, else whether an HTTP call was made."""
    now = clock()
    message = queries.next_due(session, now)
    if message is None:
        return None
    number = operations.claim_attempt(session, message, now)
    if number is None:
        return False
    status_code, error = _post(http, adapter, message, signer, kid)
    operations.record_attempt(session, message, now, number, status_code, error)
    return True


def _post(
    http: requests.Session, adapter: PinnedAdapter, message: OutboxMessage, signer: LogSigner, kid: str
) -> tuple[int | None, str | None]:
    """POST the signed document: (status code, None) on 2xx, else what went wrong."""
    token = crypto.sign_jws(message.payload.encode("utf-8"), signer.private_key, kid)
    headers = {
        **http.headers,
        "Content-Type": "application/jose",
        "X-Broker-Event": message.event,
        "X-Broker-Delivery": str(message.id),
        "X-Broker-Emergency": "true" if message.emergency else "false",
    }
    try:
        # Prepared on its own, not by the session: no cookies, no .netrc credentials, no proxies.
        request = requests.Request("POST", message.endpoint.url, data=token.encode("ascii"), headers=headers)
        # The adapter never follows redirects: the endpoint is the URL its organisation registered.
        response = adapter.send(request.prepare(), timeout=TIMEOUT_SECONDS, verify=adapter.egress.verify)
    except requests.RequestException as exc:
        return None, _truncate(f"{type(exc).__name__}: {exc}")
    try:
        if 200 <= response.status_code < 300:
            return response.status_code, None
        return response.status_code, _truncate(f"HTTP {response.status_code} {response.reason or ''}".strip())
    finally:
        response.close()


def _truncate(text: str) -> str:
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"

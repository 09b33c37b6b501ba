"""Rate limits at the API's door: failed authentications, each token's requests, expensive routes.

What is limited, each by a setting of its own (broker/config.py, docs/configuration.md):

- failed authentications per client address (`RATE_LIMIT_AUTH_FAILURES_PER_ADDRESS`) and per
  presented token (`RATE_LIMIT_AUTH_FAILURES_PER_TOKEN`): a guesser, or a stolen and revoked token
  replayed from many addresses. Once over the limit, the address or token is refused before its
  token is looked up at all;
- every request made with one token (`RATE_LIMIT_PER_TOKEN`), so that one party's runaway script
  cannot starve the others;
- each expensive route per token (`RATE_LIMIT_EXPENSIVE`): the routes marked `expensive=True` on
  their @endpoint (legal checks of a draft, reports, log proofs and case files, evidence downloads).

A token is counted by a fingerprint (a truncated SHA-256), never by the token itself, so the store
holds nothing that authenticates. Tokens are random, so a token's literal prefix groups nothing;
its fingerprint is what "the same token" means.

The counts live in the store `RATE_LIMIT_STORAGE` names, through the `limits` library (moving
windows): `memory://` by default, one process's own counts, or `redis://…`, shared by every process
and machine serving the API, which is what a deployment running several processes needs. A store
that does not answer lets the request through and logs it (fail open): throttling protects the
broker and must never lock every party out of it.

Every check runs before the request's transaction opens (broker/api/endpoint.py): a refused caller
costs no database work.
"""

import hashlib
import logging
import math
import threading
import time
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask import current_app
from limits import RateLimitItem
from limits import parse_many
from limits.errors import ConfigurationError as LimitsConfigurationError
from limits.errors import StorageError
from limits.storage import MovingWindowSupport
from limits.storage import Storage
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from broker import problems

log = logging.getLogger(__name__)

EXTENSION = "broker.rate_limits"
# The settings that hold a limit, as the `limits` notation: "30/minute", "10 per second;500/hour".
LIMIT_SETTINGS = (
    "RATE_LIMIT_AUTH_FAILURES_PER_ADDRESS",
    "RATE_LIMIT_AUTH_FAILURES_PER_TOKEN",
    "RATE_LIMIT_PER_TOKEN",
    "RATE_LIMIT_EXPENSIVE",
)
# Schemes of a Redis server, which take a connection timeout: a store that hangs must not hang requests.
REDIS_SCHEMES = ("redis", "rediss", "redis+unix", "valkey", "valkeys", "valkey+unix")
STORE_TIMEOUT_SECONDS = 0.5
# A store that is down is logged at most this often, with how many checks were skipped ...
FAILURE_LOG_INTERVAL_SECONDS = 60.0
# ... and left alone for this long after a failure, so that requests do not each wait for its timeout.
STORE_RETRY_SECONDS = 5.0


@dataclass(frozen=True)
class Policy:
    """The limits, each a list of windows that all apply ("10/second;500/hour")."""

    auth_failures_per_address: Sequence[RateLimitItem]
    auth_failures_per_token: Sequence[RateLimitItem]
    per_token: Sequence[RateLimitItem]
    expensive: Sequence[RateLimitItem]

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "Policy":
        """Read the four limit settings; ValueError naming the variable if one cannot be read."""
        parsed = {name: _limits(name, settings[name]) for name in LIMIT_SETTINGS}
        return cls(
            auth_failures_per_address=parsed["RATE_LIMIT_AUTH_FAILURES_PER_ADDRESS"],
            auth_failures_per_token=parsed["RATE_LIMIT_AUTH_FAILURES_PER_TOKEN"],
            per_token=parsed["RATE_LIMIT_PER_TOKEN"],
            expensive=parsed["RATE_LIMIT_EXPENSIVE"],
        )


@dataclass(frozen=True)
class _Refusal:
    """A limit that is used up: which one, for what, and when a request may come again."""

    item: RateLimitItem
    what: str
    retry_after: int


class RateLimits:
    """One app's limits and the store that counts them; shared by its threads."""

    def __init__(self, storage: Storage, policy: Policy) -> None:
        if not isinstance(storage, MovingWindowSupport):
            raise ValueError(f"the store {type(storage).__name__} cannot keep moving windows")
        self.storage = storage
        self.policy = policy
        self.limiter = MovingWindowRateLimiter(storage)
        self._failure_lock = threading.Lock()
        self._last_failure_log = -math.inf
        self._skipped = 0
        self._down_until = -math.inf

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "RateLimits":
        """The limits and store the settings name; ValueError naming the variable if one is unusable."""
        return cls(
            store(settings["RATE_LIMIT_STORAGE"], settings["RATE_LIMIT_KEY_PREFIX"]),
            Policy.from_settings(settings),
        )

    def admit(self, *, address: str, token: str, route: str | None = None) -> None:
        """Let a request with `token` from `address` in, or raise `rate-limited`; counts the request.

        Failed authentications are only looked at here (they are counted by `failed_authentication`);
        the request itself counts against its token's limit and, for an expensive `route`, that route's.
        """
        fingerprint = token_fingerprint(token)
        refusal = (
            self._used_up(
                self.policy.auth_failures_per_address,
                "failed authentications from this address",
                "auth-failures",
                "address",
                address,
            )
            or self._used_up(
                self.policy.auth_failures_per_token,
                "failed authentications with this token",
                "auth-failures",
                "token",
                fingerprint,
            )
            or self._count(self.policy.per_token, "requests with this token", "requests", fingerprint)
        )
        if refusal is None and route is not None:
            refusal = self._count(
                self.policy.expensive, f"requests to {route} with this token", "expensive", route, fingerprint
            )
        if refusal is not None:
            log.info("rate limit: %s from %s over %s", refusal.what, address, refusal.item)
            raise problems.RateLimited(
                f"too many {refusal.what}: at most {refusal.item}; try again in {refusal.retry_after} s",
                retry_after=refusal.retry_after,
            )

    def failed_authentication(self, *, address: str, token: str) -> None:
        """Count a token that did not authenticate, against its address and against the token."""
        fingerprint = token_fingerprint(token)
        for items, identifiers in (
            (self.policy.auth_failures_per_address, ("auth-failures", "address", address)),
            (self.policy.auth_failures_per_token, ("auth-failures", "token", fingerprint)),
        ):
            full = self._count(items, "failed authentications", *identifiers) or self._used_up(
                items, "failed authentications", *identifiers
            )
            if full is not None:
                # Logged when the limit is reached: from then on requests are refused before this point.
                log.warning(
                    "failed authentications reached %s for %s %s: refused until the window frees up",
                    full.item,
                    identifiers[1],
                    identifiers[2],
                )

    def _used_up(self, items: Sequence[RateLimitItem], what: str, *identifiers: str) -> _Refusal | None:
        """The first of `items` with no room left, without counting anything."""
        if self._store_down():
            return None
        for item in items:
            try:
                room = self.limiter.test(item, *identifiers)
            except (StorageError, OSError) as error:
                self._store_failed(error)
                return None
            if not room:
                return _Refusal(item, what, self._retry_after(item, *identifiers))
        return None

    def _count(self, items: Sequence[RateLimitItem], what: str, *identifiers: str) -> _Refusal | None:
        """Count one event against every window of `items`; the first that had no room, if any."""
        if self._store_down():
            return None
        for item in items:
            try:
                counted = self.limiter.hit(item, *identifiers)
            except (StorageError, OSError) as error:
                self._store_failed(error)
                return None
            if not counted:
                return _Refusal(item, what, self._retry_after(item, *identifiers))
        return None

    def _retry_after(self, item: RateLimitItem, *identifiers: str) -> int:
        """Whole seconds until the window has room again: at least 1, at most the window's length."""
        try:
            reset = self.limiter.get_window_stats(item, *identifiers).reset_time
        except (StorageError, OSError) as error:
            self._store_failed(error)
            return item.get_expiry()
        return min(item.get_expiry(), max(1, math.ceil(reset - time.time())))

    def _store_down(self) -> bool:
        """Whether the store failed a moment ago: then the check is skipped (fail open) without waiting."""
        if time.monotonic() >= self._down_until:
            return False
        with self._failure_lock:
            self._skipped += 1
        return True

    def _store_failed(self, error: Exception) -> None:
        """Fail open: the request goes on unchecked, and the log says so (at most once a minute)."""
        with self._failure_lock:
            now = time.monotonic()
            self._down_until = now + STORE_RETRY_SECONDS
            self._skipped += 1
            if now - self._last_failure_log < FAILURE_LOG_INTERVAL_SECONDS:
                return
            skipped, self._skipped, self._last_failure_log = self._skipped, 0, now
        log.error(
            "rate-limit store unavailable, %d check(s) skipped, requests let through unlimited: %s",
            skipped,
            error,
        )


def store(url: str, key_prefix: str) -> Storage:
    """The `limits` store at `url`; ValueError naming BROKER_RATE_LIMIT_STORAGE if it cannot be used."""
    if not isinstance(url, str) or "://" not in url:
        raise ValueError(f"BROKER_RATE_LIMIT_STORAGE must be a store URL (memory://, redis://…), not {url!r}")
    options: dict[str, Any] = {"wrap_exceptions": True}
    if url.split("://", 1)[0] in REDIS_SCHEMES:
        options.update(
            key_prefix=str(key_prefix),
            socket_timeout=STORE_TIMEOUT_SECONDS,
            socket_connect_timeout=STORE_TIMEOUT_SECONDS,
        )
    try:
        storage = storage_from_string(url, **options)
    except (LimitsConfigurationError, ValueError) as error:
        raise ValueError(f"BROKER_RATE_LIMIT_STORAGE {url!r} cannot be used: {error}") from error
    if not isinstance(storage, Storage) or not isinstance(storage, MovingWindowSupport):
        raise ValueError(
            f"BROKER_RATE_LIMIT_STORAGE {url!r} cannot keep moving windows: use memory:// or redis://"
        )
    return storage


def store_answers(url: str, key_prefix: str) -> bool:
    """Whether the store at `url` answers now (ValueError if the URL cannot name a store)."""
    try:
        return bool(store(url, key_prefix).check())
    except (StorageError, OSError):
        return False


def token_fingerprint(token: str) -> str:
    """What a token is counted by: 128 bits of its SHA-256, which cannot authenticate anyone."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def init_app(app: Flask) -> None:
    """Build the app's limits from its settings (ValueError naming a bad one)."""
    app.extensions[EXTENSION] = RateLimits.from_settings(app.config)


def limits() -> RateLimits:
    """The running app's limits."""
    rate_limits: RateLimits = current_app.extensions[EXTENSION]
    return rate_limits


def _limits(name: str, value: object) -> list[RateLimitItem]:
    try:
        items = parse_many(value) if isinstance(value, str) else None
    except ValueError:
        items = None
    if not items or any(item.amount < 1 for item in items):
        raise ValueError(
            f"BROKER_{name} must be one or more limits such as '30/minute' or '10/second;500/hour', not {value!r}"
        )
    return items

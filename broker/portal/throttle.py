"""Sign-in throttling, on the API's rate limits (broker/api/ratelimit.py): same library, same store.

The API's `RateLimits` counts failed authentications per address and per token and every request
per token; the portal uses one of its own with the same meaning per *account* instead of per token,
and the same store as the API's (memory:// or the Redis every process shares), so it inherits the
moving windows, the "try again in N seconds" and the fail-open behaviour when the store is down:

- failed sign-in steps per address (`PORTAL_SIGN_IN_FAILURES_PER_ADDRESS`),
- failed sign-in steps per account (`PORTAL_SIGN_IN_FAILURES_PER_ACCOUNT`): a password guesser, or
  someone trying codes after stealing a password, is stopped after a handful,
- every attempt per account (`PORTAL_SIGN_IN_ATTEMPTS_PER_ACCOUNT`).

An account is counted by the fingerprint of its normalised e-mail (`ratelimit.token_fingerprint`),
never by the address itself, and the portal's addresses are counted apart from the API's
("portal:" prefix) so that neither door's figures eat into the other's.
"""

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask import current_app
from limits import RateLimitItem
from limits import parse_many

from broker.api import ratelimit
from broker.api.endpoint import client_address

EXTENSION = "broker.portal.throttle"


def init_app(app: Flask) -> None:
    """The portal's limits, on the store the API's limits already opened (ValueError on a bad setting)."""
    settings = app.config
    policy = ratelimit.Policy(
        auth_failures_per_address=_limits("PORTAL_SIGN_IN_FAILURES_PER_ADDRESS", settings),
        auth_failures_per_token=_limits("PORTAL_SIGN_IN_FAILURES_PER_ACCOUNT", settings),
        per_token=_limits("PORTAL_SIGN_IN_ATTEMPTS_PER_ACCOUNT", settings),
        expensive=(),
    )
    app.extensions[EXTENSION] = ratelimit.RateLimits(app.extensions[ratelimit.EXTENSION].storage, policy)


def admit(account: str) -> None:
    """Let a sign-in step for `account` in, or raise `rate-limited` with the seconds to wait."""
    _limits_of_app().admit(address=_address(), token=_account(account))


def failed(account: str) -> None:
    """Count a refused step (wrong password or code) against the address and the account."""
    _limits_of_app().failed_authentication(address=_address(), token=_account(account))


def _limits_of_app() -> ratelimit.RateLimits:
    limits: ratelimit.RateLimits = current_app.extensions[EXTENSION]
    return limits


def _address() -> str:
    return f"portal:{client_address()}"


def _account(account: str) -> str:
    return f"portal-account:{account.strip().lower()}"


def _limits(name: str, settings: Mapping[str, Any]) -> list[RateLimitItem]:
    """A limit setting in the `limits` notation, read as the API reads its own."""
    value = settings[name]
    try:
        items = parse_many(value) if isinstance(value, str) else None
    except ValueError:
        items = None
    if not items or any(item.amount < 1 for item in items):
        raise ValueError(
            f"BROKER_{name} must be one or more limits such as '5/minute;20/hour', not {value!r}"
        )
    return items

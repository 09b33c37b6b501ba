"""The portal's settings, with their defaults; each can be set as BROKER_<NAME> like every other.

They are defaults added to the app's configuration when the portal is installed, so that a
BROKER_PORTAL_… environment variable (read by the app factory before) still wins.
"""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from broker.parties.people.operations.sessions import SessionPolicy

DEFAULTS: dict[str, Any] = {
    # Cookies are sent over HTTPS only. Turn off ONLY for http://127.0.0.1 (the demo and the tests):
    # over plain HTTP a browser refuses to store a Secure cookie, and signing in cannot work.
    "PORTAL_COOKIE_SECURE": True,
    # A session ends after this many minutes without a request, and this many hours after sign-in.
    "PORTAL_SESSION_IDLE_MINUTES": 30,
    "PORTAL_SESSION_ABSOLUTE_HOURS": 12,
    # Failed sign-in steps (password, code) from one address and against one account, and every
    # attempt against one account, in the `limits` notation of the API's limits (broker/api/ratelimit.py).
    # The address limit is generous: a whole police station may share one address.
    "PORTAL_SIGN_IN_FAILURES_PER_ADDRESS": "50/minute;500/hour",
    "PORTAL_SIGN_IN_FAILURES_PER_ACCOUNT": "5/minute;20/hour",
    "PORTAL_SIGN_IN_ATTEMPTS_PER_ACCOUNT": "30/minute",
    # Rows per dashboard page.
    "PORTAL_PAGE_SIZE": 25,
}

WHOLE_NUMBERS = ("PORTAL_SESSION_IDLE_MINUTES", "PORTAL_SESSION_ABSOLUTE_HOURS", "PORTAL_PAGE_SIZE")


def install_defaults(config: dict[str, Any]) -> None:
    """Add the defaults under whatever the environment and the caller already set; ValueError on a bad one."""
    for name, value in DEFAULTS.items():
        config.setdefault(name, value)
    if not isinstance(config["PORTAL_COOKIE_SECURE"], bool):
        raise ValueError("BROKER_PORTAL_COOKIE_SECURE must be true or false")
    for name in WHOLE_NUMBERS:
        value = config[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"BROKER_{name} must be a positive whole number, not {value!r}")


def session_policy(config: Mapping[str, Any]) -> SessionPolicy:
    """How long sessions live, from the settings."""
    return SessionPolicy(
        idle=timedelta(minutes=config["PORTAL_SESSION_IDLE_MINUTES"]),
        absolute=timedelta(hours=config["PORTAL_SESSION_ABSOLUTE_HOURS"]),
    )

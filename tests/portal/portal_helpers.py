"""Helpers the portal's tests import by name (the fixtures are in conftest.py).

A module of its own rather than `from conftest import …`: with tests/portal/browser/conftest.py
beside it, "conftest" would name whichever conftest pytest imported last.
"""

import functools
import re
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from broker.certificates import Seal

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@functools.cache
def seal() -> Seal:
    """One PDF seal per test process: P-256 key generation is cheap, but not free."""
    return Seal.generate("e-evidence broker (portal tests)")


def portal_settings(broker_key_file: Any, tmp_path: Path, **changes: Any) -> dict[str, Any]:
    seal_key, seal_certificate = tmp_path / "seal-key.pem", tmp_path / "seal-cert.pem"
    seal_key.write_bytes(seal().key_pem)
    seal_certificate.write_bytes(seal().certificate_pem)
    return {
        "TESTING": True,
        "KEY_FILE": str(broker_key_file),
        # The PDF routes' seal, so that no test makes a development seal in ./instance.
        "SEAL_KEY_FILE": str(seal_key),
        "SEAL_CERT_FILE": str(seal_certificate),
        "LOG_ORIGIN": "broker.test/log",
        "EVIDENCE_FOLDER": str(tmp_path / "evidence"),
        "PORTAL_COOKIE_SECURE": False,  # the test client speaks http://localhost
        **changes,
    }


def token(page: Any) -> str:
    """The CSRF token of a page's forms."""
    found = CSRF_INPUT.search(page.get_data(as_text=True))
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def session_cookie(client: FlaskClient) -> str | None:
    """The session token the client's browser holds, if any."""
    cookie = client.get_cookie("broker_session")
    return cookie.value if cookie else None

"""Helpers the portal's tests import by name (the fixtures are in conftest.py).

A module of its own rather than `from conftest import …`: with tests/portal/browser/conftest.py
beside it, "conftest" would name whichever conftest pytest imported last.
"""

import re
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def portal_settings(broker_key_file: Any, tmp_path: Path, **changes: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "KEY_FILE": str(broker_key_file),
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

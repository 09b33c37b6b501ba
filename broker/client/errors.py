"""What the client raises: one base class, so a script can stop on any failure with one except clause.

Every message is written for the person running the script: what happened and, where there is
something to do, what to do.
"""

import json
from collections.abc import Mapping
from typing import Any

PROBLEM_PREFIX = "urn:eevidence-broker:problem:"


class ClientError(Exception):
    """Something the user must act on; the message says what happened and what to do."""


class ConnectionFailed(ClientError):
    """The broker could not be reached, even after retrying; running the same step again is safe."""


class ProblemError(ClientError):
    """The broker refused a request with an RFC 9457 problem: its type, status, detail and errors.

    `type` is the full problem type URI (`urn:eevidence-broker:problem:transfer-held`); `name` is
    its last part (`transfer-held`), the key docs/problems.md lists it under. Extension members
    such as `held_until` or `missing` are in `problem`.
    """

    def __init__(self, method: str, path: str, status: int, problem: Mapping[str, Any]) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.problem = dict(problem)
        self.type = str(problem.get("type") or "about:blank")
        self.title = str(problem.get("title") or "")
        self.detail = str(problem.get("detail") or problem.get("title") or "no detail")
        errors = problem.get("errors")
        self.errors: dict[str, Any] = dict(errors) if isinstance(errors, Mapping) else {}
        suffix = f" ({json.dumps(self.errors, ensure_ascii=False)})" if self.errors else ""
        super().__init__(f"{method} {path} answered {status}: {self.detail}{suffix}")

    @property
    def name(self) -> str:
        """The problem's short name: `transfer-held` for `urn:eevidence-broker:problem:transfer-held`."""
        return self.type.removeprefix(PROBLEM_PREFIX)


class VerificationError(ClientError):
    """A signed message that must not be trusted: unknown key, bad signature, wrong sender, bad body."""

    def __init__(self, detail: str, errors: Mapping[str, Any] | None = None) -> None:
        self.errors: dict[str, Any] = dict(errors or {})
        suffix = f" ({json.dumps(self.errors, ensure_ascii=False)})" if self.errors else ""
        super().__init__(f"{detail}{suffix}")


class EvidenceError(ClientError):
    """An evidence delivery or download that cannot go on; the message says what to do."""

"""RFC 8785 (JCS) canonical JSON: the exact bytes that get hashed and signed.

Every message is canonicalised several times on its way through the broker (signature checks,
digests, the log's leaves), and the `rfc8785` library serialises in pure Python, node by node. For
the values the broker actually signs — objects with ASCII keys, strings, integers within JSON's
safe range, booleans and null, no floats — the standard library's C encoder with sorted keys and no
whitespace writes exactly the bytes RFC 8785 prescribes: code-point order is UTF-16 order for ASCII
keys, and both escape only '"', '\\' and the control characters, in the same notation. Anything
else (a float, a non-ASCII key, a type JSON does not have) goes to `rfc8785`, which also raises the
errors. A property test holds the two paths to the same bytes.
"""

import json
from typing import Any

import rfc8785

from broker.crypto.errors import CanonicalizationError

_INT_MAX = 2**53 - 1
# The standard library's encoder, set up once: sorted keys, no whitespace, UTF-8 left unescaped.
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def canonicalize(value: object) -> bytes:
    """Serialize `value` as RFC 8785 canonical JSON (UTF-8).

    Two parties that hold equal JSON values get equal bytes, so hashes and
    signatures over them agree.  Raises CanonicalizationError for NaN or
    infinite floats, integers outside +/-(2**53 - 1), non-string keys, lone
    surrogates and types JSON does not have.
    """
    try:
        if _plain(value):
            return _ENCODER.encode(value).encode("utf-8")
        return rfc8785.dumps(value)  # type: ignore[arg-type]
    except (rfc8785.CanonicalizationError, UnicodeEncodeError) as exc:
        raise CanonicalizationError(str(exc)) from exc


def _plain(value: object) -> bool:
    """Whether the standard encoder's output is already canonical for `value` (see the module's docstring).

    Exact types only, walked without recursion: a subclass (an enum, say) takes the library's path.
    """
    pending: list[Any] = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is str or item is None or kind is bool:
            continue
        if kind is dict:
            if not all(type(key) is str and key.isascii() for key in item):
                return False
            pending.extend(item.values())
        elif kind is list or kind is tuple:
            pending.extend(item)
        elif kind is not int or not -_INT_MAX <= item <= _INT_MAX:
            return False
    return True

"""RFC 8785 (JCS) canonical JSON: the exact bytes that get hashed and signed."""

import rfc8785

from broker.crypto.errors import CanonicalizationError


def canonicalize(value: object) -> bytes:
    """Serialize `value` as RFC 8785 canonical JSON (UTF-8).

    Two parties that hold equal JSON values get equal bytes, so hashes and
    signatures over them agree.  Raises CanonicalizationError for NaN or
    infinite floats, integers outside +/-(2**53 - 1), non-string keys, lone
    surrogates and types JSON does not have.
    """
    try:
        return rfc8785.dumps(value)  # type: ignore[arg-type]
    except (rfc8785.CanonicalizationError, UnicodeEncodeError) as exc:
        raise CanonicalizationError(str(exc)) from exc

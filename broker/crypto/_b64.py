"""Strict unpadded base64url (RFC 7515 section 2): one accepted spelling per byte string."""

import base64


def b64url_encode(data: bytes) -> str:
    """Encode without '=' padding, as JWS and JWK require."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode only the spelling `b64url_encode` produces; raise ValueError for any other.

    Padding, the standard alphabet, ignored characters or non-zero unused bits
    would give one value several spellings, and a signed token would become malleable.
    """
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64url_encode(data) != text:
        raise ValueError("not canonical unpadded base64url")
    return data

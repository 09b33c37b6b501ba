"""Exception hierarchy: callers catch `CryptoError` for any failure, or one subclass for one kind."""


class CryptoError(Exception):
    """Base class, so a caller can refuse every signing-library failure with one except clause."""


class InvalidSignature(CryptoError):
    """A JWS that must not be trusted: malformed, unsupported, or not signed by the given key."""


class InvalidKey(CryptoError):
    """A key or JWK that this library will not sign or verify with."""


class CanonicalizationError(CryptoError, ValueError):
    """A value that has no RFC 8785 canonical form (NaN, unsafe integer, non-string key, ...)."""

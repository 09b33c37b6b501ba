"""The deployment's evidence settings: chunk size, size limit, retention, abandoned uploads."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

MIB = 1024 * 1024
# S3 allows at most 10,000 parts per multipart upload; one chunk is one part.
MAX_CHUNKS = 10_000


@dataclass(frozen=True)
class EvidencePolicy:
    """How packages are cut and how long the broker keeps them."""

    chunk_size: int
    max_package_size: int
    # Sealed ciphertext is deleted this long after the manifest sealed it.
    retention: timedelta
    # An upload (or an uploaded package never sealed) idle this long is abandoned and deleted.
    upload_expiry: timedelta

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], minimum_chunk: int) -> "EvidencePolicy":
        """Read and check BROKER_EVIDENCE_*; `minimum_chunk` is what the storage backend needs."""
        chunk_size = settings["EVIDENCE_CHUNK_SIZE"]
        if chunk_size < minimum_chunk:
            raise ValueError(
                f"BROKER_EVIDENCE_CHUNK_SIZE must be at least {minimum_chunk} bytes for this storage, "
                f"not {chunk_size}"
            )
        max_package_size = settings.get("EVIDENCE_MAX_PACKAGE_SIZE") or chunk_size * MAX_CHUNKS
        if (
            isinstance(max_package_size, bool)
            or not isinstance(max_package_size, int)
            or max_package_size < 1
        ):
            raise ValueError(
                f"BROKER_EVIDENCE_MAX_PACKAGE_SIZE must be a positive whole number, not {max_package_size!r}"
            )
        if max_package_size > chunk_size * MAX_CHUNKS:
            raise ValueError(
                f"BROKER_EVIDENCE_MAX_PACKAGE_SIZE may be at most {MAX_CHUNKS} chunks "
                f"({chunk_size * MAX_CHUNKS} bytes at this chunk size), not {max_package_size}"
            )
        return cls(
            chunk_size=chunk_size,
            max_package_size=max_package_size,
            retention=timedelta(days=settings["EVIDENCE_RETENTION_DAYS"]),
            upload_expiry=timedelta(hours=settings["EVIDENCE_UPLOAD_EXPIRY_HOURS"]),
        )

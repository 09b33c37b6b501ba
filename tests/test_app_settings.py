"""Settings the broker cannot run with are refused at start-up, naming the variable to fix."""

from pathlib import Path

import pytest

from broker import config
from broker.app import ConfigurationError
from broker.app import create_app
from broker.evidence.policy import MAX_CHUNKS
from broker.evidence.policy import EvidencePolicy
from broker.evidence.storage import LocalStorage

MIB = 1024 * 1024


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"EVIDENCE_CHUNK_SIZE": 0}, "BROKER_EVIDENCE_CHUNK_SIZE must be a positive whole number"),
        ({"EVIDENCE_RETENTION_DAYS": -1}, "BROKER_EVIDENCE_RETENTION_DAYS must be a positive whole number"),
        ({"EVIDENCE_UPLOAD_EXPIRY_HOURS": "72"}, "BROKER_EVIDENCE_UPLOAD_EXPIRY_HOURS must be a positive"),
        (
            {"EVIDENCE_MAX_PACKAGE_SIZE": -5},
            "BROKER_EVIDENCE_MAX_PACKAGE_SIZE must be a positive whole number",
        ),
        (
            {"EVIDENCE_CHUNK_SIZE": MIB, "EVIDENCE_MAX_PACKAGE_SIZE": MIB * MAX_CHUNKS + 1},
            "BROKER_EVIDENCE_MAX_PACKAGE_SIZE may be at most 10000 chunks",
        ),
        ({"EVIDENCE_STORAGE": "ftp"}, "BROKER_EVIDENCE_STORAGE"),
        ({"EVIDENCE_STORAGE": "s3"}, "BROKER_EVIDENCE_S3_BUCKET"),
        (
            {"EVIDENCE_STORAGE": "s3", "EVIDENCE_S3_BUCKET": "b", "EVIDENCE_CHUNK_SIZE": MIB},
            "BROKER_EVIDENCE_CHUNK_SIZE must be at least 5242880 bytes for this storage",
        ),
    ],
)
def test_bad_evidence_settings_stop_the_broker_with_the_variable_named(database, tmp_path, settings, message):
    with pytest.raises(ConfigurationError, match=message):
        create_app({"EVIDENCE_FOLDER": str(tmp_path), **settings}, database=database)


def test_without_a_maximum_a_package_may_take_every_chunk_s3_allows(database, tmp_path):
    app = create_app({"EVIDENCE_FOLDER": str(tmp_path), "EVIDENCE_CHUNK_SIZE": MIB}, database=database)
    assert app.extensions["broker"].evidence.max_package_size == MIB * MAX_CHUNKS


def test_the_worker_reads_evidence_settings_from_the_environment_as_the_app_does(monkeypatch, tmp_path):
    monkeypatch.setenv("BROKER_EVIDENCE_CHUNK_SIZE", "2048")
    monkeypatch.setenv("BROKER_EVIDENCE_RETENTION_DAYS", "30")
    monkeypatch.setenv("BROKER_EVIDENCE_FOLDER", str(tmp_path))
    settings = config.settings()
    policy = EvidencePolicy.from_settings(
        settings, LocalStorage(Path(settings["EVIDENCE_FOLDER"])).minimum_chunk
    )
    assert (policy.chunk_size, policy.retention.days) == (2048, 30)

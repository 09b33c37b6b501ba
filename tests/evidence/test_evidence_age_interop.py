"""Interop of `broker.client.age` with Debian's reference `age` 1.1.1, both ways.

The reference tool is required, never skipped: CI installs it in `.ci/run` (`apt-get install age`).
It is called with absolute paths and no shell; its output always goes to stdout, because
`age -o FILE` creates no file for an empty plaintext (docs/decisions/0001-evidence-encryption.md).
"""

import io
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest
from pyrage import x25519

from broker.client import age

# age's STREAM chunk is 64 KiB: empty, one byte, either side of one chunk, and several chunks.
SIZES = [0, 1, 65535, 65536, 65537, 1024 * 1024 + 3]
TAMPER_SIZE = 3 * 65536 + 5  # four chunks, so a late flip comes after authenticated plaintext


@dataclass(frozen=True)
class Tools:
    age: str
    keygen: str


@dataclass(frozen=True)
class Key:
    identity: str
    recipient: str
    path: Path  # an identity file in age-keygen's format


@pytest.fixture(scope="module")
def tools() -> Tools:
    """Absolute paths of `age` and `age-keygen`; fail, never skip, when they are missing."""
    found = {name: shutil.which(name) for name in ("age", "age-keygen")}
    missing = [name for name, path in found.items() if path is None]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} not on PATH: the evidence interop tests need Debian's reference age "
            "(`apt-get install age`; .ci/run installs it)",
            pytrace=False,
        )
    return Tools(age=str(found["age"]), keygen=str(found["age-keygen"]))


def _run(args: list[str], data: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(args, input=data, capture_output=True, check=False, timeout=60)


def _ok(args: list[str], data: bytes = b"") -> bytes:
    done = _run(args, data)
    assert done.returncode == 0, f"{args[0]} exited {done.returncode}: {done.stderr.decode(errors='replace')}"
    return done.stdout


def _keygen_file(identities: list[str]) -> str:
    """Identities in the format `age-keygen` writes: two comment lines before each key."""
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return "".join(f"# created: {created}\n# public key: {age.recipient_of(i)}\n{i}\n" for i in identities)


@pytest.fixture(scope="module")
def ref_keys(tools: Tools, tmp_path_factory: pytest.TempPathFactory) -> list[Key]:
    """Two key pairs made by `age-keygen`, read back by the project."""
    folder = tmp_path_factory.mktemp("ref-keys")
    keys = []
    for n in range(2):
        path = folder / f"ref{n}.key"
        _ok([tools.keygen, "-o", str(path)])
        recipient = _ok([tools.keygen, "-y", str(path)]).decode("ascii").strip()
        (identity,) = age.parse_identities(path.read_text(encoding="ascii"))
        keys.append(Key(identity, recipient, path))
    return keys


@pytest.fixture(scope="module")
def py_keys(tmp_path_factory: pytest.TempPathFactory) -> list[Key]:
    """Two key pairs made by the project, each written to an identity file in age-keygen's format."""
    folder = tmp_path_factory.mktemp("py-keys")
    keys = []
    for n in range(2):
        identity = str(x25519.Identity.generate())
        path = folder / f"py{n}.key"
        path.write_text(_keygen_file([identity]), encoding="ascii")
        keys.append(Key(identity, age.recipient_of(identity), path))
    return keys


def _project_encrypt(data: bytes, recipients: list[str]) -> bytes:
    out = io.BytesIO()
    age.encrypt_stream(io.BytesIO(data), out, recipients)
    return out.getvalue()


def _project_decrypt(package: bytes, identities: list[str]) -> bytes:
    out = io.BytesIO()
    age.decrypt_stream(io.BytesIO(package), out, identities)
    return out.getvalue()


def _age_encrypt(tools: Tools, data: bytes, recipients: list[str]) -> bytes:
    args = [tools.age]
    for recipient in recipients:
        args += ["-r", recipient]
    return _ok(args, data)


def _age_decrypt_args(tools: Tools, key_file: Path) -> list[str]:
    return [tools.age, "-d", "-i", str(key_file)]


def _payload_start(package: bytes) -> int:
    """Offset just past the header's `--- MAC` line, where the 16-byte payload nonce begins."""
    mac_line = package.index(b"\n--- ") + 1
    return package.index(b"\n", mac_line) + 1


def _flipped(package: bytes, offset: int) -> bytes:
    """The package with one payload byte flipped; negative offsets count from the end of the file."""
    position = _payload_start(package) + offset if offset >= 0 else len(package) + offset
    assert _payload_start(package) <= position < len(package)
    tampered = bytearray(package)
    tampered[position] ^= 0x01
    return bytes(tampered)


# --- the reference tool decrypts what the project encrypts -------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_age_decrypts_project_package(tools: Tools, ref_keys: list[Key], size: int) -> None:
    data = os.urandom(size)
    package = _project_encrypt(data, [ref_keys[0].recipient])
    assert _ok(_age_decrypt_args(tools, ref_keys[0].path), package) == data


# --- the project decrypts what the reference tool encrypts --------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_decrypt_stream_reads_age_file(tools: Tools, py_keys: list[Key], size: int) -> None:
    data = os.urandom(size)
    package = _age_encrypt(tools, data, [py_keys[0].recipient])
    assert _project_decrypt(package, [py_keys[0].identity]) == data


@pytest.mark.parametrize("size", SIZES)
def test_decrypt_file_reads_age_file(tools: Tools, py_keys: list[Key], tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    source, target = tmp_path / "evidence.age", tmp_path / "evidence.bin"
    source.write_bytes(_age_encrypt(tools, data, [py_keys[0].recipient]))
    age.decrypt_file(source, target, [py_keys[0].identity])
    assert target.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evidence.age", "evidence.bin"]


# --- identity files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "use"),
    [
        pytest.param(1, 0, id="one-key"),
        pytest.param(2, 0, id="two-keys-first-used"),
        pytest.param(2, 1, id="two-keys-second-used"),
    ],
)
def test_age_reads_project_identity_file(tools: Tools, tmp_path: Path, count: int, use: int) -> None:
    """`age -d -i` reads identities the project wrote in age-keygen's format, comment lines included."""
    identities = [str(x25519.Identity.generate()) for _ in range(count)]
    key_file = tmp_path / "project.key"
    key_file.write_text(_keygen_file(identities), encoding="ascii")
    assert age.parse_identities(key_file.read_text(encoding="ascii")) == identities
    data = os.urandom(1000)
    package = _age_encrypt(tools, data, [age.recipient_of(identities[use])])
    assert _ok(_age_decrypt_args(tools, key_file), package) == data


def test_parse_identities_reads_age_keygen_file(tools: Tools, ref_keys: list[Key]) -> None:
    text = ref_keys[0].path.read_text(encoding="ascii")
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert comments, "age-keygen wrote no comment lines: the test no longer proves they are skipped"
    (identity,) = age.parse_identities(text)
    assert identity.startswith("AGE-SECRET-KEY-1")
    assert age.recipient_of(identity) == ref_keys[0].recipient  # what `age-keygen -y` printed
    data = os.urandom(1000)
    assert _project_decrypt(_age_encrypt(tools, data, [ref_keys[0].recipient]), [identity]) == data


# --- several recipients: every identity decrypts, on both sides --------------------------------------


@pytest.mark.parametrize("encryptor", ["project", "age"])
@pytest.mark.parametrize("holder", ["ref0", "ref1", "py0", "py1"])
def test_several_recipients_each_identity_decrypts(
    tools: Tools, ref_keys: list[Key], py_keys: list[Key], encryptor: str, holder: str
) -> None:
    keys = {"ref0": ref_keys[0], "ref1": ref_keys[1], "py0": py_keys[0], "py1": py_keys[1]}
    recipients = [key.recipient for key in keys.values()]
    data = os.urandom(65537)
    if encryptor == "project":
        package = _project_encrypt(data, recipients)
    else:
        package = _age_encrypt(tools, data, recipients)
    key = keys[holder]
    assert _ok(_age_decrypt_args(tools, key.path), package) == data
    assert _project_decrypt(package, [key.identity]) == data


# --- tampering and wrong keys ------------------------------------------------------------------------

# Offsets into the payload: its nonce, its first ciphertext byte, the last chunk's tag.
FLIPS = [pytest.param(0, id="nonce"), pytest.param(16, id="first-chunk"), pytest.param(-1, id="last-tag")]


@pytest.mark.parametrize("offset", FLIPS)
def test_project_rejects_tampered_age_file(
    tools: Tools, py_keys: list[Key], tmp_path: Path, offset: int
) -> None:
    package = _flipped(_age_encrypt(tools, os.urandom(TAMPER_SIZE), [py_keys[0].recipient]), offset)
    with pytest.raises(age.PayloadError):
        _project_decrypt(package, [py_keys[0].identity])
    source, target = tmp_path / "evidence.age", tmp_path / "evidence.bin"
    source.write_bytes(package)
    with pytest.raises(age.PayloadError):
        age.decrypt_file(source, target, [py_keys[0].identity])
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["evidence.age"]  # no temporary file left either


@pytest.mark.parametrize("offset", FLIPS)
def test_age_rejects_tampered_project_package(tools: Tools, ref_keys: list[Key], offset: int) -> None:
    package = _flipped(_project_encrypt(os.urandom(TAMPER_SIZE), [ref_keys[0].recipient]), offset)
    done = _run(_age_decrypt_args(tools, ref_keys[0].path), package)
    assert done.returncode != 0
    assert done.stderr


@pytest.mark.parametrize("encryptor", ["project", "age"])
def test_wrong_identity_is_rejected_on_both_sides(
    tools: Tools, ref_keys: list[Key], py_keys: list[Key], tmp_path: Path, encryptor: str
) -> None:
    data = os.urandom(1000)
    recipients = [ref_keys[0].recipient, py_keys[0].recipient]
    if encryptor == "project":
        package = _project_encrypt(data, recipients)
    else:
        package = _age_encrypt(tools, data, recipients)
    with pytest.raises(age.NoMatchingIdentity):
        _project_decrypt(package, [ref_keys[1].identity, py_keys[1].identity])
    source, target = tmp_path / "evidence.age", tmp_path / "evidence.bin"
    source.write_bytes(package)
    with pytest.raises(age.NoMatchingIdentity):
        age.decrypt_file(source, target, [py_keys[1].identity])
    assert not target.exists()
    for other in (ref_keys[1], py_keys[1]):
        assert _run(_age_decrypt_args(tools, other.path), package).returncode != 0

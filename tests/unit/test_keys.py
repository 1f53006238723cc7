from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from labtunnel.core.errors import (
    KeyFileMissing,
    KeyFileUnreadable,
    KeyFileUnsupported,
    KeyPassphraseNeeded,
    KeyPassphraseWrong,
    KeyUnsupported,
)
from labtunnel.core.ssh.keys import load_private_key

PASSPHRASE = "correct horse"


def keygen(path: Path, kind: str, passphrase: str = "", pem: bool = False) -> Path:
    args = ["ssh-keygen", "-q", "-t", kind, "-N", passphrase, "-f", str(path)]
    if pem:
        args += ["-m", "PEM"]
    subprocess.run(args, check=True)
    return path


@pytest.mark.parametrize(("kind", "pem"), [("ed25519", False), ("ecdsa", False), ("rsa", True)])
def test_encrypted_keys_need_the_right_passphrase(tmp_path: Path, kind: str, pem: bool) -> None:
    path = keygen(tmp_path / f"id_{kind}", kind, PASSPHRASE, pem)
    with pytest.raises(KeyPassphraseNeeded):
        load_private_key(str(path), None)
    with pytest.raises(KeyPassphraseWrong) as wrong:
        load_private_key(str(path), "not it")
    assert "not it" not in str(wrong.value)
    assert load_private_key(str(path), PASSPHRASE).get_bits() > 0


def test_plain_key_loads_even_with_a_stale_passphrase(tmp_path: Path) -> None:
    path = keygen(tmp_path / "id", "ed25519")
    assert load_private_key(str(path), None).get_name() == "ssh-ed25519"
    assert load_private_key(str(path), "left over").get_name() == "ssh-ed25519"


def test_file_problems_have_their_own_errors(tmp_path: Path) -> None:
    with pytest.raises(KeyFileMissing):
        load_private_key(str(tmp_path / "nope"), None)
    with pytest.raises(KeyFileUnreadable):
        load_private_key(str(tmp_path), None)
    public = keygen(tmp_path / "id", "ed25519").with_suffix(".pub")
    with pytest.raises(KeyFileUnsupported) as caught:
        load_private_key(str(public), None)
    assert caught.value.kind is KeyUnsupported.PUBLIC_KEY
    ppk = tmp_path / "key.ppk"
    ppk.write_text("PuTTY-User-Key-File-3: ssh-ed25519\n")
    with pytest.raises(KeyFileUnsupported) as putty:
        load_private_key(str(ppk), None)
    assert putty.value.kind is KeyUnsupported.PUTTY_PPK
    junk = tmp_path / "junk"
    junk.write_text("hello\n")
    with pytest.raises(KeyFileUnsupported):
        load_private_key(str(junk), None)

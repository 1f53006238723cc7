"""The parts of the password-to-key switch that need no server: keys, their comment, the
script's report, and a removed profile taking its own key along."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from labtunnel.core.errors import (
    AuthorizedKeysProblem,
    AuthorizedKeysUnwritable,
    KeyPassphraseNeeded,
    RemoteCommandFailed,
)
from labtunnel.core.profiles.lifecycle import ProfileLifecycle
from labtunnel.core.profiles.model import AuthMethod, HostProfile
from labtunnel.core.profiles.remembered import RememberedServers
from labtunnel.core.profiles.secrets import MemorySecretStore
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.core.ssh import authorized_keys
from labtunnel.core.ssh.authorized_keys import PathMode
from labtunnel.core.ssh.keys import load_private_key
from labtunnel.core.ssh.keysetup import (
    generate_key,
    key_comment,
    public_key_of,
    write_key,
)


def test_the_comment_names_labtunnel_and_the_computer_only() -> None:
    assert key_comment("ada-laptop.local") == "LabTunnel key from ada-laptop.local"
    assert key_comment("bad name; rm -rf ~") == "LabTunnel key from badnamerm-rf"
    assert key_comment("") == "LabTunnel key from this-computer"


@pytest.mark.parametrize("passphrase", [None, "pässphrase"])
def test_a_generated_key_is_written_private_and_loads(
    tmp_path: Path, passphrase: str | None
) -> None:
    pair = generate_key(tmp_path / "keys" / "lab_ed25519", key_comment("pc"), passphrase)
    write_key(pair)
    assert stat.S_IMODE(pair.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(pair.path.parent.stat().st_mode) == 0o700
    pub = pair.path.with_name("lab_ed25519.pub").read_text()
    assert pub == f"ssh-ed25519 {pair.key_base64} LabTunnel key from pc\n"
    if passphrase:
        with pytest.raises(KeyPassphraseNeeded):
            load_private_key(str(pair.path), None)
    key = load_private_key(str(pair.path), passphrase)
    assert key.get_base64() == pair.key_base64
    assert public_key_of(pair.path, None) == ("ssh-ed25519", pair.key_base64)
    pair.path.with_name("lab_ed25519.pub").unlink()  # then from the private key
    assert public_key_of(pair.path, passphrase) == ("ssh-ed25519", pair.key_base64)


@pytest.mark.parametrize(
    ("mode", "uid", "problem"),
    [
        ("drwxr-xr-x", 1000, None),
        ("drwx------", 0, None),
        ("drwxrwxr-x", 1000, "writable"),
        ("drwxr-xrwx", 1000, "writable"),
        ("-rw-rw-rw-.", 1000, "writable"),
        ("drwxr-xr-x", 1001, "owner"),
        ("lrwxrwxrwx", 1000, None),
    ],
)
def test_strict_modes_problems_are_read_from_ls(mode: str, uid: int, problem: str | None) -> None:
    assert PathMode("/home/ada", mode, uid).problem(1000) == problem


def test_the_report_is_read_between_noise_and_failures_are_typed() -> None:
    said = [
        "UID 1000",
        "MODE drwxr-x--- 1000 /home/ada lovelace",
        "MODE -rw------- 1000 /home/ada lovelace/.ssh/authorized_keys",
        "ADDED 0 1 1",
    ]
    report = authorized_keys._parse("gpu", said, 0, "")
    assert report.added and report.created_file and report.added_newline
    assert not report.created_dir
    assert report.path == "/home/ada lovelace/.ssh/authorized_keys"
    assert report.modes[0] == PathMode("/home/ada lovelace", "drwxr-x---", 1000)
    with pytest.raises(AuthorizedKeysUnwritable) as caught:
        authorized_keys._parse(
            "gpu",
            ["FAIL write /h/.ssh/authorized_keys", "ERR cat: write error: No space left on device"],
            0,
            "",
        )
    assert caught.value.problem is AuthorizedKeysProblem.FULL
    with pytest.raises(RemoteCommandFailed):
        authorized_keys._parse("gpu", [], 127, "sh: not found")


def test_removing_a_profile_deletes_the_key_labtunnel_made_for_it(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles.json")
    store.load()
    keys_dir = tmp_path / "keys"
    lifecycle = ProfileLifecycle(
        store, MemorySecretStore(), RememberedServers(tmp_path / "state.json"), keys_dir
    )
    ours = generate_key(keys_dir / "lab_ed25519", "LabTunnel key from pc")
    write_key(ours)
    theirs = generate_key(tmp_path / "id_ed25519", "me@pc")
    write_key(theirs)
    first = lifecycle.add(
        HostProfile("a", "gpu", "ada", auth=AuthMethod.KEY, key_path=str(ours.path))
    )
    second = lifecycle.add(
        HostProfile("b", "gpu", "ada", auth=AuthMethod.KEY, key_path=str(theirs.path))
    )
    lifecycle.remove(first.id)
    lifecycle.remove(second.id)
    assert not ours.path.exists() and not ours.path.with_name("lab_ed25519.pub").exists()
    assert theirs.path.exists()

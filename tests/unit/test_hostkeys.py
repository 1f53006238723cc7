from __future__ import annotations

import base64
import hashlib
import subprocess
from pathlib import Path

import paramiko
import pytest

from labtunnel.core.errors import HostKeyChanged, HostKeyTypeChanged, HostKeyUnknown, PinConflict
from labtunnel.core.ssh.hostkeys import HostKeyStore, fingerprint, host_entry_name
from labtunnel.messages import describe


def make_key(tmp_path: Path, name: str, kind: str = "ed25519") -> paramiko.PKey:
    path = tmp_path / name
    subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-f", str(path)], check=True)
    return paramiko.PKey.from_path(path)


def ssh_keygen_fingerprint(key: paramiko.PKey, tmp_path: Path) -> str:
    pub = tmp_path / "probe.pub"
    pub.write_text(f"{key.get_name()} {key.get_base64()}\n")
    out = subprocess.run(
        ["ssh-keygen", "-lf", str(pub)], capture_output=True, text=True, check=True
    )
    return out.stdout.split()[1]


def test_fingerprint_matches_openssh(tmp_path: Path) -> None:
    for kind in ("ed25519", "ecdsa", "rsa"):
        key = make_key(tmp_path, f"k-{kind}", kind)
        assert fingerprint(key) == ssh_keygen_fingerprint(key, tmp_path)
        digest = hashlib.sha256(key.asbytes()).digest()
        assert fingerprint(key) == "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def test_unknown_then_trusted_then_changed(tmp_path: Path) -> None:
    store = HostKeyStore(tmp_path / "known_hosts")
    key = make_key(tmp_path, "server")
    with pytest.raises(HostKeyUnknown) as caught:
        store.verify("lab", 2222, key)
    unknown = caught.value
    assert unknown.fingerprint == fingerprint(key)
    store.trust(unknown.host, unknown.port, unknown.key_type, unknown.key_base64)
    store.verify("lab", 2222, key)
    assert "[lab]:2222 ssh-ed25519" in (tmp_path / "known_hosts").read_text()

    other = make_key(tmp_path, "imposter")
    with pytest.raises(HostKeyChanged) as changed:
        store.verify("lab", 2222, other)
    assert changed.value.expected_fingerprints == (fingerprint(key),)
    assert changed.value.actual_fingerprint == fingerprint(other)
    # trusting a different key for the same host is refused too
    with pytest.raises(HostKeyChanged):
        store.trust("lab", 2222, other.get_name(), other.get_base64())
    # the same host on another port is another host
    with pytest.raises(HostKeyUnknown):
        store.verify("lab", 22, key)


def test_a_pin_must_match_the_server(tmp_path: Path) -> None:
    store = HostKeyStore(tmp_path / "known_hosts")
    key, other = make_key(tmp_path, "a"), make_key(tmp_path, "b")
    store.verify("lab", 22, key, pinned=[fingerprint(key)])
    with pytest.raises(HostKeyChanged) as caught:
        store.verify("lab", 22, other, pinned=[fingerprint(key)])
    assert caught.value.source == "pinned"


def test_user_known_hosts_is_used_read_only(tmp_path: Path) -> None:
    key = make_key(tmp_path, "server", "ecdsa")
    user_file = tmp_path / "user_known_hosts"
    user_file.write_text(f"{host_entry_name('lab', 22)} {key.get_name()} {key.get_base64()}\n")
    before = user_file.read_bytes()
    store = HostKeyStore(tmp_path / "own", (user_file,))
    store.verify("lab", 22, key)
    assert store.known_key_types("lab", 22) == [key.get_name()]
    with pytest.raises(HostKeyChanged) as caught:
        store.verify("lab", 22, make_key(tmp_path, "other", "ecdsa"))
    assert caught.value.source == str(user_file)
    assert store.forget("lab") == 0
    assert user_file.read_bytes() == before


def test_hashed_user_entries_are_understood(tmp_path: Path) -> None:
    key = make_key(tmp_path, "server")
    user_file = tmp_path / "kh"
    user_file.write_text(f"lab.example.org {key.get_name()} {key.get_base64()}\n")
    subprocess.run(
        ["ssh-keygen", "-q", "-H", "-f", str(user_file)], check=True, capture_output=True
    )
    assert "lab.example.org" not in user_file.read_text()
    HostKeyStore(tmp_path / "own", (user_file,)).verify("lab.example.org", 22, key)


def test_forget_removes_only_that_host(tmp_path: Path) -> None:
    store = HostKeyStore(tmp_path / "known_hosts")
    a, b = make_key(tmp_path, "a"), make_key(tmp_path, "b")
    store.trust("lab", 22, a.get_name(), a.get_base64())
    store.trust("lab", 2222, a.get_name(), a.get_base64())
    store.trust("other", 22, b.get_name(), b.get_base64())
    assert store.forget("lab", 2222) == 1
    assert {e.host for e in store.entries()} == {"lab", "other"}
    assert store.forget("lab") == 1
    assert {e.host for e in store.entries()} == {"other"}


def test_unreadable_user_file_adds_no_trust(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.write_bytes(b"\xff\xfe garbage \n")
    with pytest.raises(HostKeyUnknown):
        HostKeyStore(tmp_path / "own", (bad,)).verify("lab", 22, make_key(tmp_path, "k"))


def _line(name: str, key: paramiko.PKey) -> str:
    return f"{name} {key.get_name()} {key.get_base64()}\n"


def test_openssh_patterns_wildcards_and_negation(tmp_path: Path) -> None:
    key = make_key(tmp_path, "k")
    user_file = tmp_path / "kh"
    user_file.write_text(_line("*.lab.example.org,!bad.lab.example.org,[gw]:22?2", key))
    store = HostKeyStore(tmp_path / "own", (user_file,))
    store.verify("gpu1.lab.example.org", 22, key)
    store.verify("GPU2.Lab.Example.Org", 22, key)  # names are case-insensitive
    store.verify("gw", 2202, key)
    for host, port in (("bad.lab.example.org", 22), ("lab.example.org", 22), ("gw", 22)):
        with pytest.raises(HostKeyUnknown):
            store.verify(host, port, key)


def test_a_key_of_another_type_is_a_changed_key(tmp_path: Path) -> None:
    ed, rsa = make_key(tmp_path, "ed"), make_key(tmp_path, "rsa", "rsa")
    user_file = tmp_path / "kh"
    user_file.write_text(_line("lab", ed))
    store = HostKeyStore(tmp_path / "own", (user_file,))
    with pytest.raises(HostKeyTypeChanged) as caught:
        store.verify("lab", 22, rsa)
    assert caught.value.source == str(user_file)
    assert caught.value.known_key_types == ("ssh-ed25519",)
    text = describe(caught.value).text
    assert f"ssh-keygen -R 'lab' -f {user_file}" in text
    # both types known: either is fine
    user_file.write_text(_line("lab", ed) + _line("lab", rsa))
    store.verify("lab", 22, rsa)
    store.trust("lab", 22, rsa.get_name(), rsa.get_base64())  # already known: no conflict


def test_a_pin_never_overrides_a_trusted_key(tmp_path: Path) -> None:
    real, attacker = make_key(tmp_path, "real"), make_key(tmp_path, "attacker", "ecdsa")
    store = HostKeyStore(tmp_path / "own")
    store.trust("lab", 22, real.get_name(), real.get_base64())
    store.verify("lab", 22, real, pinned=[fingerprint(real)])
    for pins in ([fingerprint(attacker)], [fingerprint(attacker), fingerprint(real)]):
        with pytest.raises(PinConflict) as caught:
            store.verify("lab", 22, attacker, pinned=pins)
        assert caught.value.expected_fingerprints == (fingerprint(real),)
    # a pin that does not match what the server shows is still refused
    with pytest.raises(HostKeyChanged) as changed:
        store.verify("lab", 22, real, pinned=[fingerprint(attacker)])
    assert changed.value.source == "pinned"
    # where nothing is known yet, the pin is what decides
    store.verify("fresh", 22, attacker, pinned=[fingerprint(attacker)])


def test_several_keys_of_one_type_any_counts(tmp_path: Path) -> None:
    old, new = make_key(tmp_path, "old"), make_key(tmp_path, "new")
    own = tmp_path / "own"
    own.write_text(_line("lab", old) + _line("lab", new))
    HostKeyStore(own).verify("lab", 22, old)
    HostKeyStore(own).verify("lab", 22, new)


def test_forget_keeps_the_other_names_of_a_line(tmp_path: Path) -> None:
    key = make_key(tmp_path, "k")
    own = tmp_path / "own"
    own.write_bytes(b"# mine\n" + _line("lab,lab-alias,[lab]:2222", key).encode() + b"\xff\n")
    store = HostKeyStore(own)
    assert store.forget("lab") == 1
    assert own.read_bytes() == b"# mine\n" + _line("lab-alias", key).encode() + b"\xff\n"
    store.verify("lab-alias", 22, key)


def test_revoked_and_ca_lines_add_no_trust(tmp_path: Path) -> None:
    key = make_key(tmp_path, "k")
    user_file = tmp_path / "kh"
    user_file.write_text("@revoked " + _line("lab", key) + "@cert-authority " + _line("*", key))
    with pytest.raises(HostKeyUnknown):
        HostKeyStore(tmp_path / "own", (user_file,)).verify("lab", 22, key)


def test_damaged_lines_are_logged_once_by_number(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key = make_key(tmp_path, "k")
    own = tmp_path / "own"
    own.write_text(_line("lab", key) + "lab ssh-ed25519 AAAAC3Nz\n" + "garbage\n" + "x y a%b\n")
    store = HostKeyStore(own)
    for _ in range(3):
        store.verify("lab", 22, key)
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert skipped == [
        f"{own} line 2: damaged key; line skipped",
        f"{own} line 3: not enough fields; line skipped",
        f"{own} line 4: damaged key (not base64); line skipped",
    ]

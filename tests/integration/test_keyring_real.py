"""Secrets in the real Secret Service keyring (gnome-keyring), never anywhere else."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import keyring
import pytest
from tests.harness import unavailable

from labtunnel.core.errors import SecretStoreUnavailable
from labtunnel.core.profiles.secrets import KeyringSecretStore, SecretKind, delete_all

pytestmark = pytest.mark.integration


def test_round_trip_and_delete(real_keyring: str) -> None:
    store = KeyringSecretStore(real_keyring)
    assert store.backend_name.endswith("SecretService.Keyring")
    store.set("profile-1", SecretKind.PASSWORD, "pässword ✓ 1")
    store.set("profile-1", SecretKind.PASSPHRASE, "phrase 2")
    store.set("profile-2", SecretKind.PASSWORD, "other")
    assert store.get("profile-1", SecretKind.PASSWORD) == "pässword ✓ 1"
    # the same item through another client of the same keyring
    assert keyring.get_password(real_keyring, "profile-1:passphrase") == "phrase 2"
    delete_all(store, "profile-1")
    assert store.get("profile-1", SecretKind.PASSWORD) is None
    assert store.get("profile-1", SecretKind.PASSPHRASE) is None
    assert store.get("profile-2", SecretKind.PASSWORD) == "other"
    delete_all(store, "profile-1")  # deleting twice is fine


def test_secret_tool_sees_the_item(real_keyring: str) -> None:
    store = KeyringSecretStore(real_keyring)
    store.set("p", SecretKind.PASSWORD, "visible-to-secret-tool")
    out = subprocess.run(
        ["secret-tool", "lookup", "service", real_keyring, "username", "p:password"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout == "visible-to-secret-tool"


def test_insecure_backends_are_refused() -> None:
    from keyring.backends import fail, null

    for backend in (fail.Keyring(), null.Keyring()):
        with pytest.raises(SecretStoreUnavailable):
            KeyringSecretStore("x", backend=backend).get("p", SecretKind.PASSWORD)


LOCKED_SCRIPT = textwrap.dedent(
    """
    import secretstorage
    from labtunnel.core.errors import SecretStoreLocked
    from labtunnel.core.profiles.secrets import KeyringSecretStore, SecretKind

    store = KeyringSecretStore("labtunnel-locked-test")
    store.set("p", SecretKind.PASSWORD, "before-lock")
    connection = secretstorage.dbus_init()
    secretstorage.get_default_collection(connection).lock()
    for call in (lambda: store.get("p", SecretKind.PASSWORD),
                 lambda: store.set("p", SecretKind.PASSWORD, "x")):
        try:
            call()
        except SecretStoreLocked:
            print("locked")
    """
)


def test_locked_keyring_is_a_typed_error() -> None:
    """Locks a keyring of its own (unlocking needs a person), in a private D-Bus session."""
    if not Path("/usr/bin/gnome-keyring-daemon").exists():
        unavailable("gnome-keyring is not installed")
    with tempfile.TemporaryDirectory() as runtime, tempfile.TemporaryDirectory() as data:
        os.chmod(runtime, 0o700)
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env.update(XDG_RUNTIME_DIR=runtime, XDG_DATA_HOME=data)
        shell = (
            'eval "$(printf %s unlock-me | gnome-keyring-daemon --unlock --components=secrets)"; '
            f'exec "{sys.executable}" -c "$SCRIPT"'
        )
        env["SCRIPT"] = LOCKED_SCRIPT
        result = subprocess.run(
            ["dbus-run-session", "--", "sh", "-c", shell],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
    assert result.stdout.split() == ["locked", "locked"], result.stderr

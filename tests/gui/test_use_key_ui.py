"""The tray's "Use a key instead of my password…" and "Sign in with my password again…":
the menu items, the dialogs' progress, outcome and errors, the work off the GUI thread,
and the offer to delete the password only after the key was proved."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot
from tests.gui.helpers import action, make_profile, open_menu, set_state, submenu, texts
from tests.harness import LabServer

from labtunnel.core.errors import KeyLoginNotAllowed, SecretMissing
from labtunnel.core.events import TunnelState
from labtunnel.core.profiles.lifecycle import ProfileLifecycle
from labtunnel.core.profiles.model import AuthMethod, HostProfile
from labtunnel.core.profiles.remembered import RememberedServers
from labtunnel.core.profiles.secrets import MemorySecretStore, SecretKind
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.core.ssh.auth import Prompter
from labtunnel.core.ssh.hostkeys import HostKeyStore
from labtunnel.core.ssh.keysetup import KeyRemovalResult, KeySetup, KeySetupResult, KeyStep
from labtunnel.ui.app import LabTunnelApp
from labtunnel.ui.dialogs.use_key import RemoveKeyDialog, UseKeyDialog

pytestmark = pytest.mark.gui

AppFactory = Callable[..., LabTunnelApp]
STEPS = [KeyStep.SIGNING_IN, KeyStep.CHECKING, KeyStep.ADDING, KeyStep.TESTING, KeyStep.SAVING]


@dataclass
class FakeKeys:
    """Stands in for KeySetup: records calls and the thread they ran on."""

    store: ProfileStore
    error: Exception | None = None
    gate: threading.Event = field(default_factory=threading.Event)
    calls: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)
    forgotten: list[str] = field(default_factory=list)

    def use_key(
        self,
        profile_id: str,
        *,
        existing: Path | None = None,
        passphrase: str | None = None,
        password: str | None = None,
        on_step: Callable[[KeyStep], None] | None = None,
    ) -> KeySetupResult:
        self.threads.append(threading.current_thread())
        self.calls.append(
            ("use_key", {"existing": existing, "passphrase": passphrase, "password": password})
        )
        assert on_step is not None
        for step in STEPS[:-1]:
            on_step(step)
        assert self.gate.wait(5), "the test never let the work finish"
        if self.error is not None:
            raise self.error
        profile = self.store.get(profile_id)
        switched = self.store.update(
            profile.with_changes(auth=AuthMethod.KEY, key_path="/keys/k"), check_files=False
        )
        return KeySetupResult(switched, "/keys/k", True, (profile.host,), (), True, True)

    def forget_password(self, profile_id: str) -> None:
        self.threads.append(threading.current_thread())
        self.forgotten.append(profile_id)

    def remove_key(
        self,
        profile_id: str,
        *,
        password: str | None = None,
        on_step: Callable[[KeyStep], None] | None = None,
    ) -> KeyRemovalResult:
        self.threads.append(threading.current_thread())
        self.calls.append(("remove_key", {"password": password}))
        if self.error is not None:
            raise self.error
        profile = self.store.get(profile_id)
        back = self.store.update(
            profile.with_changes(auth=AuthMethod.PASSWORD, key_path=""), check_files=False
        )
        return KeyRemovalResult(back, {profile.host: 1}, True)


def app_with_keys(make_app: AppFactory, keys: FakeKeys) -> LabTunnelApp:
    app = make_app(key_setup_factory=lambda prompter: keys)
    app.start()
    return app


def test_the_menu_offers_a_key_for_password_profiles_and_the_way_back(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    password = store.add(make_profile("pw-lab"))
    keyed = store.add(
        make_profile("key-lab", auth=AuthMethod.KEY, key_path="/k"), check_files=False
    )
    app = app_with_keys(make_app, FakeKeys(store))
    menu = open_menu(app)
    pw_menu = submenu(menu, "pw-lab")
    key_menu = submenu(menu, "key-lab")
    assert texts(pw_menu)[-1] == "Use a key instead of my password…"
    assert texts(key_menu)[-1] == "Sign in with my password again…"
    # also while connected
    set_state(qtbot, app, password, TunnelState.CONNECTED)
    pw_menu = submenu(open_menu(app), "pw-lab")
    assert "Use a key instead of my password…" in texts(pw_menu)
    action(pw_menu, "Use a key instead of my password…").trigger()
    assert isinstance(app.windows.key_dialogs[password.id], UseKeyDialog)
    action(key_menu, "Sign in with my password again…").trigger()
    assert isinstance(app.windows.key_dialogs[keyed.id], RemoveKeyDialog)


def test_without_the_key_service_nothing_is_offered(
    make_app: AppFactory, store: ProfileStore
) -> None:
    store.add(make_profile())
    app = make_app()
    app.start()
    assert "Use a key instead of my password…" not in texts(open_menu(app))


def test_use_key_runs_off_the_gui_thread_shows_progress_then_offers_the_password(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    profile = store.add(make_profile())
    keys = FakeKeys(store)
    app = app_with_keys(make_app, keys)
    dialog = app.windows.use_key(profile.id)
    assert isinstance(dialog, UseKeyDialog) and dialog.isVisible()
    assert dialog.new_radio.isChecked()
    assert not dialog.delete_password_button.isVisibleTo(dialog)  # not before the proof
    dialog.passphrase_field.line.setText("a passphrase")
    dialog.action_button.click()
    # the GUI thread is free while the work runs: progress arrives, inputs are locked
    qtbot.waitUntil(lambda: "Signing in with the key alone" in dialog.status_label.text())
    assert not dialog.action_button.isEnabled() and not dialog.passphrase_field.isEnabled()
    dialog.reject()
    assert dialog.isVisible(), "closing while the work runs would hide its outcome"
    with qtbot.waitSignal(dialog.profile_changed, timeout=5000):
        keys.gate.set()
    assert keys.threads and threading.main_thread() not in keys.threads
    assert keys.calls == [
        ("use_key", {"existing": None, "passphrase": "a passphrase", "password": None})
    ]
    assert "now signs in to gpu.lab.example with a key (/keys/k)" in dialog.status_label.text()
    assert "one-time code" in dialog.status_label.text()
    assert store.get(profile.id).auth is AuthMethod.KEY
    assert dialog.delete_password_button.isVisibleTo(dialog)
    assert "no longer needs it" in dialog.offer_label.text()
    dialog.delete_password_button.click()
    qtbot.waitUntil(lambda: keys.forgotten == [profile.id])
    qtbot.waitUntil(lambda: "was deleted" in dialog.offer_label.text())
    assert not dialog.action_button.isVisibleTo(dialog)
    # the menu now offers the way back
    menu = open_menu(app)
    assert "Sign in with my password again…" in texts(menu)


def test_use_key_errors_are_shown_in_the_dialog_which_stays_usable(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    profile = store.add(make_profile())
    keys = FakeKeys(store, error=KeyLoginNotAllowed("gpu.lab.example", ["password"]))
    keys.gate.set()
    app = app_with_keys(make_app, keys)
    dialog = app.windows.use_key(profile.id)
    assert isinstance(dialog, UseKeyDialog)
    dialog.existing_radio.setChecked(True)
    dialog.action_button.click()
    assert "Choose the key file first." in dialog.status_label.text()
    assert keys.calls == []
    dialog.key_edit.setText("~/.ssh/id_ed25519")
    dialog.action_button.click()
    qtbot.waitUntil(lambda: "does not accept keys" in dialog.status_label.text())
    assert "keeps signing in with your password" in dialog.status_label.text()
    assert dialog.action_button.isEnabled()
    assert keys.calls[0][1]["existing"] == Path("~/.ssh/id_ed25519").expanduser()
    assert store.get(profile.id).auth is AuthMethod.PASSWORD
    keys.error = SecretMissing(profile.name, "password")
    dialog.password_field.line.setText("typed pw")
    dialog.action_button.click()
    qtbot.waitUntil(lambda: "No password is saved" in dialog.status_label.text())
    assert keys.calls[-1][1]["password"] == "typed pw"


def test_sign_in_with_the_password_again(
    qtbot: QtBot, make_app: AppFactory, store: ProfileStore
) -> None:
    profile: HostProfile = store.add(
        make_profile(auth=AuthMethod.KEY, key_path="/keys/k"), check_files=False
    )
    keys = FakeKeys(store)
    app = app_with_keys(make_app, keys)
    dialog = app.windows.use_password(profile.id)
    assert isinstance(dialog, RemoveKeyDialog)
    dialog.password_field.line.setText("pw")
    with qtbot.waitSignal(dialog.profile_changed, timeout=5000):
        dialog.action_button.click()
    assert keys.calls == [("remove_key", {"password": "pw"})]
    assert "with your password again" in dialog.status_label.text()
    assert store.get(profile.id).auth is AuthMethod.PASSWORD
    assert threading.main_thread() not in keys.threads


@pytest.mark.integration
def test_use_key_for_real_from_the_dialog(
    qtbot: QtBot,
    make_app: AppFactory,
    store: ProfileStore,
    secrets: MemorySecretStore,
    remembered: RememberedServers,
    hostkeys: HostKeyStore,
    lab_server: LabServer,
    tmp_path: Path,
) -> None:
    """The real KeySetup against the lab server, driven by the dialog: the GUI thread
    stays free while it signs in twice and edits authorized_keys."""
    lab_server.require_password_auth()
    user = lab_server.add_user("guikey")
    try:
        for line in lab_server.host_public_keys.values():
            key_type, key_base64 = line.split()[:2]
            hostkeys.trust(lab_server.host, lab_server.port, key_type, key_base64)
        profile = store.add(HostProfile("lab", lab_server.host, user.name))
        secrets.set(profile.id, SecretKind.PASSWORD, user.password)

        def factory(prompter: Prompter) -> KeySetup:
            lifecycle = ProfileLifecycle(store, secrets, remembered)
            return KeySetup(lifecycle, secrets, hostkeys, tmp_path / "keys", prompter=prompter)

        app = make_app(key_setup_factory=factory)
        app.start()
        dialog = app.windows.use_key(profile.id)
        assert isinstance(dialog, UseKeyDialog)
        ticks: list[float] = []
        timer = QTimer()
        timer.timeout.connect(lambda: ticks.append(time.monotonic()))
        timer.start(10)
        with qtbot.waitSignal(dialog.profile_changed, timeout=30000):
            dialog.action_button.click()
        timer.stop()
        gaps = [b - a for a, b in itertools.pairwise(ticks)]
        assert gaps and max(gaps) < 0.5, f"the GUI thread stalled {max(gaps):.2f} s"
        saved = store.get(profile.id)
        assert saved.auth is AuthMethod.KEY and Path(saved.key_path).exists()
        lines = (Path(user.home) / ".ssh" / "authorized_keys").read_text().splitlines()
        assert sum("LabTunnel key from" in line for line in lines) == 1
        assert dialog.delete_password_button.isVisibleTo(dialog)
        dialog.delete_password_button.click()
        qtbot.waitUntil(lambda: secrets.get(profile.id, SecretKind.PASSWORD) is None)
    finally:
        lab_server.remove_user(user)

"""Issue 12.12: closing never blocks the GUI thread, and a connect under way (even one
waiting for a one-time code in its dialog) stops the moment the person says so.
Real tunnels to the real lab server, the tray app's own controller and prompter."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from pytestqt.qtbot import QtBot
from tests.gui.helpers import real_app
from tests.harness import LabServer, RemoteService
from tests.harness.totp import TotpServer, start_totp_sshd
from tests.integration.conftest import known_hosts_text

from labtunnel.core.context import AppContext
from labtunnel.core.events import TunnelState
from labtunnel.core.platform.paths import default_paths
from labtunnel.core.profiles.model import HostProfile, JumpHost, RemoteForward
from labtunnel.core.profiles.secrets import KeyringSecretStore, SecretKind
from labtunnel.core.ssh.hostkeys import host_entry_name

pytestmark = [pytest.mark.gui, pytest.mark.integration]

#: "at once" for a click, with room for a loaded 2-core machine
AT_ONCE_S = 0.1


@pytest.fixture(scope="module")
def totp(lab_server: LabServer) -> Iterator[TotpServer]:
    server = start_totp_sshd(lab_server)
    try:
        yield server
    finally:
        lab_server.stop_sshd_variant(server.port)


def worker_threads() -> list[threading.Thread]:
    """The core's threads: tunnels, SSH transports and keepalives, forwarders, closing."""
    return [t for t in threading.enumerate() if t is not threading.main_thread()]


def test_quitting_while_reconnecting_through_a_dead_jump_host_returns_at_once(
    qtbot: QtBot,
    lab_server: LabServer,
    echo_service: RemoteService,
    config_dir: Path,
    real_keyring: str,
) -> None:
    """The gateway went away (its sshd gone, then its network): the tunnel reconnects,
    and that connect hangs on the dead network. Before: Quit closed every tunnel on the
    GUI thread and waited there for the connect to time out."""
    lab_server.require_netns()
    lab_server.require_password_auth()
    before = set(worker_threads())
    context = AppContext.create(default_paths(), secrets=KeyringSecretStore(real_keyring))
    context.store.load()
    context.paths.known_hosts_file.write_text(known_hosts_text(lab_server))
    profile = context.store.add(
        HostProfile(
            name="behind the gateway",
            host=lab_server.jump_target_host,
            port=lab_server.jump_target_port,
            username=lab_server.user.name,
            jump=JumpHost(host=lab_server.host, port=lab_server.port),
            target=RemoteForward(*echo_service),
        )
    )
    context.secrets.set(profile.id, SecretKind.PASSWORD, lab_server.user.password)
    app = real_app(context, [])
    try:
        app.start()
        app.controller.connect_profile(profile.id, open_browser=False)
        qtbot.waitUntil(
            lambda: app.controller.status(profile.id).state is TunnelState.CONNECTED,
            timeout=30_000,
        )
        lab_server.kill_sshd()  # the session ends at once...
        lab_server.drop_all()  # ...and every reconnect hangs in its TCP connect
        qtbot.waitUntil(
            lambda: app.controller.status(profile.id).state is TunnelState.CONNECTING,
            timeout=10_000,
        )
        qtbot.wait(300)  # inside the connect
        started = time.monotonic()
        app.quit()
        took = time.monotonic() - started
        assert took < AT_ONCE_S, f"Quit held the GUI thread for {took * 1000:.0f} ms"
        assert app.wait_closed(5)
        assert [t for t in worker_threads() if t not in before and t.is_alive()] == []
    finally:
        app.shutdown()
        app.wait_closed(10)
    print(f"\nQuit while reconnecting through a dead jump host: {took * 1000:.1f} ms")


def test_disconnect_withdraws_a_waiting_one_time_code_question(
    qtbot: QtBot, lab_server: LabServer, totp: TotpServer, config_dir: Path, real_keyring: str
) -> None:
    """Before: the dialog stayed up and the connect went on waiting for a code (up to
    the 120 s login timeout) after Disconnect."""
    context = AppContext.create(default_paths(), secrets=KeyringSecretStore(real_keyring))
    context.store.load()
    context.paths.known_hosts_file.write_text(
        "".join(
            f"{host_entry_name(totp.host, totp.port)} {line}\n"
            for line in lab_server.host_public_keys.values()
        )
    )
    profile = context.store.add(
        HostProfile(
            name="2FA",
            host=totp.host,
            port=totp.port,
            username=totp.user.name,
            target=RemoteForward("127.0.0.1", 9),
        )
    )
    context.secrets.set(profile.id, SecretKind.PASSWORD, totp.user.password)
    app = real_app(context, [])
    try:
        app.start()
        with qtbot.waitSignal(app.prompter.dialog_shown, timeout=30_000) as shown:
            app.controller.connect_profile(profile.id, open_browser=False)
        dialog = shown.args[0]
        tunnel_threads = [t for t in threading.enumerate() if t.name.startswith("tunnel-")]
        assert tunnel_threads
        started = time.monotonic()
        app.controller.disconnect_profile(profile.id)
        took = time.monotonic() - started
        assert took < AT_ONCE_S, f"Disconnect held the GUI thread for {took * 1000:.0f} ms"
        qtbot.waitUntil(
            lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(), timeout=1000
        )
        assert app.prompter.open_dialogs == 0
        for thread in tunnel_threads:
            thread.join(1.5)
            assert not thread.is_alive(), "the connect still runs 1.5 s after Disconnect"
        qtbot.waitUntil(
            lambda: app.controller.status(profile.id).state is TunnelState.DISCONNECTED,
            timeout=2000,
        )
    finally:
        app.shutdown()
        app.wait_closed(10)

"""The tray's one-time-code dialog answered through a real two-factor server: sshd with PAM
google-authenticator (tests/harness/totp.py) asks for the password, which LabTunnel
answers from the keyring by itself, and then a TOTP code, which the dialog asks the
person for (codes from oathtool, as a phone shows them). A wrong code ends in the
sentence that says so."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot
from tests.gui.helpers import Budget, action, open_menu, real_app
from tests.harness import HttpService, LabServer
from tests.harness.totp import CODE_PROMPT, TotpServer, start_totp_sshd
from tests.integration.tunnel_helpers import http_get

from labtunnel.core.context import AppContext
from labtunnel.core.errors import OneTimeCodeRefused
from labtunnel.core.events import TunnelState
from labtunnel.core.platform.paths import default_paths
from labtunnel.core.profiles.model import HostProfile, RemoteForward
from labtunnel.core.profiles.secrets import KeyringSecretStore, SecretKind
from labtunnel.ui.app import LabTunnelApp
from labtunnel.ui.dialogs.hostkey import HostKeyDialog
from labtunnel.ui.dialogs.otp import OneTimeCodeDialog
from labtunnel.ui.notices import Notice, NoticeKind
from labtunnel.ui.texts import error_text

pytestmark = [pytest.mark.gui, pytest.mark.integration]

NAME = "2FA lab"


@pytest.fixture(scope="module")
def totp(lab_server: LabServer) -> Iterator[TotpServer]:
    # OpenSSH's default PasswordAuthentication yes: the harder of the two configurations
    server = start_totp_sshd(lab_server, password_authentication=True)
    try:
        yield server
    finally:
        lab_server.stop_sshd_variant(server.port)


def tunnel_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("tunnel-")]


def code_dialog(
    qtbot: QtBot, app: LabTunnelApp, start: object, budget: Budget
) -> OneTimeCodeDialog:
    with qtbot.waitSignal(app.prompter.dialog_shown, timeout=budget.ms(30)) as shown:
        start()  # type: ignore[operator]
    dialog = shown.args[0]
    assert isinstance(dialog, OneTimeCodeDialog)
    # only the code: the password prompt never reaches the person
    assert len(dialog.findChildren(QLineEdit)) == 1
    assert CODE_PROMPT.strip() in [label.text() for label in dialog.findChildren(QLabel)]
    return dialog


def test_one_time_code_dialog_through_a_real_two_factor_server(
    qtbot: QtBot,
    lab_server: LabServer,
    totp: TotpServer,
    http_service: HttpService,
    config_dir: Path,
    real_keyring: str,
) -> None:
    budget = Budget()
    context = AppContext.create(default_paths(), secrets=KeyringSecretStore(real_keyring))
    context.store.load()
    profile = context.store.add(
        HostProfile(
            name=NAME,
            host=totp.host,
            port=totp.port,
            username=totp.user.name,
            target=RemoteForward(http_service.host, http_service.port),
        )
    )
    context.secrets.set(profile.id, SecretKind.PASSWORD, totp.user.password)
    opened: list[str] = []
    notices: list[Notice] = []

    app = real_app(context, opened)
    app.controller.notice.connect(notices.append)

    def state() -> TunnelState:
        return app.controller.status(profile.id).state

    try:
        app.start()
        with qtbot.waitSignal(app.windows.window_shown, timeout=budget.ms(30)) as shown:
            action(open_menu(app), f"Connect to {NAME}").trigger()
        trust = shown.args[0]
        assert isinstance(trust, HostKeyDialog)
        assert trust.fingerprint_label.text() in lab_server.host_key_fingerprints.values()

        dialog = code_dialog(qtbot, app, trust.trust_button.click, budget)
        qtbot.keyClicks(dialog.fields[0], totp.code())
        dialog.accept()
        qtbot.waitUntil(lambda: bool(opened), timeout=budget.ms(30))
        port = app.controller.status(profile.id).local_port
        assert port is not None and opened[0] == f"http://127.0.0.1:{port}/"
        status, body = http_get(port, http_service.url_path)
        assert status == 200 and hashlib.sha256(body).hexdigest() == http_service.sha256

        action(open_menu(app), "Disconnect").trigger()
        qtbot.waitUntil(lambda: state() is TunnelState.DISCONNECTED, timeout=budget.ms(30))
        # the old worker may still clean up after reporting DISCONNECTED: let it end
        qtbot.waitUntil(lambda: not tunnel_threads(), timeout=budget.ms(10))

        # a wrong code: refused by the server, and the notice says what to do
        notices.clear()
        dialog = code_dialog(
            qtbot, app, action(open_menu(app), f"Connect to {NAME}").trigger, budget
        )
        qtbot.keyClicks(dialog.fields[0], totp.wrong_code())
        dialog.accept()
        qtbot.waitUntil(lambda: state() is TunnelState.FAILED, timeout=budget.ms(30))
        error = app.controller.status(profile.id).error
        assert isinstance(error, OneTimeCodeRefused)
        failed = [n for n in notices if n.kind is NoticeKind.FAILED]
        assert failed and isinstance(failed[-1].error, OneTimeCodeRefused)
        assert "one-time code" in error_text(error)
        assert app.prompter.open_dialogs == 0  # asked once, not again and again
    finally:
        app.shutdown()

"""GUI tests run offscreen: no display, no tray; pytest-qt drives widgets and signals."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot
from tests.gui.fakes import FakeLoginItem, FakeManager, Recorder
from tests.harness.browser import page_target

from labtunnel.core.platform.browser import BrowserOpener
from labtunnel.core.profiles.lifecycle import ProfileLifecycle
from labtunnel.core.profiles.remembered import RememberedServers
from labtunnel.core.profiles.secrets import MemorySecretStore
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.core.ssh.hostkeys import HostKeyStore
from labtunnel.core.updates import UpdateStatus
from labtunnel.ui.app import KeySetupFactory, LabTunnelApp
from labtunnel.ui.login_item import LoginItem
from labtunnel.ui.update_check import CheckFunction
from labtunnel.ui.windows import ChooseFile

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before pytest-qt creates the QApplication


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    store = ProfileStore(tmp_path / "config" / "profiles.json")
    store.load()
    return store


@pytest.fixture
def secrets() -> MemorySecretStore:
    return MemorySecretStore()


@pytest.fixture
def remembered(tmp_path: Path) -> RememberedServers:
    return RememberedServers(tmp_path / "state.json")


@pytest.fixture
def hostkeys(tmp_path: Path) -> HostKeyStore:
    return HostKeyStore(tmp_path / "config" / "known_hosts")


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "logs"
    directory.mkdir()
    return directory


@pytest.fixture
def ssh_config(tmp_path: Path) -> Path:
    """Where the app looks for ~/.ssh/config (missing unless a test writes it)."""
    return tmp_path / "home" / ".ssh" / "config"


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def _never_the_internet() -> UpdateStatus:
    raise AssertionError("a test asked GitHub for releases: pass update_check=")


@pytest.fixture
def make_app(
    qtbot: QtBot,
    store: ProfileStore,
    secrets: MemorySecretStore,
    remembered: RememberedServers,
    hostkeys: HostKeyStore,
    log_dir: Path,
    recorder: Recorder,
    ssh_config: Path,
    tmp_path: Path,
) -> Iterator[Callable[..., LabTunnelApp]]:
    """Builds LabTunnelApp with a FakeManager; shuts every one down after the test. What
    the browser is sent to lands in ``recorder.urls`` (for Jupyter: the redirect page's
    target, read from the page)."""
    apps: list[LabTunnelApp] = []
    pages = tmp_path / "pages"
    pages.mkdir(mode=0o700)

    def build(
        tray: bool = True,
        tray_wait_ms: int = 0,
        login_item: LoginItem | None = None,
        choose_file: ChooseFile = lambda: None,
        update_check: CheckFunction = _never_the_internet,
        measure_stalls: bool = False,
        browser: BrowserOpener | None = None,
        key_setup_factory: KeySetupFactory | None = None,
    ) -> LabTunnelApp:
        def open_url(url: QUrl) -> bool:
            recorder.urls.append(url.toString())
            return True

        def open_in_browser(url: str) -> None:
            # what the browser ends up at: through the redirect page for a token URL
            recorder.urls.append(page_target(url))

        app = LabTunnelApp(
            profiles=ProfileLifecycle(store, secrets, remembered),
            hostkeys=hostkeys,
            log_dir=log_dir,
            manager_factory=lambda listener, prompter: FakeManager(store, listener),
            open_url=open_url,
            browser=browser or BrowserOpener(lambda: pages, launch=open_in_browser),
            set_clipboard=recorder.clipboard.append,
            login_item=login_item or FakeLoginItem(),
            confirm=lambda title, text: recorder.answer,
            tray_available=lambda: tray,
            tray_wait_ms=tray_wait_ms,
            quit_app=lambda: recorder.quits.append(1),
            choose_file=choose_file,
            ssh_config_path=ssh_config,
            update_check=update_check,
            measure_stalls=measure_stalls,
            key_setup_factory=key_setup_factory,
        )
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.shutdown()
        assert app.wait_closed(10)
        app.deleteLater()

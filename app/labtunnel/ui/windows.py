"""Opens the app's windows, one of each at a time, and brings them to the front.

The menu's app-wide items and the controller's host-key questions end up here.
"""

from __future__ import annotations

import getpass
import logging
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QUrl, Signal
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from labtunnel import __version__
from labtunnel.core.errors import (
    HostKeyChanged,
    HostKeyUnknown,
    JupyterNotFound,
    LabTunnelError,
)
from labtunnel.core.events import TunnelState
from labtunnel.core.profiles.lifecycle import ProfileLifecycle
from labtunnel.core.profiles.model import HostProfile
from labtunnel.core.profiles.sharing import ImportPlan, read_shared
from labtunnel.core.profiles.sshconfig import SshConfig, read_ssh_config
from labtunnel.core.updates import UpdateStatus
from labtunnel.ui.background import Background, Outcome
from labtunnel.ui.contracts import HostKeyTrust, OpenUrl, SetClipboard
from labtunnel.ui.controller import AppController
from labtunnel.ui.dialogs.common import bring_to_front, prepare_window
from labtunnel.ui.dialogs.hostkey import HostKeyChangedDialog, HostKeyDialog
from labtunnel.ui.dialogs.import_profile import ImportProfileDialog
from labtunnel.ui.dialogs.jupyter_choice import JupyterChoiceDialog
from labtunnel.ui.dialogs.kernels import KernelsDialog
from labtunnel.ui.dialogs.log_viewer import LogViewer
from labtunnel.ui.dialogs.profile_editor import EditorServices, ProfileEditor
from labtunnel.ui.dialogs.servers import ServerList
from labtunnel.ui.dialogs.settings_dialog import SettingsDialog
from labtunnel.ui.dialogs.ssh_import import ReadConfig, SshImportDialog
from labtunnel.ui.dialogs.use_key import KeySetupControl, RemoveKeyDialog, UseKeyDialog
from labtunnel.ui.i18n import ENGLISH
from labtunnel.ui.login_item import LoginItem, UnsupportedLoginItem, login_item_problem
from labtunnel.ui.menu import MenuHandlers
from labtunnel.ui.settings import SettingsStore
from labtunnel.ui.texts import error_text
from labtunnel.ui.update_check import result_text

log = logging.getLogger(__name__)
translate = QCoreApplication.translate

#: asks a yes/no question: (title, text) -> yes?
Confirm = Callable[[str, str], bool]


#: asks for a lab profile file to import; None when the person cancelled
ChooseFile = Callable[[], Path | None]


def choose_lab_profile() -> Path | None:
    path, _filter = QFileDialog.getOpenFileName(
        None,
        translate("Windows", "Import lab profile"),
        str(Path.home()),
        translate("Windows", "LabTunnel lab profiles (*.labtunnel);;All files (*)"),
    )
    return Path(path) if path else None


def _read_ssh_config(path: Path) -> SshConfig:
    return read_ssh_config(path)


def ask_yes_no(title: str, text: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text)
    prepare_window(box, title)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


class Windows(QObject):
    #: any window this object opened (for tests and the screenshot script)
    window_shown = Signal(QWidget)
    #: a lab server was removed (its id), after its secrets and state went with it
    server_removed = Signal(str)

    def __init__(
        self,
        controller: AppController,
        profiles: ProfileLifecycle,
        hostkeys: HostKeyTrust,
        log_dir: Path,
        open_url: OpenUrl,
        set_clipboard: SetClipboard,
        quit_app: Callable[[], None],
        confirm: Confirm = ask_yes_no,
        *,
        settings: SettingsStore | None = None,
        login_item: LoginItem | None = None,
        choose_file: ChooseFile = choose_lab_profile,
        read_config: ReadConfig = _read_ssh_config,
        ssh_config_path: Path | None = None,
        default_user: str | None = None,
        running_language: str = ENGLISH,
        key_setup: KeySetupControl | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        #: switching profiles between password and key; None: not offered
        self._key_setup = key_setup
        self.key_dialogs: dict[str, QDialog] = {}
        self._profiles = profiles
        #: keyring work (saving, removing, importing) runs here, never on the GUI thread
        self.background = Background(self)
        self._hostkeys = hostkeys
        self._log_dir = log_dir
        self._open_url = open_url
        self._set_clipboard = set_clipboard
        self._quit_app = quit_app
        self._confirm = confirm
        self.settings_store = settings or SettingsStore(controller.store)
        self.login_item: LoginItem = login_item or UnsupportedLoginItem()
        self._choose_file = choose_file
        self._read_config = read_config
        self._ssh_config_path = ssh_config_path or Path.home() / ".ssh" / "config"
        self._default_user = default_user if default_user is not None else _login_name()
        self.running_language = running_language
        self.editor: ProfileEditor | None = None
        self.servers: ServerList | None = None
        self.log_viewer: LogViewer | None = None
        self.host_key_dialogs: dict[str, QDialog] = {}
        self.jupyter_dialog: JupyterChoiceDialog | None = None
        self.kernels_dialog: KernelsDialog | None = None
        self.import_dialogs: list[ImportProfileDialog] = []
        self.ssh_import_dialog: SshImportDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        self._boxes: list[QMessageBox] = []
        controller.host_key_problem.connect(self.on_host_key_problem)
        controller.jupyter_missing.connect(self.on_jupyter_missing)
        controller.browser_failed.connect(self.on_browser_failed)

    def handlers(self) -> MenuHandlers:
        return MenuHandlers(
            add_server=self.add_server,
            manage_servers=self.manage_servers,
            show_log=self.show_log,
            show_failure=self.show_failure,
            about=self.about,
            quit=self._quit_app,
            set_launch_at_login=self.set_launch_at_login,
            import_lab_profile=self.import_lab_profile,
            import_ssh_config=self.import_ssh_config,
            settings=self.show_settings,
            shutdown_kernels=self.shutdown_kernels,
            stop_job=self.stop_job,
            use_key=self.use_key if self._key_setup is not None else None,
            use_password=self.use_password if self._key_setup is not None else None,
        )

    def stop_job(self, profile_id: str) -> bool:
        """ "Stop Jupyter" of a Slurm profile: scancel its job, once the user agrees."""
        job = self.controller.status(profile_id).job
        if job is None:
            return False
        asked = self._confirm(
            translate("Windows", "Stop Jupyter"),
            translate(
                "Windows",
                "Cancel Slurm job {job} on {node}? Jupyter and its kernels end, and unsaved "
                "work in open notebooks is lost; saved files stay.",
            ).format(job=job.job_id, node=job.node or "?"),
        )
        if asked:
            self.controller.stop_jupyter(profile_id)
        return asked

    def _show(self, window: QWidget) -> None:
        bring_to_front(window)
        self.window_shown.emit(window)

    # --- profiles -----------------------------------------------------------------

    def _editor_services(self) -> EditorServices:
        manager = self.controller.manager
        return EditorServices(
            profiles=self._profiles,
            background=self.background,
            test_connection=lambda profile, password, passphrase: manager.test_connection(
                profile, password, passphrase
            ),
            test_results=self.controller.test_result,
            trust_host_key=lambda e: self._hostkeys.trust(e.host, e.port, e.key_type, e.key_base64),
        )

    def add_server(self, welcome: bool = False) -> ProfileEditor:
        return self._open_editor(None, welcome)

    def edit_server(self, profile_id: str) -> ProfileEditor | None:
        try:
            profile = self.controller.store.get(profile_id)
        except LabTunnelError as exc:
            self.show_message(translate("Windows", "Edit lab server"), error_text(exc))
            return None
        return self._open_editor(profile, False)

    def _open_editor(self, profile: HostProfile | None, welcome: bool) -> ProfileEditor:
        current = self.editor
        if current is not None and current.isVisible():
            if (profile is None and current.is_new) or (
                profile is not None and not current.is_new and current.profile_id == profile.id
            ):
                self._show(current)
                return current
            current.close()
        editor = ProfileEditor(self._editor_services(), profile, welcome)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.saved.connect(self._profile_saved)
        editor.destroyed.connect(lambda: self._forget_editor(editor))
        self.editor = editor
        self._show(editor)
        return editor

    def _forget_editor(self, editor: ProfileEditor) -> None:
        if self.editor is editor:
            self.editor = None

    def _profile_saved(self, profile: HostProfile, connect: bool) -> None:
        self.controller.profiles_changed()
        if connect:
            self.controller.connect_profile(profile.id)

    def remove_server(self, profile_id: str) -> bool:
        try:
            profile = self.controller.store.get(profile_id)
        except LabTunnelError:
            return False
        question = translate(
            "Windows",
            "Remove “{name}”? Its saved password and settings are deleted. Jupyter on the "
            "server is not touched.",
        ).format(name=profile.name)
        if not self._confirm(translate("Windows", "Remove lab server"), question):
            return False
        if self.controller.status(profile_id).state is not TunnelState.DISCONNECTED:
            self.controller.disconnect_profile(profile_id)
        profiles = self._profiles
        self.background.run(lambda: profiles.remove(profile_id), self._server_removed)
        return True

    def _server_removed(self, outcome: Outcome[HostProfile]) -> None:
        if outcome.error is not None or outcome.value is None:
            error = outcome.error
            if not isinstance(error, LabTunnelError):
                log.error("removing a lab server failed", exc_info=error)
                error = LabTunnelError(type(error).__name__)
            self.show_message(translate("Windows", "Remove lab server"), error_text(error))
            return
        self.controller.profiles_changed(removed_id=outcome.value.id)
        self.server_removed.emit(outcome.value.id)

    def manage_servers(self) -> ServerList:
        if self.servers is None:
            servers = ServerList(self.controller)
            servers.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            servers.add_requested.connect(lambda: self.add_server())
            servers.edit_requested.connect(self.edit_server)
            servers.remove_requested.connect(self.remove_server)
            servers.destroyed.connect(lambda: setattr(self, "servers", None))
            self.servers = servers
        self._show(self.servers)
        return self.servers

    # --- other windows ------------------------------------------------------------

    def show_log(self) -> LogViewer:
        if self.log_viewer is None:
            viewer = LogViewer(self._log_dir, self._open_url, self._set_clipboard)
            viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            viewer.destroyed.connect(lambda: setattr(self, "log_viewer", None))
            self.log_viewer = viewer
        else:
            self.log_viewer.refresh()
        self._show(self.log_viewer)
        return self.log_viewer

    def show_failure(self, profile_id: str) -> None:
        status = self.controller.status(profile_id)
        text = (
            error_text(status.error)
            if status.error is not None
            else translate("Windows", "No error was recorded. The log may say more.")
        )
        self.show_message(
            translate("Windows", "Could not connect to {name}").format(name=status.profile_name),
            text,
            QMessageBox.Icon.Warning,
        )

    def about(self) -> QMessageBox:
        return self.show_message(
            translate("Windows", "About LabTunnel"),
            translate(
                "Windows",
                "LabTunnel {version}\n\nReach Jupyter on your lab’s server from the system "
                "tray: LabTunnel signs in over SSH, finds or starts your Jupyter there and "
                "opens it in your browser through a private tunnel.",
            ).format(version=__version__),
        )

    def show_update(self, status: UpdateStatus) -> QMessageBox:
        """A newer LabTunnel is published: say so, with a button to its release page."""
        box = self.show_message(translate("Windows", "A newer LabTunnel"), result_text(status))
        download = box.addButton(
            translate("Windows", "Download"), QMessageBox.ButtonRole.ActionRole
        )
        box.addButton(QMessageBox.StandardButton.Close)
        page = QUrl(status.latest.page)
        box.buttonClicked.connect(
            lambda button: self._open_url(page) if button is download else None
        )
        self.update_download_button = download
        return box

    def set_launch_at_login(self, enabled: bool) -> bool:
        """The menu's checkbox: switch the login item and remember the choice."""
        try:
            self.login_item.set_enabled(enabled)
        except OSError as exc:
            log.warning("launch at login not changed: %s", exc)
            self.login_item_failed(exc)
            return False
        try:
            self.settings_store.change(launch_at_login=enabled)
        except LabTunnelError as exc:
            # the login item itself changed, which is what counts; the record did not
            log.warning("launch at login not recorded in the settings: %s", exc)
        return True

    def login_item_failed(self, error: OSError) -> None:
        self.show_message(
            translate("Windows", "Launch at login"),
            login_item_problem(error)
            or translate("Windows", "LabTunnel could not change this setting: {reason}").format(
                reason=error.strerror or str(error)
            ),
            QMessageBox.Icon.Warning,
        )

    def show_message(
        self, title: str, text: str, icon: QMessageBox.Icon = QMessageBox.Icon.Information
    ) -> QMessageBox:
        """Non-blocking: a tray app must keep its event loop running."""
        box = QMessageBox(icon, title, text)
        prepare_window(box, title)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.destroyed.connect(lambda: self._boxes.remove(box) if box in self._boxes else None)
        self._boxes.append(box)
        self._show(box)
        return box

    def on_browser_failed(self, profile_id: str, detail: str) -> QMessageBox:
        return self.show_message(
            translate("Windows", "Open in browser"),
            translate(
                "Windows",
                "LabTunnel could not open your browser ({detail}). Choose “Copy URL” in "
                "the menu and paste it into your browser’s address bar.",
            ).format(detail=detail),
            QMessageBox.Icon.Warning,
        )

    # --- host keys ----------------------------------------------------------------

    def on_host_key_problem(self, profile_id: str, error: object) -> None:
        existing = self.host_key_dialogs.get(profile_id)
        if existing is not None:
            existing.close()
        dialog: QDialog
        if isinstance(error, HostKeyUnknown):
            dialog = HostKeyDialog(error)
            dialog.accepted.connect(lambda: self._trust(profile_id, error))
        elif isinstance(error, HostKeyChanged):
            dialog = HostKeyChangedDialog(error)
        else:
            return
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: self._forget_dialog(profile_id, dialog))
        self.host_key_dialogs[profile_id] = dialog
        self._show(dialog)

    def _forget_dialog(self, profile_id: str, dialog: QDialog) -> None:
        if self.host_key_dialogs.get(profile_id) is dialog:
            del self.host_key_dialogs[profile_id]

    def _trust(self, profile_id: str, error: HostKeyUnknown) -> None:
        try:
            self.controller.trust_and_connect(profile_id, error)
        except LabTunnelError as exc:
            log.warning("could not trust the host key: %s", exc)
            if isinstance(exc, HostKeyChanged):
                self.on_host_key_problem(profile_id, exc)
            else:
                self.show_message(
                    translate("Windows", "Could not trust the server"),
                    error_text(exc),
                    QMessageBox.Icon.Warning,
                )

    # --- Jupyter not on the login PATH -----------------------------------------------

    def on_jupyter_missing(self, profile_id: str, error: object) -> None:
        if not isinstance(error, JupyterNotFound):
            return
        status = self.controller.status(profile_id)
        dialog = JupyterChoiceDialog(error, status.profile_name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._use_jupyter(profile_id, dialog.chosen()))
        dialog.destroyed.connect(lambda: setattr(self, "jupyter_dialog", None))
        self.jupyter_dialog = dialog
        self._show(dialog)

    def shutdown_kernels(self, profile_id: str) -> KernelsDialog | None:
        """Pick kernels from the last listing; the controller asks Jupyter to shut them down."""
        event = self.controller.stats(profile_id)
        report = event.kernels if event is not None else None
        if report is None or not report.kernels:
            return None
        status = self.controller.status(profile_id)
        dialog = KernelsDialog(report, status.profile_name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self.controller.shutdown_kernels(profile_id, dialog.chosen())
        )
        dialog.destroyed.connect(lambda: setattr(self, "kernels_dialog", None))
        self.kernels_dialog = dialog
        self._show(dialog)
        return dialog

    def _use_jupyter(self, profile_id: str, env: str | None) -> None:
        if not env:
            return
        try:
            self.controller.use_jupyter(profile_id, env)
        except LabTunnelError as exc:
            self.show_message(
                translate("Windows", "Choose Jupyter"), error_text(exc), QMessageBox.Icon.Warning
            )

    # --- importing ------------------------------------------------------------------

    def import_lab_profile(self, path: Path | None = None) -> ImportProfileDialog | None:
        """Menu, double click or ``labtunnel FILE.labtunnel``: read the file, then ask only
        for the user name and password. A file that fails its checks is refused with a
        sentence saying why."""
        if path is None:
            path = self._choose_file()
            if path is None:
                return None
        for open_dialog in self.import_dialogs:
            if open_dialog.path == path and open_dialog.isVisible():
                self._show(open_dialog)
                return open_dialog
        try:
            shared = read_shared(path)
        except LabTunnelError as exc:
            log.warning("lab profile %s refused: %s", path.name, exc)
            self.show_message(
                translate("Windows", "Import lab profile"),
                error_text(exc),
                QMessageBox.Icon.Warning,
            )
            return None
        dialog = ImportProfileDialog(shared, path, self._profiles, self.background)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(self._lab_profile_imported)
        dialog.destroyed.connect(lambda: self._forget_import(dialog))
        self.import_dialogs.append(dialog)
        self._show(dialog)
        return dialog

    def _forget_import(self, dialog: ImportProfileDialog) -> None:
        if dialog in self.import_dialogs:
            self.import_dialogs.remove(dialog)

    def _lab_profile_imported(self, plan: ImportPlan) -> None:
        self.controller.profiles_changed()
        name = plan.profile.name
        question = translate(
            "Windows",
            "“{name}” was added. Its server identity is already checked. Connect now?",
        ).format(name=name)
        if self._confirm(translate("Windows", "Lab server added"), question):
            self.controller.connect_profile(plan.profile.id)

    def import_ssh_config(self) -> SshImportDialog:
        if not _is_open(self.ssh_import_dialog):
            dialog = SshImportDialog(
                self._profiles, self._read_config, self._default_user, self._ssh_config_path
            )
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.imported.connect(self._ssh_hosts_imported)
            dialog.destroyed.connect(lambda: self._forget("ssh_import_dialog", dialog))
            self.ssh_import_dialog = dialog
        assert self.ssh_import_dialog is not None
        self._show(self.ssh_import_dialog)
        return self.ssh_import_dialog

    def _ssh_hosts_imported(self, added: list[HostProfile]) -> None:
        self.controller.profiles_changed()
        log.info("%d lab server(s) added from the SSH config", len(added))

    # --- settings -------------------------------------------------------------------

    def show_settings(self) -> SettingsDialog:
        if not _is_open(self.settings_dialog):
            dialog = SettingsDialog(
                self.settings_store,
                self.controller.profiles(),
                self.login_item,
                self.running_language,
            )
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.saved.connect(lambda _settings: self.controller.profiles_changed())
            dialog.destroyed.connect(lambda: self._forget("settings_dialog", dialog))
            self.settings_dialog = dialog
        assert self.settings_dialog is not None
        self._show(self.settings_dialog)
        return self.settings_dialog

    def _forget(self, attribute: str, dialog: QDialog) -> None:
        """A closed dialog is deleted a moment later; a newer one may have its place."""
        if getattr(self, attribute) is dialog:
            setattr(self, attribute, None)

    # --- from the password to a key, and back -------------------------------------------

    def use_key(self, profile_id: str) -> QDialog | None:
        """The menu's "Use a key instead of my password…": the dialog for that profile."""
        return self._key_dialog(profile_id, UseKeyDialog)

    def use_password(self, profile_id: str) -> QDialog | None:
        """The menu's "Sign in with my password again…" (takes LabTunnel's key off)."""
        return self._key_dialog(profile_id, RemoveKeyDialog)

    def _key_dialog(
        self, profile_id: str, kind: type[UseKeyDialog] | type[RemoveKeyDialog]
    ) -> QDialog | None:
        if self._key_setup is None:
            return None
        existing = self.key_dialogs.get(profile_id)
        if existing is not None and _is_open(existing) and isinstance(existing, kind):
            self._show(existing)
            return existing
        try:
            profile = self.controller.store.get(profile_id)
        except LabTunnelError as exc:
            self.show_message(translate("Windows", "Edit lab server"), error_text(exc))
            return None
        dialog = kind(profile, self._key_setup, self.background)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.profile_changed.connect(lambda _profile: self.controller.profiles_changed())
        dialog.destroyed.connect(lambda: self._forget_key_dialog(profile_id, dialog))
        self.key_dialogs[profile_id] = dialog
        self._show(dialog)
        return dialog

    def _forget_key_dialog(self, profile_id: str, dialog: QDialog) -> None:
        if self.key_dialogs.get(profile_id) is dialog:
            del self.key_dialogs[profile_id]

    def close_all(self) -> None:
        windows: list[QWidget | None] = [self.editor, self.servers, self.log_viewer]
        windows += list(self.key_dialogs.values())
        windows += [self.ssh_import_dialog, self.settings_dialog, *self.import_dialogs]
        windows += list(self.host_key_dialogs.values()) + list(self._boxes)
        windows.append(self.jupyter_dialog)
        for window in windows:
            # WA_DeleteOnClose windows may be gone already
            if window is not None and shiboken6.isValid(window):
                window.close()


def _login_name() -> str:
    """The user name on this computer: the usual guess for an SSH config host without User."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return ""


def _is_open(window: QWidget | None) -> bool:
    """Shown and not yet deleted: a closed one-of-a-kind window is made afresh, with
    current data, instead of shown again."""
    return window is not None and shiboken6.isValid(window) and window.isVisible()

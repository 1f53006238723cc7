"""Fills the tray menu (and the fallback window's menu) from the current state.

Called every time the menu is about to open, so it never shows a stale state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from labtunnel.core.events import ForwardState, TunnelState, TunnelStatus
from labtunnel.core.profiles.model import AuthMethod, HostProfile, JupyterSpec
from labtunnel.messages.slurm import describe_job, describe_queue, describe_starting
from labtunnel.messages.tunnel import describe_forward
from labtunnel.ui.controller import AppController
from labtunnel.ui.icons import tray_icon
from labtunnel.ui.jupyter_text import jupyter_lines, kernel_lines, kernel_report
from labtunnel.ui.login_item import LoginItem
from labtunnel.ui.state import BUSY_STATES, overall_state
from labtunnel.ui.stats_text import stats_lines
from labtunnel.ui.texts import error_text, message_text, state_text

translate = QCoreApplication.translate


@dataclass(frozen=True)
class MenuHandlers:
    """What the app-wide items do; the windows module provides them."""

    add_server: Callable[[], object]
    manage_servers: Callable[[], object]
    show_log: Callable[[], object]
    show_failure: Callable[[str], None]
    about: Callable[[], object]
    quit: Callable[[], None]
    #: switch launch at login; False when it could not be changed (the user was told)
    set_launch_at_login: Callable[[bool], bool]
    import_lab_profile: Callable[[], object]
    import_ssh_config: Callable[[], object]
    settings: Callable[[], object]
    #: "Shut down idle kernels…" for a profile
    shutdown_kernels: Callable[[str], object] = lambda _profile_id: None
    #: "Stop Jupyter" of a Slurm profile: ask, then cancel its job
    stop_job: Callable[[str], object] = lambda _profile_id: None
    #: "Use a key instead of my password…" and back for a profile; None: not offered
    use_key: Callable[[str], object] | None = None
    use_password: Callable[[str], object] | None = None


def fill_menu(
    menu: QMenu, controller: AppController, handlers: MenuHandlers, login_item: LoginItem
) -> None:
    for old in menu.findChildren(QMenu):
        old.deleteLater()  # last time's submenus
    menu.clear()
    profiles = controller.profiles()
    if len(profiles) == 1:
        _profile_items(menu, profiles[0], controller, handlers, single=True)
        menu.addSeparator()
    elif profiles:
        for profile in profiles:
            status = controller.status(profile.id)
            sub = QMenu(profile.name, menu)
            sub.setIcon(tray_icon(overall_state([status]), template=False))
            sub.menuAction().setToolTip(state_text(status))
            _profile_items(sub, profile, controller, handlers, single=False)
            menu.addMenu(sub)
        menu.addSeparator()
    _add(menu, translate("TrayMenu", "Add lab server…"), handlers.add_server)
    _add(menu, translate("TrayMenu", "Import lab profile…"), handlers.import_lab_profile)
    _add(menu, translate("TrayMenu", "Import from SSH config…"), handlers.import_ssh_config)
    if profiles:
        _add(menu, translate("TrayMenu", "Manage servers…"), handlers.manage_servers)
    _add(menu, translate("TrayMenu", "Show log"), handlers.show_log)
    menu.addSeparator()
    _add(menu, translate("TrayMenu", "Settings…"), handlers.settings)
    _login_item_action(menu, login_item, handlers)
    _add(menu, translate("TrayMenu", "About LabTunnel"), handlers.about)
    _add(menu, translate("TrayMenu", "Quit LabTunnel"), handlers.quit)


def _add(menu: QMenu, text: str, slot: Callable[[], object], enabled: bool = True) -> QAction:
    action = menu.addAction(text)
    action.triggered.connect(lambda _checked=False: slot())
    action.setEnabled(enabled)
    return action


def _info(menu: QMenu, text: str) -> QAction:
    action = menu.addAction(text)
    action.setEnabled(False)
    return action


def _profile_items(
    menu: QMenu,
    profile: HostProfile,
    controller: AppController,
    handlers: MenuHandlers,
    single: bool,
) -> None:
    pid = profile.id
    status = controller.status(pid)
    state = status.state
    name = profile.name
    if state in (TunnelState.DISCONNECTED, TunnelState.FAILED):
        connect_text = (
            translate("TrayMenu", "Connect to {name}").format(name=name)
            if single
            else translate("TrayMenu", "Connect")
        )
        connect = _add(menu, connect_text, lambda: controller.connect_profile(pid))
        menu.setDefaultAction(connect)
        if not single:  # a profile's own submenu opening: a connect of it is likely
            menu.aboutToShow.connect(partial(controller.prepare_connect, pid))
        if state is TunnelState.FAILED:
            _info(menu, state_text(status))
            _add(
                menu, translate("TrayMenu", "What went wrong?"), lambda: handlers.show_failure(pid)
            )
        _sign_in_items(menu, profile, handlers)
        return
    _info(menu, _headline(status, single))
    if isinstance(profile.target, JupyterSpec) and profile.target.slurm is not None:
        _job_items(menu, status, controller, handlers)
        return
    if state is TunnelState.CONNECTED:
        opener = _add(
            menu, translate("TrayMenu", "Open in browser"), lambda: controller.open_in_browser(pid)
        )
        menu.setDefaultAction(opener)
        _add(menu, translate("TrayMenu", "Copy URL"), lambda: controller.copy_url(pid))
        _forward_items(menu, controller, status)
        _stats_items(menu, controller, pid)
        if profile.is_jupyter:
            _jupyter_items(menu, controller, handlers, status)
        menu.addSeparator()
        _add(menu, translate("TrayMenu", "Disconnect"), lambda: controller.disconnect_profile(pid))
        if profile.is_jupyter:
            _add(
                menu,
                translate("TrayMenu", "Stop Jupyter on server"),
                lambda: controller.stop_jupyter(pid),
            )
        _sign_in_items(menu, profile, handlers)
    elif state is TunnelState.JUPYTER_DOWN:
        _add(
            menu,
            translate("TrayMenu", "Start Jupyter again"),
            lambda: controller.start_jupyter_again(pid),
        )
        _add(menu, translate("TrayMenu", "Disconnect"), lambda: controller.disconnect_profile(pid))
    elif state is TunnelState.RECONNECTING:
        _add(menu, translate("TrayMenu", "Retry now"), controller.manager.network_changed)
        _add(menu, translate("TrayMenu", "Disconnect"), lambda: controller.disconnect_profile(pid))
    elif state in BUSY_STATES:
        _add(menu, translate("TrayMenu", "Cancel"), lambda: controller.disconnect_profile(pid))


def _job_items(
    menu: QMenu, status: TunnelStatus, controller: AppController, handlers: MenuHandlers
) -> None:
    """A profile whose Jupyter runs in a Slurm job: the job in words, and what can be done
    with it. Disconnecting never touches the job; stopping cancels it (after asking)."""
    pid, state, job = status.profile_id, status.state, status.job
    disconnect = translate("TrayMenu", "Disconnect (the job keeps running)")
    if state is TunnelState.CONNECTED:
        if job is not None:
            _info(menu, message_text(describe_job(job)))
        opener = _add(
            menu, translate("TrayMenu", "Open in browser"), lambda: controller.open_in_browser(pid)
        )
        menu.setDefaultAction(opener)
        _add(menu, translate("TrayMenu", "Copy URL"), lambda: controller.copy_url(pid))
        _jupyter_items(menu, controller, handlers, status)
        menu.addSeparator()
        _add(menu, disconnect, lambda: controller.disconnect_profile(pid))
        _add(menu, translate("TrayMenu", "Stop Jupyter (cancel the job)…"),
             lambda: handlers.stop_job(pid))  # fmt: skip
    elif state is TunnelState.JOB_ENDED:
        if status.error is not None:
            _info(menu, error_text(status.error))
        again = _add(
            menu,
            translate("TrayMenu", "Start a new job"),
            lambda: controller.start_jupyter_again(pid),
        )
        menu.setDefaultAction(again)
        _add(menu, translate("TrayMenu", "Disconnect"), lambda: controller.disconnect_profile(pid))
    elif job is not None and state in (TunnelState.QUEUED, TunnelState.STARTING_JUPYTER):
        words = describe_queue(job) if job.pending else describe_starting(job)
        _info(menu, message_text(words))
        # nothing runs in it yet: cancelling loses no work, so no question first
        _add(
            menu,
            translate("TrayMenu", "Cancel job {job}").format(job=job.job_id),
            lambda: controller.stop_jupyter(pid),
        )
        _add(
            menu,
            translate("TrayMenu", "Disconnect (the job stays in the queue)"),
            lambda: controller.disconnect_profile(pid),
        )
    elif state is TunnelState.RECONNECTING:
        _add(menu, translate("TrayMenu", "Retry now"), controller.manager.network_changed)
        _add(menu, disconnect, lambda: controller.disconnect_profile(pid))
    else:
        _add(menu, translate("TrayMenu", "Cancel"), lambda: controller.disconnect_profile(pid))


def _sign_in_items(menu: QMenu, profile: HostProfile, handlers: MenuHandlers) -> None:
    """From the password to a key, and back."""
    if profile.auth is AuthMethod.PASSWORD and handlers.use_key is not None:
        menu.addSeparator()
        _add(
            menu,
            translate("TrayMenu", "Use a key instead of my password…"),
            partial(handlers.use_key, profile.id),
        )
    elif profile.auth is AuthMethod.KEY and handlers.use_password is not None:
        menu.addSeparator()
        _add(
            menu,
            translate("TrayMenu", "Sign in with my password again…"),
            partial(handlers.use_password, profile.id),
        )


def _forward_items(menu: QMenu, controller: AppController, status: TunnelStatus) -> None:
    """An "Open TensorBoard" item and the like per extra forward; one that does not answer
    is shown greyed out, saying so, with the reason as its tooltip."""
    pid = status.profile_id
    for forward in status.forwards:
        name = forward.name
        if forward.state is ForwardState.ANSWERING or forward.state is ForwardState.UNKNOWN:
            action = _add(
                menu,
                translate("TrayMenu", "Open {name}").format(name=name),
                partial(controller.open_forward, pid, name),
            )
            action.setToolTip(forward.local_url or "")
            continue
        action = _info(menu, translate("TrayMenu", "{name}: not answering").format(name=name))
        problem = describe_forward(forward)
        if problem is not None:
            action.setToolTip(message_text(problem))


def _headline(status: TunnelStatus, single: bool) -> str:
    words = state_text(status)
    if not single:
        return words
    return translate("TrayMenu", "{name}: {state}").format(name=status.profile_name, state=words)


def _stats_items(menu: QMenu, controller: AppController, pid: str) -> None:
    event = controller.stats(pid)
    lines = stats_lines(event)
    if not lines:
        return
    menu.addSeparator()
    for line in lines:
        _info(menu, line)


def _jupyter_items(
    menu: QMenu, controller: AppController, handlers: MenuHandlers, status: TunnelStatus
) -> None:
    pid = status.profile_id
    event = controller.stats(pid)
    lines = jupyter_lines(status, event, short=True) + kernel_lines(event)
    if not lines:
        return
    menu.addSeparator()
    menu.setToolTipsVisible(True)
    for line in lines:
        action = _info(menu, line.text)
        if line.tooltip:
            action.setToolTip(line.tooltip)
    report = kernel_report(event)
    if report is not None and report.kernels:
        _add(
            menu,
            translate("TrayMenu", "Shut down idle kernels…"),
            lambda: handlers.shutdown_kernels(pid),
        )


def _login_item_action(menu: QMenu, login_item: LoginItem, handlers: MenuHandlers) -> None:
    action = menu.addAction(translate("TrayMenu", "Launch at login"))
    action.setCheckable(True)
    supported = login_item.is_supported()
    action.setEnabled(supported)
    action.setChecked(supported and login_item.is_enabled())

    def triggered(checked: bool) -> None:
        if not handlers.set_launch_at_login(checked):
            action.setChecked(not checked)  # setChecked does not trigger again

    action.triggered.connect(triggered)

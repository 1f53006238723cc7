"""What the menu's actions do, and what happens when core events arrive.

Lives on the GUI thread; events come in through the bridge's queued signal.
Windows are opened by :mod:`labtunnel.ui.windows` in answer to this object's
signals, so the logic here can be tested without showing any.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from labtunnel.core.errors import (
    HostKeyChanged,
    HostKeyUnknown,
    JumpHostFailed,
    JupyterNotFound,
    LabTunnelError,
)
from labtunnel.core.events import (
    JobEndingSoon,
    JupyterStopped,
    KernelsShutDown,
    StatsEvent,
    TestResult,
    TunnelState,
    TunnelStatus,
    TunnelWarning,
)
from labtunnel.core.platform.browser import BrowserOpener
from labtunnel.core.profiles.model import HostProfile, JupyterSpec
from labtunnel.core.profiles.store import ProfileStore
from labtunnel.ui.bridge import EventBridge
from labtunnel.ui.contracts import HostKeyTrust, SetClipboard, TunnelControl
from labtunnel.ui.notices import Notice, NoticeKind, NoticeTracker
from labtunnel.ui.settings import SettingsStore
from labtunnel.ui.stall import StallMeter
from labtunnel.ui.state import BUSY_STATES, TrayState, overall_state

log = logging.getLogger(__name__)

_ENDED = (TunnelState.FAILED, TunnelState.DISCONNECTED)
#: how often the server figures are fetched while a view shows them (each fetch runs a
#: command on the lab server and wakes the app a few dozen times: never while unseen)
STATS_EVERY_MS = 60_000
STATS_MIN_AGE_S = 15.0


def host_key_error(error: LabTunnelError | None) -> HostKeyUnknown | HostKeyChanged | None:
    """The host-key problem behind a failure, also when it was the jump host's."""
    while isinstance(error, JumpHostFailed):
        error = error.cause
    if isinstance(error, (HostKeyUnknown, HostKeyChanged)):
        return error
    return None


class AppController(QObject):
    #: tunnel states, stats or profiles changed: refresh icon, tooltip, fallback window
    changed = Signal()
    #: a notification to show (Notice)
    notice = Signal(object)
    #: a TestResult for the profile editor
    test_result = Signal(object)
    #: (profile_id, HostKeyUnknown | HostKeyChanged): ask or warn the user
    host_key_problem = Signal(str, object)
    #: (profile_id, JupyterNotFound with candidates): let the user pick one
    jupyter_missing = Signal(str, object)
    #: fresh server figures arrived (profile_id); ``changed`` follows
    stats_received = Signal(str)
    #: the browser could not be opened (profile_id, what went wrong): say so
    browser_failed = Signal(str, str)

    def __init__(
        self,
        manager: TunnelControl,
        store: ProfileStore,
        hostkeys: HostKeyTrust,
        bridge: EventBridge,
        browser: BrowserOpener,
        set_clipboard: SetClipboard,
        stall_meter: StallMeter | None = None,
        clock: Callable[[], float] = time.monotonic,
        settings: SettingsStore | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.manager = manager
        self.store = store
        self.settings = settings or SettingsStore(store)
        self._hostkeys = hostkeys
        self._browser = browser
        self._set_clipboard = set_clipboard
        self._clock = clock
        self._notices = NoticeTracker()
        self._stats: dict[str, StatsEvent] = {}
        self._stats_asked: dict[str, float] = {}
        self._open_when_connected: set[str] = set()
        self._stopping_jupyter: set[str] = set()
        #: warnings heard while connecting, told with the "connected" notice
        self._warnings: dict[str, LabTunnelError] = {}
        self._measuring: set[str] = set()
        self._stats_views: list[Callable[[], bool]] = []
        #: measures GUI stalls during connects; only when asked for (debugging, tests)
        self.stall_meter = stall_meter
        self.last_connect_stall_ms: float | None = None
        self.last_connect_busy_ms: float | None = None
        self._closed = False
        self._closer: threading.Thread | None = None
        bridge.event_received.connect(self._on_event, Qt.ConnectionType.QueuedConnection)
        self._stats_timer = QTimer(self)
        self._stats_timer.setInterval(STATS_EVERY_MS)
        self._stats_timer.timeout.connect(self._refresh_shown_stats)
        self._stats_timer.start()

    # --- reading state ------------------------------------------------------------

    def profiles(self) -> list[HostProfile]:
        return self.store.profiles()

    def status(self, profile_id: str) -> TunnelStatus:
        return self.manager.status(profile_id)

    def statuses(self) -> list[TunnelStatus]:
        return [self.manager.status(p.id) for p in self.profiles()]

    def overall(self) -> TrayState:
        return overall_state(self.statuses())

    def stats(self, profile_id: str) -> StatsEvent | None:
        return self._stats.get(profile_id)

    # --- actions ------------------------------------------------------------------

    def connect_profile(self, profile_id: str, open_browser: bool = True) -> None:
        if open_browser:
            self._open_when_connected.add(profile_id)
        self._start_measuring(profile_id)
        self.manager.connect(profile_id)
        self.changed.emit()

    def prepare_connect(self, profile_id: str) -> None:
        """A menu with "Connect" for the profile opened: the core may log in ahead."""
        if self._live_state(profile_id) in (TunnelState.DISCONNECTED, TunnelState.FAILED):
            self.manager.prepare(profile_id)

    def menu_opened(self) -> None:
        """The tray menu opened; with one profile, its "Connect" is right there."""
        profiles = self.profiles()
        if len(profiles) == 1:
            self.prepare_connect(profiles[0].id)

    def disconnect_profile(self, profile_id: str) -> None:
        self._open_when_connected.discard(profile_id)
        self.manager.disconnect(profile_id)

    def stop_jupyter(self, profile_id: str) -> None:
        self._open_when_connected.discard(profile_id)
        self._stopping_jupyter.add(profile_id)
        self.manager.stop_jupyter(profile_id)

    def shutdown_kernels(self, profile_id: str, kernel_ids: Sequence[str]) -> None:
        if kernel_ids:
            self.manager.shutdown_kernels(profile_id, kernel_ids)

    def start_jupyter_again(self, profile_id: str) -> None:
        self._open_when_connected.add(profile_id)
        self.manager.start_jupyter_again(profile_id)

    def open_in_browser(self, profile_id: str) -> bool:
        url = self.status(profile_id).local_url
        if not url:
            return False
        return self._open_in_browser(profile_id, url)

    def _open_in_browser(self, profile_id: str, url: str) -> bool:
        """Jupyter's URL holds its token: the browser gets a private page that goes on to
        it (core.platform.browser), so the token is on no command line."""
        try:
            self._browser.open(url, key=profile_id)
        except OSError as exc:
            log.error("could not open the browser: %s", exc)
            self.browser_failed.emit(profile_id, exc.strerror or str(exc))
            return False
        return True

    def open_forward(self, profile_id: str, name: str) -> bool:
        """Open an extra forward (TensorBoard...) of a connected profile in the browser."""
        for forward in self.status(profile_id).forwards:
            if forward.name == name and forward.local_url:
                return self._open_in_browser(profile_id, forward.local_url)
        return False

    def copy_url(self, profile_id: str) -> bool:
        url = self.status(profile_id).local_url
        if not url:
            return False
        self._set_clipboard(url)
        return True

    def trust_and_connect(self, profile_id: str, error: HostKeyUnknown) -> None:
        """Raises LabTunnelError (e.g. HostKeyChanged, file unwritable) for the caller to show."""
        self._hostkeys.trust(error.host, error.port, error.key_type, error.key_base64)
        log.info("trusted %s host key of %s:%s", error.key_type, error.host, error.port)
        self.connect_profile(profile_id)

    def use_jupyter(self, profile_id: str, env: str) -> None:
        """Remember where Jupyter is and connect again. Raises LabTunnelError (store)."""
        profile = self.store.get(profile_id)
        target = profile.target
        if not isinstance(target, JupyterSpec):
            return
        self.store.update(profile.with_changes(target=replace(target, env=env)))
        log.info("%s: Jupyter environment set to a found candidate", profile.name)
        self.changed.emit()
        self.connect_profile(profile_id)

    def default_profile(self) -> HostProfile | None:
        """The one chosen in Settings, else the first (also when the chosen one is gone)."""
        profiles = self.profiles()
        chosen = self.settings.get().default_profile
        for profile in profiles:
            if profile.id == chosen:
                return profile
        return profiles[0] if profiles else None

    def primary_action(self) -> None:
        """Double click on the tray icon: open the default profile, connecting if needed."""
        profile = self.default_profile()
        if profile is None:
            return
        status = self.status(profile.id)
        if status.state is TunnelState.CONNECTED:
            self.open_in_browser(profile.id)
        elif status.state not in BUSY_STATES:
            self.connect_profile(profile.id)

    def watch_stats(self, on_screen: Callable[[], bool]) -> None:
        """A view that shows the server figures: while ``on_screen()`` says True for
        any of them, the figures are fetched again every minute."""
        self._stats_views.append(on_screen)

    def _refresh_shown_stats(self) -> None:
        if any(on_screen() for on_screen in self._stats_views):
            self.refresh_stats()

    def refresh_stats(self, profile_id: str | None = None, force: bool = True) -> None:
        ids = [profile_id] if profile_id else [p.id for p in self.profiles()]
        now = self._clock()
        for pid in ids:
            if self.status(pid).state is not TunnelState.CONNECTED:
                continue
            if not force and now - self._stats_asked.get(pid, -1e9) < STATS_MIN_AGE_S:
                continue
            self._stats_asked[pid] = now
            self.manager.refresh_stats(pid)

    def profiles_changed(self, removed_id: str | None = None) -> None:
        if removed_id is not None:
            self._stats.pop(removed_id, None)
            self._notices.forget(removed_id)
        self.changed.emit()

    def close(self, timeout: float = 5.0) -> None:
        """Stops every tunnel; the waiting for the core's threads (up to ``timeout`` each)
        happens in a thread of its own, never on the GUI thread. Idempotent; see
        :meth:`wait_closed`."""
        if self._closed:
            return
        self._closed = True
        self._stats_timer.stop()
        if self.stall_meter is not None:
            self.stall_meter.stop()
        self._browser.close()
        self._closer = threading.Thread(
            target=self.manager.close, args=(timeout,), name="closing", daemon=True
        )
        self._closer.start()

    def wait_closed(self, timeout: float) -> bool:
        """After :meth:`close`: wait (not on a GUI that still runs!) until the core's
        threads have ended; True when they did within ``timeout``."""
        closer = self._closer
        if closer is None:
            return True
        closer.join(timeout)
        return not closer.is_alive()

    # --- events -------------------------------------------------------------------

    def _on_event(self, event: object) -> None:
        if self._closed:
            return
        if isinstance(event, TunnelStatus):
            self._on_status(event)
        elif isinstance(event, StatsEvent):
            self._stats[event.profile_id] = event
            self.stats_received.emit(event.profile_id)
            self.changed.emit()
        elif isinstance(event, TestResult):
            self.test_result.emit(event)
        elif isinstance(event, JupyterStopped):
            self._on_jupyter_stopped(event)
        elif isinstance(event, KernelsShutDown):
            self._on_kernels_shut_down(event)
        elif isinstance(event, JobEndingSoon):
            name = self._name_of(event.profile_id)
            self.notice.emit(
                Notice(
                    NoticeKind.JOB_ENDING,
                    event.profile_id,
                    name,
                    job_id=event.job_id,
                    seconds_left=event.seconds_left,
                )
            )
        elif isinstance(event, TunnelWarning):
            self._on_warning(event)

    def _on_warning(self, event: TunnelWarning) -> None:
        pid = event.profile_id
        # the state this thread handled last: a "connected" still on its way takes it along
        if self._notices.last_state(pid) is TunnelState.CONNECTED:
            self.notice.emit(
                Notice(NoticeKind.CONNECTED_WARNING, pid, event.profile_name, event.warning)
            )
        else:
            self._warnings[pid] = event.warning

    def _on_status(self, status: TunnelStatus) -> None:
        pid = status.profile_id
        notice = self._notices.update(status)
        warning = self._warnings.pop(pid, None) if status.state is TunnelState.CONNECTED else None
        if notice is not None and warning is not None:
            notice = replace(notice, kind=NoticeKind.CONNECTED_WARNING, error=warning)
        # a connected tunnel says so again when an extra forward changes: no new fetch then
        if status.state is TunnelState.CONNECTED and notice is not None:
            self._finish_measuring(pid)
            self.refresh_stats(pid)
            if pid in self._open_when_connected:
                self._open_when_connected.discard(pid)
                if status.local_url:
                    self._open_in_browser(pid, status.local_url)
        quiet = False
        if status.state in _ENDED and self._live_state(pid) in _ENDED:
            # stopping Jupyter disconnects too: its own notice says what happened
            quiet = pid in self._stopping_jupyter and status.state is TunnelState.DISCONNECTED
            self._stopping_jupyter.discard(pid)
            self._warnings.pop(pid, None)
            self._open_when_connected.discard(pid)
            self._finish_measuring(pid)
            self._stats.pop(pid, None)
            self._browser.forget(pid)  # its page holds the token of a tunnel now gone
        failed = status.state is TunnelState.FAILED
        problem = host_key_error(status.error) if failed else None
        if problem is not None:
            self.host_key_problem.emit(pid, problem)
        elif failed and isinstance(status.error, JupyterNotFound) and status.error.candidates:
            self.jupyter_missing.emit(pid, status.error)
        elif notice is not None and not quiet:
            self.notice.emit(notice)
        self.changed.emit()

    def _live_state(self, profile_id: str) -> TunnelState:
        """The manager's state now: an "ended" event that arrives after a new connect
        began belongs to the previous tunnel and must not cancel the new one's plans."""
        try:
            return self.manager.status(profile_id).state
        except LabTunnelError:
            return TunnelState.DISCONNECTED

    def _on_jupyter_stopped(self, event: JupyterStopped) -> None:
        name = self._name_of(event.profile_id)
        kind = NoticeKind.STOP_FAILED if event.error is not None else NoticeKind.JUPYTER_STOPPED
        self.notice.emit(Notice(kind, event.profile_id, name, event.error))

    def _on_kernels_shut_down(self, event: KernelsShutDown) -> None:
        name = self._name_of(event.profile_id)
        failed = bool(event.failed) or event.error is not None
        kind = NoticeKind.KERNELS_NOT_SHUT_DOWN if failed else NoticeKind.KERNELS_SHUT_DOWN
        self.notice.emit(Notice(kind, event.profile_id, name, event.error, count=len(event.done)))

    def _name_of(self, profile_id: str) -> str:
        for profile in self.profiles():
            if profile.id == profile_id:
                return profile.name
        return profile_id

    # --- measuring the GUI's responsiveness during a connect ------------------------

    def _start_measuring(self, profile_id: str) -> None:
        if self.stall_meter is None:
            return
        if not self._measuring:
            self.stall_meter.start()
        self._measuring.add(profile_id)

    def _finish_measuring(self, profile_id: str) -> None:
        if self.stall_meter is None or profile_id not in self._measuring:
            return
        self._measuring.discard(profile_id)
        if not self._measuring:
            self.stall_meter.stop()
            self.last_connect_stall_ms = self.stall_meter.longest_ms
            self.last_connect_busy_ms = self.stall_meter.longest_busy_ms
            log.info(
                "longest GUI stall during connect: %.1f ms (GUI thread busy at most %.1f ms)",
                self.last_connect_stall_ms,
                self.last_connect_busy_ms,
            )

"""A tunnel's extra forwards (TensorBoard, a dashboard...) beside Jupyter, on the same SSH
session: one :class:`LocalForwarder` each, started once and kept across reconnects, each on
the local port it had last time (remembered by name).

A forward whose address on the server does not answer is reported as such
(:class:`ForwardState`) and nothing else happens: the tunnel, Jupyter and the other
forwards go on. Its local port stays open, so the browser tab finds it once it answers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import paramiko

from labtunnel.core.errors import ForwardingRefused, ForwardRefusal, LabTunnelError
from labtunnel.core.events import ForwardState, ForwardStatus
from labtunnel.core.profiles.model import NamedForward
from labtunnel.core.profiles.remembered import RememberedServers
from labtunnel.core.tunnel.forwarder import ForwardLimits, LocalForwarder

log = logging.getLogger(__name__)

#: opens a direct-tcpip channel: (destination, origin) -> channel; raises ForwardingRefused
ChannelOpener = Callable[[tuple[str, int], tuple[str, int]], paramiko.Channel]
#: checks one destination now: opens a channel to it and closes it again
Prober = Callable[[tuple[str, int]], None]


def _state_for(refused: ForwardingRefused) -> ForwardState:
    """A prohibited address (PermitOpen) or one where nothing listens."""
    if refused.reason is ForwardRefusal.PROHIBITED:
        return ForwardState.PROHIBITED
    return ForwardState.NOT_ANSWERING


class _Extra:
    def __init__(self, spec: NamedForward) -> None:
        self.spec = spec
        self.forwarder: LocalForwarder | None = None
        self.state = ForwardState.UNKNOWN

    @property
    def destination(self) -> tuple[str, int]:
        return (self.spec.host.strip(), self.spec.port)

    def status(self) -> ForwardStatus:
        return ForwardStatus(
            name=self.spec.name,
            remote_host=self.spec.host.strip(),
            remote_port=self.spec.port,
            local_port=self.forwarder.port if self.forwarder is not None else None,
            state=self.state,
        )


class ExtraForwards:
    """Thread-safe. ``on_change`` is called (on a forwarder's thread) when a browser's
    connection shows that a forward's state changed; the owner then reports it."""

    def __init__(
        self,
        profile_id: str,
        forwards: tuple[NamedForward, ...],
        remembered: RememberedServers,
        open_channel: ChannelOpener,
        on_change: Callable[[], None],
        thread_name: str = "extra",
        limits: ForwardLimits | None = None,
    ) -> None:
        self._profile_id = profile_id
        self._remembered = remembered
        self._open_channel = open_channel
        self._on_change = on_change
        self._thread_name = thread_name
        self._limits = limits
        self._lock = threading.Lock()
        self._extras = [_Extra(spec) for spec in forwards]

    def __bool__(self) -> bool:
        return bool(self._extras)

    def start(self) -> None:
        """Open the local port of every forward that has none yet (idempotent)."""
        for index, extra in enumerate(self._extras):
            if extra.forwarder is not None:
                continue
            try:
                extra.forwarder = self._listen(extra, index)
            except (LabTunnelError, OSError) as error:
                log.warning("extra forward %d: no local port: %s", index + 1, error)
                with self._lock:
                    extra.state = ForwardState.NO_LOCAL_PORT

    def _listen(self, extra: _Extra, index: int) -> LocalForwarder:
        name = extra.spec.name
        remembered = self._remembered.forward_port(self._profile_id, name)
        last_error: Exception | None = None

        def open_channel(_to: tuple[str, int], origin: tuple[str, int]) -> paramiko.Channel:
            return self._open(extra, origin)

        def on_error(error: Exception) -> None:
            self._on_error(extra, error)

        for port in dict.fromkeys((remembered or 0, 0)):
            forwarder = LocalForwarder(
                open_channel,
                extra.destination,
                local_port=port,
                name=f"{self._thread_name}{index + 1}",
                on_error=on_error,
                limits=self._limits,
            )
            try:
                forwarder.start()
            except LabTunnelError as error:  # the remembered port is taken now
                last_error = error
                continue
            self._remembered.remember_forward_port(self._profile_id, name, forwarder.port)
            return forwarder
        assert last_error is not None
        raise last_error

    def probe(self, prober: Prober) -> bool:
        """Check every forward's address on the server now; True when a state changed.
        A lost session raises (SessionLost) for the tunnel to handle."""
        changed = False
        for extra in self._extras:
            if extra.forwarder is None:
                continue
            try:
                prober(extra.destination)
            except ForwardingRefused as refused:
                changed |= self._set(extra, _state_for(refused))
            else:
                changed |= self._set(extra, ForwardState.ANSWERING)
        return changed

    def statuses(self) -> tuple[ForwardStatus, ...]:
        with self._lock:
            return tuple(extra.status() for extra in self._extras)

    def close(self) -> None:
        for extra in self._extras:
            forwarder, extra.forwarder = extra.forwarder, None
            if forwarder is None:
                continue
            try:
                forwarder.close()
                if not forwarder.wait_closed(5.0):
                    log.warning("extra forward threads still running after 5 s")
            except Exception:
                log.exception("closing an extra forward failed")

    # --- a browser's connection ---------------------------------------------------------

    def _open(self, extra: _Extra, origin: tuple[str, int]) -> paramiko.Channel:
        channel = self._open_channel(extra.destination, origin)
        if self._set(extra, ForwardState.ANSWERING):
            self._on_change()
        return channel

    def _on_error(self, extra: _Extra, error: Exception) -> None:
        log.info("extra forward %r: a connection failed: %s", extra.spec.name, error)
        if isinstance(error, ForwardingRefused) and self._set(extra, _state_for(error)):
            self._on_change()

    def _set(self, extra: _Extra, state: ForwardState) -> bool:
        with self._lock:
            if extra.state is state:
                return False
            extra.state = state
            return True

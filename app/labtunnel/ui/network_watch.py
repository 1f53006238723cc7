"""Tells the core when the network comes back, so lost tunnels reconnect at once
instead of waiting for their next retry (Qt knows this; the core has no Qt)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QNetworkInformation

log = logging.getLogger(__name__)


class NetworkWatch(QObject):
    def __init__(self, network_changed: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._network_changed = network_changed
        self._last: QNetworkInformation.Reachability | None = None
        self.active = False

    def start(self) -> bool:
        """False when the platform has no network-information backend (then tunnels
        still notice by themselves, a little later)."""
        if not QNetworkInformation.loadDefaultBackend():
            log.info("no network information backend: not watching the network")
            return False
        info = QNetworkInformation.instance()
        self._last = info.reachability()
        info.reachabilityChanged.connect(self.reachability_changed)
        self.active = True
        return True

    def reachability_changed(self, reachability: QNetworkInformation.Reachability) -> None:
        was, self._last = self._last, reachability
        online = reachability is QNetworkInformation.Reachability.Online
        if online and was is not QNetworkInformation.Reachability.Online:
            log.info("network is back: reconnecting lost tunnels now")
            self._network_changed()

"""Measures how long the GUI event loop stalls: a 5 ms timer records the gaps between ticks."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer


class StallMeter(QObject):
    """``longest_ms`` is the longest gap between two ticks minus the interval since
    :meth:`start` or :meth:`reset`: how long the loop could not run a timer.

    ``longest_busy_ms`` is the most CPU time the GUI thread itself used between two
    ticks. On a loaded machine the wall-clock gap also counts time the thread waited
    for a CPU or the GIL; the busy figure shows whether the GUI thread's own work
    was the cause.
    """

    def __init__(
        self,
        interval_ms: int = 5,
        clock: Callable[[], float] = time.perf_counter,
        cpu_clock: Callable[[], float] = time.thread_time,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._interval_ms = interval_ms
        self._clock = clock
        self._cpu_clock = cpu_clock
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self._last_cpu = 0.0
        self._longest_gap_s = 0.0
        self._longest_busy_s = 0.0
        self._ticks = 0

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    @property
    def longest_ms(self) -> float:
        return max(0.0, self._longest_gap_s * 1000.0 - self._interval_ms)

    @property
    def longest_busy_ms(self) -> float:
        return self._longest_busy_s * 1000.0

    @property
    def ticks(self) -> int:
        return self._ticks

    def start(self) -> None:
        self.reset()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def reset(self) -> None:
        self._last = self._clock()
        self._last_cpu = self._cpu_clock()
        self._longest_gap_s = 0.0
        self._longest_busy_s = 0.0
        self._ticks = 0

    def _tick(self) -> None:
        now = self._clock()
        cpu = self._cpu_clock()
        self._longest_gap_s = max(self._longest_gap_s, now - self._last)
        self._longest_busy_s = max(self._longest_busy_s, cpu - self._last_cpu)
        self._last = now
        self._last_cpu = cpu
        self._ticks += 1

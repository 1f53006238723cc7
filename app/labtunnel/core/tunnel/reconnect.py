"""When a lost tunnel tries again: exponential backoff with jitter, short while a loss is
fresh. The reconnect loop itself is :meth:`labtunnel.core.tunnel.tunnel.Tunnel._loop`."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class ReconnectPolicy:
    """Exponential backoff with jitter, kept short while a loss is fresh: most
    losses (Wi-Fi hand-over, sleep, a restarted sshd) heal within minutes, and
    the open browser tab should recover within seconds of the network."""

    first_delay: float = 1.0
    #: the cap during the first ``fresh_period`` seconds of a loss, then ``max_delay``
    fresh_max_delay: float = 3.0
    fresh_period: float = 300.0
    max_delay: float = 30.0
    #: a delay is drawn from [delay * (1 - jitter), delay]
    jitter: float = 0.3
    #: connect timeout while reconnecting: short, so a returning network is found soon
    reconnect_timeout: float = 5.0
    #: how often an idle connected tunnel checks that Jupyter still answers. A request
    #: that finds Jupyter gone (an open JupyterLab tab polls every few seconds) makes it
    #: check at once; the timer is for when nobody uses the tunnel, and each check wakes
    #: four threads of the idle app (docs/benchmarks.md)
    health_interval: float = 60.0
    #: how often a tunnel to Jupyter in a Slurm job asks Slurm about the job (its node
    #: may fail while Jupyter's process still answers)
    job_interval: float = 60.0
    #: a tunnel warns this long before its Slurm job's time limit ends it
    job_warning: float = 600.0

    def delay(self, attempt: int, lost_for: float, rng: random.Random) -> float:
        cap = self.fresh_max_delay if lost_for < self.fresh_period else self.max_delay
        base = min(cap, self.first_delay * 2.0 ** max(0, attempt - 1))
        return base * (1 - self.jitter * rng.random())

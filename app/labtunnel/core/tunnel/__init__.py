"""One tunnel per profile: its state machine and reconnect loop, the local forwarder, and
the manager front ends talk to."""

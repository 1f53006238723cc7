"""What the lab server is doing: GPUs, CPU load, memory (the tray's at-a-glance lines)."""

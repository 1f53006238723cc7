"""The frozen app's entry point: ``labtunnel`` with no arguments starts the tray.

``--self-test`` is answered here too, before any other code runs, so a bundle can be
checked even when something in the command line front end is broken.
"""

from __future__ import annotations

import sys


def _main() -> int:
    if sys.argv[1:] == ["--self-test"]:
        from labtunnel.selftest import run_self_test

        return run_self_test()
    from labtunnel.cli import main

    return main()


if __name__ == "__main__":
    raise SystemExit(_main())

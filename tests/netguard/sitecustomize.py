"""Installs the loopback guard in every Python process started with this folder on PYTHONPATH.

``conftest.py`` puts this folder on ``PYTHONPATH`` for the whole test session, so the CLI and any
other child Python process a test starts runs guarded too. A guard that cannot be installed stops
the process (exit 70) instead of letting it run unguarded: Python would otherwise only print
"Error in sitecustomize" and carry on.
"""

from __future__ import annotations

import os
import sys

try:
    from loopback_guard import install_loopback_guard

    install_loopback_guard()
except BaseException as exc:  # any failure, even SystemExit, must stop the process
    sys.stderr.write(
        f"tests/netguard/sitecustomize.py: cannot install the loopback guard: {exc!r}\n"
    )
    sys.stderr.flush()
    os._exit(70)

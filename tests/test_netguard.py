"""The loopback guard covers child processes too: the CLI a test runs cannot leave 127.0.0.1.

Every probe is built so that no packet can leave even if the guard were missing: the guard's
presence is checked first, and the first connection attempted is a UDP ``connect()``, which
sends nothing on the wire (it only records the peer). TEST-NET-1 (192.0.2.0/24) is reserved
for documentation and routes nowhere.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from conftest import GUARD_DIR

OFF_LOOPBACK = "192.0.2.1"

PROBE = f"""
import socket, sys, time
if not getattr(socket.getaddrinfo, "loopback_guard", False):
    print("UNGUARDED")
    sys.exit(3)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    udp.connect(("{OFF_LOOPBACK}", 9))  # a UDP connect() sends no packet, guarded or not
except Exception as exc:
    print("udp", type(exc).__name__, exc)
else:
    print("udp CONNECTED")
    sys.exit(4)
# the guard refuses this address (just shown): a TCP connect is now safe to try
tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp.settimeout(5)
started = time.monotonic()
try:
    tcp.connect(("{OFF_LOOPBACK}", 9))
except Exception as exc:
    print("tcp", type(exc).__name__, round(time.monotonic() - started, 3), exc)
else:
    print("tcp CONNECTED")
    sys.exit(4)
"""


def test_a_child_python_process_cannot_connect_off_loopback(
    child_env: Callable[..., dict[str, str]], run_cli: Callable, tmp_path: Path
) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=child_env({"PYTHONPATH": str(tmp_path)}),  # a caller's own PYTHONPATH keeps the guard
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    udp, tcp = proc.stdout.splitlines()
    assert udp.startswith("udp ForbiddenNetworkAccess connection to ('192.0.2.1', 9) refused")
    name, seconds, *_ = tcp.split()[1:]
    assert name == "ForbiddenNetworkAccess" and float(seconds) < 0.5  # refused, not timed out

    # the CLI itself, started by run_cli, is refused by the guard as well
    started = time.monotonic()
    cli = run_cli(
        "verify", "--repo", "org/news", "--revision", "v1.0.0", "--endpoint", "http://192.0.2.1:9"
    )
    assert cli.code != 0
    assert "ForbiddenNetworkAccess" in cli.stderr and "refused" in cli.stderr, cli.stderr
    assert "Traceback" not in cli.stderr
    assert time.monotonic() - started < 30  # no connect timeout was waited out


def test_a_child_that_cannot_install_the_guard_stops_instead_of_running_unguarded(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "guard"
    broken.mkdir()
    shutil.copy(GUARD_DIR / "sitecustomize.py", broken)  # without loopback_guard.py beside it
    proc = subprocess.run(
        [sys.executable, "-c", "print('ran')"],
        env={"PYTHONPATH": str(broken), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 70 and "ran" not in proc.stdout
    assert "cannot install the loopback guard" in proc.stderr

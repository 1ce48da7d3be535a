"""A socket guard that refuses any connection or name lookup off loopback, before any packet.

Standard library only, so ``sitecustomize.py`` next to it can install it in every child Python
process a test starts (the CLI through ``run_cli``, and any other launcher that inherits the
environment ``conftest.py`` sets), not only in the pytest process.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import Any

__all__ = ["ForbiddenNetworkAccess", "install_loopback_guard", "is_installed"]

_LOOPBACK_NAMES = frozenset({"", "localhost", "localhost.localdomain", "ip6-localhost"})


class ForbiddenNetworkAccess(RuntimeError):
    """A connection off loopback was attempted.

    Not an ``OSError`` on purpose: HTTP clients turn ``OSError`` into retried connection errors,
    which would hide the mistake behind back-off sleeps.
    """


def _is_loopback(host: str | bytes | None) -> bool:
    if host is None:
        return True  # passive lookup, as for bind()
    name = (host.decode() if isinstance(host, bytes) else host).strip("[]").split("%")[0]
    if name.lower() in _LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False  # any other host name: even resolving it would leak a DNS query
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _check_address(address: Any) -> None:
    if isinstance(address, (str, bytes, os.PathLike)):
        return  # AF_UNIX path
    if isinstance(address, tuple) and address and not _is_loopback(address[0]):
        raise ForbiddenNetworkAccess(
            f"connection to {address!r} refused: tests may only talk to 127.0.0.0/8 or ::1"
        )


def is_installed() -> bool:
    """Whether this process runs with the guard."""
    return bool(getattr(socket.getaddrinfo, "loopback_guard", False))


def install_loopback_guard() -> None:
    """Refuse, in this process, any connection, datagram or name lookup that is not loopback.

    Patches ``socket.socket.connect``/``connect_ex``/``sendto``/``sendmsg`` and
    ``socket.getaddrinfo``; ``socket.create_connection`` (what httpx uses) goes through
    ``getaddrinfo`` and ``connect``. The check runs before the real call, so nothing is sent.
    Idempotent.
    """
    if is_installed():
        return
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex
    sendto, sendmsg = socket.socket.sendto, socket.socket.sendmsg
    getaddrinfo = socket.getaddrinfo

    def guarded_connect(self: socket.socket, address: Any) -> None:
        _check_address(address)
        connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        _check_address(address)
        return connect_ex(self, address)

    def guarded_sendto(self: socket.socket, data: Any, *args: Any) -> int:
        _check_address(args[-1] if args else None)
        return sendto(self, data, *args)  # type: ignore[arg-type]

    def guarded_sendmsg(self: socket.socket, buffers: Any, *args: Any) -> int:
        if len(args) >= 3:
            _check_address(args[2])
        return sendmsg(self, buffers, *args)

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback(host):
            raise ForbiddenNetworkAccess(f"name lookup of {host!r} refused: tests stay on loopback")
        return getaddrinfo(host, *args, **kwargs)

    guarded_getaddrinfo.loopback_guard = True  # type: ignore[attr-defined]
    socket.socket.connect = guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = guarded_connect_ex  # type: ignore[method-assign]
    socket.socket.sendto = guarded_sendto  # type: ignore[method-assign,assignment]
    socket.socket.sendmsg = guarded_sendmsg  # type: ignore[method-assign]
    socket.getaddrinfo = guarded_getaddrinfo

"""Who holds a piece of background work: "host:pid" owners and heartbeat leases.

A process that dies leaves its rows claimed; they are taken back when the owner is a dead process
on this host, or when its heartbeat is older than the lease (any host).
"""
from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from rm_copilot.clock import as_utc, utc_now


def this_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_is_dead(owner: str | None) -> bool:
    """True only when the owner is a process of this host that no longer runs."""
    if not owner or ":" not in owner:
        return False
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def lease_expired(heartbeat_at: datetime | None, lease: timedelta, now: datetime | None = None) -> bool:
    if heartbeat_at is None:
        return True
    return (now or utc_now()) - as_utc(heartbeat_at) > lease


def has_passed(moment: datetime, now: datetime | None = None) -> bool:
    return as_utc(moment) < (now or utc_now())


def abandoned(owner: str | None, heartbeat_at: datetime | None, lease: timedelta) -> bool:
    return owner != this_owner() and (owner_is_dead(owner) or lease_expired(heartbeat_at, lease))

"""The one clock of the project: UTC instants.

The store keeps some timestamps naive (columns without a zone, read as UTC) and others with the zone;
both are written from `utc_now()`, and `as_utc` reads either kind back as an aware UTC instant.
"""
from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


def naive_utc_now() -> datetime:
    """Now in UTC without the zone, for the columns stored without one."""
    return utc_now().replace(tzinfo=None)


def as_utc(value: datetime) -> datetime:
    """An aware UTC datetime: a naive value is read as UTC, an aware one converted."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

"""One clock: every UTC instant in the code comes from rm_copilot.clock."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from rm_copilot.clock import as_utc, naive_utc_now, utc_now
from rm_copilot.config import PROJECT_ROOT

SOURCE = PROJECT_ROOT / "src" / "rm_copilot"


def test_utc_now_is_aware_and_naive_utc_now_is_the_same_instant_without_the_zone():
    aware, naive = utc_now(), naive_utc_now()
    assert aware.tzinfo is not None and aware.utcoffset() == timedelta(0)
    assert naive.tzinfo is None and abs(as_utc(naive) - aware) < timedelta(seconds=5)


def test_as_utc_reads_naive_values_as_utc_and_converts_aware_ones():
    assert as_utc(datetime(2026, 1, 2, 3, 4)) == datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    shanghai = timezone(timedelta(hours=8))
    converted = as_utc(datetime(2026, 1, 2, 11, 4, tzinfo=shanghai))
    assert converted.tzinfo == UTC and converted.hour == 3


def test_no_module_keeps_its_own_utc_clock():
    own_clock = re.compile(r"datetime\.(?:utc)?now\(|def _?utc_?now\(")
    offenders = [str(path.relative_to(SOURCE)) for path in SOURCE.rglob("*.py")
                 if path.name != "clock.py" and own_clock.search(path.read_text(encoding="utf-8"))]
    assert offenders == []

"""Date windows for searches: `--since 7d`, `--from/--to`, or '2026-11-16..2026-11-23'.

Windows are whole UTC days, both ends included, so that two runs on the same day ask arXiv
the same query (and the offline cache of a search can be found again).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from agent.errors import ConfigError

SINCE_RE = re.compile(r"^\s*(\d+)\s*([dw]?)\s*$", re.IGNORECASE)
DEFAULT_SINCE = "7d"


@dataclass(frozen=True)
class Window:
    """A range of submission dates, both ends included."""

    start: date
    end: date

    @property
    def label(self) -> str:
        """'2026-11-16..2026-11-23' (the form kept in run state)."""
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def arxiv_clause(self) -> str:
        """The arXiv API filter: `submittedDate:[YYYYMMDDHHMM TO YYYYMMDDHHMM]`."""
        return f"submittedDate:[{self.start:%Y%m%d}0000 TO {self.end:%Y%m%d}2359]"

    def contains(self, day: date | datetime | None) -> bool:
        if day is None:
            return False
        if isinstance(day, datetime):
            day = day.astimezone(UTC).date()
        return self.start <= day <= self.end

    @classmethod
    def parse(cls, text: str) -> Window:
        """'2026-11-16..2026-11-23' -> Window."""
        start, sep, end = text.partition("..")
        if not sep:
            raise ConfigError(f"invalid window {text!r}", "write it as YYYY-MM-DD..YYYY-MM-DD")
        return make_window(from_date=start, to_date=end)


def today() -> date:
    return datetime.now(UTC).date()


def parse_since(text: str) -> timedelta:
    """'7d' / '2w' / '30' (days) -> timedelta."""
    match = SINCE_RE.match(text or "")
    if not match or int(match.group(1)) <= 0:
        raise ConfigError(
            f"invalid --since {text!r}", "use a number of days or weeks, e.g. 7d, 30d or 2w"
        )
    n, unit = int(match.group(1)), (match.group(2) or "d").lower()
    return timedelta(days=n * (7 if unit == "w" else 1))


def parse_day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise ConfigError(
            f"invalid {option} {text!r}", "use a date like 2026-11-16 (YYYY-MM-DD)"
        ) from None


def make_window(
    since: str | None = None,
    from_date: str | date | None = None,
    to_date: str | date | None = None,
    now: date | None = None,
) -> Window:
    """The window from CLI options; none given means the last 7 days."""
    now = now or today()
    if since and (from_date or to_date):
        raise ConfigError("--since cannot be combined with --from/--to", "use one or the other")
    if from_date or to_date:
        start = from_date if isinstance(from_date, date) else None
        end = to_date if isinstance(to_date, date) else None
        if start is None and from_date:
            start = parse_day(str(from_date), "--from")
        if end is None and to_date:
            end = parse_day(str(to_date), "--to")
        end = end or now
        start = start or end - parse_since(DEFAULT_SINCE)
        if start > end:
            raise ConfigError(
                f"--from {start} is after --to {end}", "swap the dates or widen the window"
            )
        return Window(start, end)
    return Window(now - parse_since(since or DEFAULT_SINCE), now)

"""UTC day arithmetic: Kaggle's daily submission limits reset at 00:00 UTC."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def utc_day_start(moment: datetime | None = None) -> datetime:
    moment = (moment or now()).astimezone(UTC)
    return datetime.combine(moment.date(), time.min, tzinfo=UTC)


def next_utc_midnight(moment: datetime | None = None) -> datetime:
    return utc_day_start(moment) + timedelta(days=1)


def humanize_delta(delta: timedelta) -> str:
    """'3 h 12 min', '45 min', '12 s' for a positive delta."""
    seconds = max(0, int(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"

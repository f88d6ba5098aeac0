"""Durations as people write and read them: "10 min", "48 h", "1 h 30 min", "48小时", "1:30".

Pages show SLA durations and remaining time in hours and minutes — never in days, because a
business day of an office-hours calendar is not 24 hours.
"""

import datetime as dt
import re

from django.utils.dateparse import parse_duration
from django.utils.translation import gettext as _

_UNITS = {
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "天": 86400,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "小时": 3600,
    "时": 3600,
    "钟头": 3600,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "分钟": 60,
    "分": 60,
}
_PART = re.compile(
    r"(\d+(?:\.\d+)?)\s*(" + "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True)) + r")", re.IGNORECASE
)
_HOURS_MINUTES = re.compile(r"(\d+):([0-5]\d)")


def parse_duration_text(text: str) -> dt.timedelta | None:
    """The duration written in `text`, or None when it cannot be read.

    Accepts units (d, h, min and their English or Chinese words, combinable: "1 h 30 min",
    "1小时30分钟"), "H:MM", and Django's own "[D] HH:MM:SS". A bare number has no unit and is
    not guessed at.
    """
    text = (text or "").strip()
    if not text:
        return None
    compact = text.replace(" ", "")
    if _HOURS_MINUTES.fullmatch(compact):
        hours, minutes = _HOURS_MINUTES.fullmatch(compact).groups()
        return dt.timedelta(hours=int(hours), minutes=int(minutes))
    parts = list(_PART.finditer(compact))
    if parts and "".join(p.group(0) for p in parts) == compact:
        seconds = sum(float(p.group(1)) * _UNITS[p.group(2).lower()] for p in parts)
        return dt.timedelta(seconds=round(seconds))
    if ":" in text:
        return parse_duration(text)
    return None


def _hours_minutes(value: dt.timedelta) -> tuple[int, int]:
    minutes = int(abs(value).total_seconds() + 59) // 60  # round up: "1 min left", not "0 min"
    return divmod(minutes, 60)


def duration_input(value: dt.timedelta | None) -> str:
    """Language-neutral form of a duration that parse_duration_text reads back: "1h 30min"."""
    if value is None:
        return ""
    hours, minutes = _hours_minutes(value)
    if hours and minutes:
        return f"{hours}h {minutes}min"
    return f"{hours}h" if hours else f"{minutes}min"


def format_duration(value: dt.timedelta | None) -> str:
    """ "48 h", "1 h 30 min", "10 min" in the user's language; "—" for none."""
    if value is None:
        return "—"
    hours, minutes = _hours_minutes(value)
    if hours and minutes:
        text = _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    elif hours:
        text = _("%(hours)s h") % {"hours": hours}
    else:
        text = _("%(minutes)s min") % {"minutes": minutes}
    return f"-{text}" if value < dt.timedelta(0) else text

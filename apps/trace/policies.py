"""The numbers of field safety notices and the trace as named values, overridable in
settings.TRACE_POLICIES."""

from django.conf import settings

from apps.trace.choices import NoticeClass

_OVERRIDES = getattr(settings, "TRACE_POLICIES", {})

# Issue 5 / 医疗器械召回管理办法 §16: the holder informs the users within 1 day (class I),
# 3 days (class II) or 7 days (class III) of deciding the recall. Calendar days from issue.
NOTIFY_WITHIN_DAYS: dict[str, int] = {
    NoticeClass.CLASS_I: int(_OVERRIDES.get("CLASS_I_DAYS", 1)),
    NoticeClass.CLASS_II: int(_OVERRIDES.get("CLASS_II_DAYS", 3)),
    NoticeClass.CLASS_III: int(_OVERRIDES.get("CLASS_III_DAYS", 7)),
}

# The signed acknowledgement link /fsn/<token>/ (django.core.signing, salted for this only).
ACK_LINK_SALT = "trace.field-notice.ack"
# The customer's page opens in Chinese; English on request (?lang=en, remembered in a cookie).
PUBLIC_LANGUAGE = "zh-hans"
PUBLIC_LANGUAGES = ("zh-hans", "en")
LANGUAGE_COOKIE = "fsn_lang"

# Huey runs the reminder at 00:45 UTC = 08:45 in Shanghai, the start of the working day.
REMINDER_HOUR_UTC = 0
REMINDER_MINUTE = 45

# Rows per page of the delivery list and the notice board; how many rows a trace shows per
# section on the page (the Excel export has all of them).
PAGE_SIZE = 50
TRACE_SECTION_LIMIT = int(_OVERRIDES.get("TRACE_SECTION_LIMIT", 500))
# Lot numbers a search offers to choose from when several items share one.
LOT_CHOICES_LIMIT = 50
# A notice names at most this many serial numbers in its text field.
MAX_SERIAL_NUMBERS = 500

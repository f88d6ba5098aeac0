"""The outbox's numbers as named values, each overridable in settings (NOTIFY_…).

Read through the functions below (at call time), so that a deployment or a test may
change a value without re-importing anything.
"""

from datetime import timedelta

from django.conf import settings

# A message is tried this many times before it is given up ('failed'). With the back-off
# below the last try happens about half an hour after the first.
MAX_ATTEMPTS = 6
# Wait after the first failed attempt; doubled after every further failure …
BACKOFF_BASE_SECONDS = 60
# … but never longer than this.
BACKOFF_CAP_SECONDS = 60 * 60
# A row left in 'sending' this long belongs to a worker that died: it is handed out again.
STUCK_AFTER_MINUTES = 10
# Network timeout of one SMTP conversation or webhook call.
SEND_TIMEOUT_SECONDS = 10
# Rows the periodic sweep delivers per run (the rest waits for the next minute).
DUE_BATCH_SIZE = 200
# Longest body a WeCom robot accepts in a markdown message (bytes of UTF-8).
WECOM_MAX_BYTES = 4096
# DingTalk's documented limit is 20 000 bytes; keep a margin for the title and link.
DINGTALK_MAX_BYTES = 18000


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFY_MAX_ATTEMPTS", MAX_ATTEMPTS))


def backoff_base_seconds() -> int:
    return int(getattr(settings, "NOTIFY_BACKOFF_BASE_SECONDS", BACKOFF_BASE_SECONDS))


def backoff_cap_seconds() -> int:
    return int(getattr(settings, "NOTIFY_BACKOFF_CAP_SECONDS", BACKOFF_CAP_SECONDS))


def stuck_after() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "NOTIFY_STUCK_AFTER_MINUTES", STUCK_AFTER_MINUTES)))


def send_timeout_seconds() -> float:
    return float(getattr(settings, "NOTIFY_SEND_TIMEOUT_SECONDS", SEND_TIMEOUT_SECONDS))


def due_batch_size() -> int:
    return int(getattr(settings, "NOTIFY_DUE_BATCH_SIZE", DUE_BATCH_SIZE))


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failed ones: 60 s, 120 s, 240 s … capped at 1 h."""
    exponent = max(attempts - 1, 0)
    seconds = min(backoff_base_seconds() * (2**exponent), backoff_cap_seconds())
    return timedelta(seconds=seconds)

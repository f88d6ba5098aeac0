"""Writes of trending (SPEC CP-7): the thresholds (generic audited record writes), the daily scan
that raises signals, and the quality department's review of a signal (a CAPA opened and linked
through apps.complaints.services.capa_create, or no action with the reason)."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.accounts.choices import Role
from apps.core import writes
from apps.core.access import can
from apps.core.dates import add_months
from apps.core.exceptions import ConflictError
from apps.core.services import record_create, record_set_active, record_update
from apps.core.writes import in_default_language, lock, notify, staff
from apps.trending import policies, selectors
from apps.trending.choices import Decision, SignalState, Source
from apps.trending.models import TrendSignal, TrendThreshold

logger = logging.getLogger(__name__)

# Who hears of a new signal: the quality department (CP-7 feeds its CAPA process).
SIGNAL_RECIPIENTS = (Role.QUALITY,)


# --- thresholds ------------------------------------------------------------------------------


def threshold_create(*, actor, data, m2m=None) -> TrendThreshold:
    return record_create(model=TrendThreshold, actor=actor, data=data)


def threshold_update(*, actor, instance: TrendThreshold, data, expected_version, m2m=None) -> TrendThreshold:
    return record_update(instance=instance, actor=actor, data=data, expected_version=expected_version)


def threshold_set_active(
    *, actor, instance: TrendThreshold, active: bool, reason: str = "", expected_version=None
) -> TrendThreshold:
    return record_set_active(
        instance=instance, actor=actor, active=active, reason=reason, expected_version=expected_version
    )


# --- the scan --------------------------------------------------------------------------------


def _signal_text(signal: TrendSignal) -> tuple[str, str]:
    subject = _("Trend signal: %(value)s — %(count)s %(source)s in %(month)s") % {
        "value": signal.value_label,
        "count": signal.count,
        "source": str(Source(signal.source).label).lower(),
        "month": f"{signal.month:%Y-%m}",
    }
    body = "\n".join(
        [
            signal.threshold.label,
            signal.threshold.rule_text,
            _("Review it: open a CAPA, or record why no action is needed."),
        ]
    )
    return subject, body


def _raise(threshold: TrendThreshold, *, key: str, label: str, month: dt.date, count: int, at) -> TrendSignal | None:
    """The signal, or None when it exists already (unique per threshold, value and month: a rerun
    or a scan running twice at once raises nothing new)."""
    try:
        with transaction.atomic():
            signal = TrendSignal(
                threshold=threshold,
                source=threshold.source,
                dimension=threshold.dimension,
                value_key=key,
                value_label=label[:255],
                month=month,
                count=count,
                limit=threshold.count,
                raised_at=at,
            )
            signal.save()
    except IntegrityError:
        return None
    with in_default_language():
        subject, body = _signal_text(signal)
        notify(
            f"trend-signal:{signal.pk}",
            staff(*SIGNAL_RECIPIENTS),
            subject,
            link=reverse("trending:signal_detail", args=[signal.pk]),
            body=body,
        )
    return signal


def trend_scan(*, now: dt.datetime | None = None, months: int = policies.SCAN_MONTHS) -> list[TrendSignal]:
    """Count the current and the previous calendar month against every active threshold and raise
    the signals not raised yet (one per threshold, value and month); the quality department hears
    of each new one. Idempotent: a rerun raises nothing new; a signal already raised keeps its
    review and shows the highest count seen since. One counting query per source and dimension
    that a threshold uses."""
    at = writes.now(now)
    current = selectors.this_month(at)
    scanned = [add_months(current, -i) for i in reversed(range(months))]
    thresholds = list(
        TrendThreshold.objects.filter(is_active=True).select_related("instrument_model", "lot__item", "part")
    )
    existing = {
        (s.threshold_id, s.value_key, s.month): s
        for s in TrendSignal.objects.filter(month__in=scanned, threshold__in=[t.pk for t in thresholds]).only(
            "pk", "threshold_id", "value_key", "month", "count"
        )
    }
    counts_cache: dict[tuple[str, str], selectors.Counts] = {}
    raised: list[TrendSignal] = []
    for threshold in thresholds:
        pair = (threshold.source, threshold.dimension)
        if pair not in counts_cache:
            counts_cache[pair] = selectors.monthly_counts(
                source=threshold.source, dimension=threshold.dimension, months=scanned
            )
        counts = counts_cache[pair]
        wanted = threshold.value_key
        hits = [
            (key, month, n)
            for key, by_month in counts.items()
            if wanted in (None, key)
            for month, n in by_month.items()
            if n >= threshold.count
        ]
        if not hits:
            continue
        labels = selectors.value_labels(threshold.dimension, {key for key, _m, _n in hits})
        for key, month, n in sorted(hits, key=lambda hit: (hit[1], hit[0])):
            known = existing.get((threshold.pk, key, month))
            if known is not None:
                if n > known.count:
                    # The count so far; not a new signal, nobody is told again.
                    TrendSignal.objects.filter(pk=known.pk, count__lt=n).update(count=n)
                continue
            signal = _raise(threshold, key=key, label=labels[key], month=month, count=n, at=at)
            if signal is not None:
                raised.append(signal)
    if raised:
        logger.info("trend scan: %s signals raised", len(raised))
    return raised


# --- review ----------------------------------------------------------------------------------


@transaction.atomic
def signal_review(
    *,
    actor,
    signal: TrendSignal,
    decision: str,
    reason: str = "",
    capa=None,
    capa_title: str = "",
    capa_description: str = "",
    capa_owner=None,
    capa_due_on: dt.date | None = None,
    expected_version: int | None = None,
    at=None,
) -> TrendSignal:
    """The quality department's decision on a signal: a CAPA opened for it (a new one created
    through apps.complaints.services.capa_create, or an open one it belongs to) — or no action,
    with the reason. Once reviewed, a signal is closed: the decision is part of the quality record."""
    from apps.complaints.choices import CapaState
    from apps.complaints.services import capa_create

    at = writes.now(at)
    if not can(actor, "trend", "change"):
        raise PermissionDenied(_("Your role may not review trend signals."))
    signal = lock(signal, expected_version)
    if signal.state != SignalState.OPEN:
        raise ConflictError(_("This signal has already been reviewed."))
    reason = (reason or "").strip()
    if decision == Decision.NO_ACTION:
        if not reason:
            raise ValidationError({"reason": _("Say why no action is needed.")})
        signal.capa = None
    elif decision == Decision.CAPA:
        if capa is not None:
            if capa.state != CapaState.OPEN:
                raise ValidationError({"capa": _("This CAPA is closed; open a new one.")})
            signal.capa = capa
        else:
            title = (capa_title or "").strip()
            if not title:
                raise ValidationError({"capa_title": _("Give the CAPA a title, or choose an open CAPA.")})
            description = (capa_description or "").strip() or "\n".join(filter(None, [str(signal), reason]))
            signal.capa = capa_create(
                actor=actor,
                data={"title": title, "description": description, "owner": capa_owner or actor, "due_on": capa_due_on},
                at=at,
            )
    else:
        raise ValidationError({"decision": _("Choose a decision.")})
    signal.state = SignalState.REVIEWED
    signal.decision = decision
    signal.reason = reason
    signal.reviewed_by = actor
    signal.reviewed_at = at
    _save_signal(signal, actor=actor, fields=["state", "decision", "reason", "capa", "reviewed_by", "reviewed_at"])
    return signal


def _save_signal(signal: TrendSignal, *, actor, fields) -> None:
    # TrendSignal is not a Record (no updated_at): the same version bump and audit user as
    # apps.core.writes.save, without that field.
    signal.version += 1
    signal._history_user = actor
    signal.save(update_fields=[*fields, "version"])

"""Reads the field-level audit trail (simple-history) for the detail pages and the API."""

import datetime as dt
from dataclasses import dataclass, field
from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.access import mask_phone, sees_internal_notes, sees_personal_data

# Book-keeping and derived columns that change on every save and say nothing to a reader.
IGNORED_FIELDS = {"version", "updated_at", "created_at", "id", "name_pinyin", "name_initials"}

ACTION_LABELS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    action: str
    subject: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def _display(value, fk_labels: dict, fk_model, masked: bool, choices: dict | None = None) -> str:
    if value is None or value == "":
        return "—"
    if masked:
        return mask_phone(str(value))
    if fk_model is not None:
        return fk_labels.get((fk_model, value), f"#{value}")
    return display_value(value, choices)


def display_value(value, choices: dict | None = None) -> str:
    """A stored value as a reader sees it: choice labels, yes / no, local times, lists joined."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        # JSON lists of codes (e.g. the reportable events): their labels, in the reader's language.
        return ", ".join(str(choices.get(item, item)) if choices else str(item) for item in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {item}" for key, item in value.items()) or "—"
    if choices:
        return str(choices.get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _reason(model, key: str | None) -> str:
    """The change reason as the reader reads it: a model's `HISTORY_REASONS` names its own keys
    (e.g. the moves of its state machine); other reasons the system writes are catalogue
    msgids, and a user's own words pass through gettext unchanged."""
    if not key:
        return ""
    named = getattr(model, "HISTORY_REASONS", {})
    return str(named[key]) if key in named else gettext(key)


def _join(ids, fk_labels: dict, model) -> str:
    return ", ".join(sorted(fk_labels.get((model, i), f"#{i}") for i in ids)) or "—"


def history_for(
    objects: list[models.Model], *, user, limit: int = 100, hidden: frozenset[str] = frozenset()
) -> list[HistoryEntry]:
    """History of one record and its dependants (e.g. a customer and its contacts), newest first.

    `hidden` names fields this reader may not see (e.g. notes about a member of staff); a model's
    `HISTORY_CHOICES` maps a JSON list field to the choices its codes come from.
    Fixed number of queries: one per history table plus one per referenced model.
    """
    mask = not sees_personal_data(user)
    per_model: dict[type, list] = {}
    labels = {(type(obj), obj.pk): str(obj) for obj in objects}
    for obj in objects:
        per_model.setdefault(type(obj), []).append(obj.pk)

    raw: list[tuple[type, list]] = []
    for model, pks in per_model.items():
        records = list(
            model.history.filter(id__in=pks)
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[: limit + 1]
        )
        # Oldest first within the window, so each row diffs against the one before it; one
        # row beyond the window serves only as the baseline of the oldest shown.
        records.reverse()
        baseline = records.pop(0) if len(records) > limit else None
        raw.append((model, records, baseline))

    # Many-to-many links tracked by simple-history: one query per link table.
    m2m_sets: dict[tuple[type, str], dict[int, frozenset]] = {}
    wanted: dict[type, set] = {}
    for model, records, baseline in raw:
        history_model = model.history.model
        rows = records + ([baseline] if baseline is not None else [])
        for m2m_field in getattr(history_model, "_history_m2m_fields", []) if rows else []:
            through = getattr(rows[0], m2m_field.name).model  # simple-history's link snapshot table
            target = next(
                f for f in through._meta.fields if f.is_relation and f.related_model is m2m_field.related_model
            )
            links: dict[int, set] = {rec.history_id: set() for rec in rows}
            for history_id, target_id in through.objects.filter(history_id__in=list(links)).values_list(
                "history_id", target.attname
            ):
                links[history_id].add(target_id)
                wanted.setdefault(m2m_field.related_model, set()).add(target_id)
            m2m_sets[(model, m2m_field.name)] = {k: frozenset(v) for k, v in links.items()}

    # Resolve foreign keys in bulk.
    for model, records, baseline in raw:
        tracked = {f.name for f in model.history.model._meta.concrete_fields}
        rows = records + ([baseline] if baseline is not None else [])
        for f in model._meta.concrete_fields:
            if f.is_relation and f.name not in IGNORED_FIELDS and f.name in tracked:
                ids = {getattr(r, f.attname) for r in rows} - {None}
                if ids:
                    wanted.setdefault(f.related_model, set()).update(ids)
    fk_labels = {}
    for rel_model, ids in wanted.items():
        for pk, obj in rel_model._default_manager.in_bulk(list(ids)).items():
            fk_labels[(rel_model, pk)] = str(obj)

    entries: list[HistoryEntry] = []
    for model, records, baseline in raw:
        tracked = {f.name for f in model.history.model._meta.concrete_fields}
        not_shown = (
            IGNORED_FIELDS
            | set(hidden)
            | (set() if sees_internal_notes(user) else set(getattr(model, "INTERNAL_FIELDS", ())))
        )
        fields = [f for f in model._meta.concrete_fields if f.name not in not_shown and f.name in tracked]
        list_choices = getattr(model, "HISTORY_CHOICES", {})
        sensitive = set(getattr(model, "SENSITIVE_FIELDS", ()))
        previous_by_id: dict = {baseline.id: baseline} if baseline is not None else {}
        for rec in records:
            prev = previous_by_id.get(rec.id)
            changes = []
            for f in fields:
                new = getattr(rec, f.attname)
                old = getattr(prev, f.attname) if prev is not None else None
                if prev is not None and old == new:
                    continue
                if prev is None and new in (None, "", False):
                    continue
                rel = f.related_model if f.is_relation else None
                hide = mask and f.name in sensitive
                choices = dict(f.flatchoices) if f.choices else None
                if f.name in list_choices:
                    choices = dict(list_choices[f.name])
                changes.append(
                    Change(
                        field=f.name,
                        label=str(f.verbose_name),
                        old=_display(old, fk_labels, rel, hide, choices) if prev is not None else "",
                        new=_display(new, fk_labels, rel, hide, choices),
                    )
                )
            for m2m_field in getattr(model.history.model, "_history_m2m_fields", []):
                links = m2m_sets[(model, m2m_field.name)]
                new_ids = links.get(rec.history_id, frozenset())
                old_ids = links.get(prev.history_id, frozenset()) if prev is not None else frozenset()
                if new_ids == old_ids:
                    continue
                changes.append(
                    Change(
                        field=m2m_field.name,
                        label=str(m2m_field.verbose_name),
                        old=_join(old_ids, fk_labels, m2m_field.related_model) if prev is not None else "",
                        new=_join(new_ids, fk_labels, m2m_field.related_model),
                    )
                )
            previous_by_id[rec.id] = rec
            if prev is not None and not changes:
                continue
            user_obj = rec.history_user
            who = (user_obj.get_full_name() or user_obj.username) if user_obj else str(_("system"))
            subject_text = f"{model._meta.verbose_name}: {labels.get((model, rec.id), rec.id)}"
            action = ACTION_LABELS.get(rec.history_type, rec.history_type)
            if prev is not None and getattr(prev, "is_active", True) != getattr(rec, "is_active", True):
                action = _("reactivated") if rec.is_active else _("deactivated")
            entries.append(
                HistoryEntry(
                    when=rec.history_date,
                    who=who,
                    action=str(action),
                    subject=subject_text,
                    # Reasons the system writes ("Excel import") are catalogue keys; a user's own
                    # words pass through gettext unchanged.
                    reason=_reason(model, rec.history_change_reason),
                    changes=changes,
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]

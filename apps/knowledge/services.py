"""Writes of the case library (SPEC KB-1): create, change, (de)activate — each audited and
version-checked through the generic record layer — and the search index that goes with them.

Every write of a case rebuilds the case's postings (CaseTerm) in the same transaction, so a
search never finds a word the case no longer says. `index_rebuild` recounts everything (after a
change of the dictionaries in dictionary/, or to repair); the management command
`knowledge_rebuild_index` and the Huey tasks of tasks.py call it.
"""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from apps.core.access import can
from apps.core.services import record_create, record_set_active, record_update
from apps.core.writes import now
from apps.knowledge import policies, search
from apps.knowledge.choices import IndexField
from apps.knowledge.models import Case, CaseTerm, IndexStat

# What the form and the API may set; the author, the index and the dates are the services'.
EDITABLE = (
    "title",
    "symptom",
    "instrument_model",
    "item",
    "lot",
    "lot_no",
    "cause",
    "fix",
    "lessons",
    "tags",
    "published",
    "complaint",
    "work_order",
)


def is_editor(user) -> bool:
    return bool(user and (user.is_superuser or getattr(user, "role", None) in policies.EDITORS))


def case_may_change(case: Case, user) -> bool:
    """The author and the heads change a case (others add their own)."""
    return can(user, "case", "change") and (is_editor(user) or case.author_id == user.pk)


def _check_source(actor, data: dict) -> None:
    """A case is written from a complaint or a job the writer may see (the forms offer only
    those; the service says it again for the API)."""
    from apps.complaints.selectors import complaint_list
    from apps.workorders.selectors import workorder_list

    errors = {}
    complaint, order = data.get("complaint"), data.get("work_order")
    if complaint is not None and not complaint_list(user=actor).filter(pk=complaint.pk).exists():
        errors["complaint"] = _("No such complaint in your scope.")
    if order is not None and not workorder_list(user=actor).filter(pk=order.pk).exists():
        errors["work_order"] = _("No such work order in your scope.")
    if errors:
        raise ValidationError(errors)


def _normalise(data: dict, current: Case | None = None) -> dict:
    """The lot brings its item and its number; texts lose stray whitespace."""
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValidationError(_("These fields cannot be set: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    data = {key: value.strip() if isinstance(value, str) else value for key, value in data.items()}
    lot = data.get("lot", current.lot if current else None)
    if lot is not None:
        if data.get("item", current.item if current else None) is None:
            data["item"] = lot.item
        data["lot_no"] = lot.lot_no
    return data


@transaction.atomic
def case_create(*, actor, data, m2m=None, at=None) -> Case:
    """A new case (a draft unless `published`), indexed at once."""
    if not can(actor, "case", "add"):
        raise PermissionDenied(_("Your role may not do this."))
    data = _normalise(dict(data))
    _check_source(actor, data)
    data["author"] = actor
    if data.get("published"):
        data["published_at"] = now(at)
    case = record_create(model=Case, actor=actor, data=data)
    index_case(case, created=True)
    return case


@transaction.atomic
def case_update(*, actor, instance: Case, data, expected_version, m2m=None, at=None) -> Case:
    """Change a case (author or head), with the version it was read at; re-indexed at once."""
    if not case_may_change(instance, actor):
        raise PermissionDenied(_("Only the author or a head may change this case."))
    data = _normalise(dict(data), instance)
    for source in ("complaint", "work_order"):
        if source in data and getattr(data[source], "pk", None) != getattr(instance, f"{source}_id"):
            raise ValidationError({source: _("The complaint or job a case was written from does not change.")})
    if data.get("published") and not instance.published_at:
        data["published_at"] = now(at)
    case = record_update(instance=instance, actor=actor, data=data, expected_version=expected_version)
    index_case(case)
    return case


@transaction.atomic
def case_set_active(*, actor, instance: Case, active: bool, reason: str = "", expected_version=None) -> Case:
    """Take an outdated or wrong case out of the library (or back in). Its postings stay; the
    searches leave inactive cases out for everyone but the heads."""
    if not can(actor, "case", "deactivate"):
        raise PermissionDenied(_("Your role may not do this."))
    return record_set_active(
        instance=instance, actor=actor, active=active, reason=reason, expected_version=expected_version
    )


# --- the search index ----------------------------------------------------------------------------


def product_text(case: Case) -> str:
    """The model, reagent and lot of a case as words the index knows (YH-30, 葡萄糖测定试剂盒 …)."""
    parts = []
    if case.instrument_model_id:
        parts += [case.instrument_model.code, case.instrument_model.name]
    if case.item_id:
        parts += [case.item.code, case.item.name]
    parts.append(case.lot_no)
    return " ".join(p for p in parts if p)


def field_texts(case: Case) -> dict[str, str]:
    return {
        IndexField.TITLE: case.title,
        IndexField.SYMPTOM: case.symptom,
        IndexField.TAGS: case.tags,
        IndexField.PRODUCT: product_text(case),
        IndexField.CAUSE: case.cause,
        IndexField.FIX: case.fix,
        IndexField.LESSONS: case.lessons,
    }


def _postings(case: Case) -> tuple[list[CaseTerm], dict[str, int]]:
    rows, lengths = [], {}
    for field, text in field_texts(case).items():
        counts = search.term_frequencies(text)
        length = lengths[field] = sum(counts.values())
        rows += [CaseTerm(case=case, field=field, term=term, tf=tf, length=length) for term, tf in counts.items()]
    return rows, lengths


def _locked_stats() -> dict[str, IndexStat]:
    """The per-field totals, locked: index writes (and a rebuild) take their turns on them."""
    IndexStat.objects.bulk_create([IndexStat(field=f) for f in IndexField.values], ignore_conflicts=True)
    return {s.field: s for s in IndexStat.objects.select_for_update().order_by("field")}


@transaction.atomic
def index_case(case: Case, *, created: bool = False) -> None:
    """Replace the case's postings with those of its current text and adjust the totals."""
    stats = _locked_stats()
    before = dict(
        CaseTerm.objects.filter(case=case).values("field").annotate(length=Max("length")).values_list("field", "length")
    )
    CaseTerm.objects.filter(case=case).delete()
    rows, lengths = _postings(case)
    CaseTerm.objects.bulk_create(rows)
    for field, stat in stats.items():
        stat.tokens = max(0, stat.tokens + lengths.get(field, 0) - before.get(field, 0))
        stat.documents += 1 if created else 0
    IndexStat.objects.bulk_update(stats.values(), ["documents", "tokens"])


@transaction.atomic
def index_rebuild(*, batch: int = policies.REBUILD_BATCH) -> int:
    """Every case indexed again from its text (one transaction: searches see the old index until
    the new one is complete). Returns the number of cases."""
    stats = _locked_stats()
    CaseTerm.objects.all().delete()
    tokens: Counter = Counter()
    documents = 0
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    for first in range(0, len(ids), batch):
        cases = Case.objects.filter(pk__in=ids[first : first + batch]).select_related("instrument_model", "item")
        rows = []
        for case in cases:
            case_rows, lengths = _postings(case)
            rows += case_rows
            tokens.update(lengths)
            documents += 1
        CaseTerm.objects.bulk_create(rows, batch_size=1000)
    for field, stat in stats.items():
        stat.documents, stat.tokens = documents, tokens.get(field, 0)
    IndexStat.objects.bulk_update(stats.values(), ["documents", "tokens"])
    return documents

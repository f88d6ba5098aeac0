"""Reads of the case library (SPEC KB-1), scoped to what the user may see, and the ranked search.

Who sees what: the heads (policies.EDITORS) every case; everyone else published, active cases and
the ones he wrote himself (his drafts).

The ranking is BM25 per field (title, symptom, tags, product, cause, fix, lessons), the fields'
scores added with policies.FIELD_WEIGHTS, computed by the database in ONE aggregate query over
the postings of the query's terms (CaseTerm, indexed on the term) joined to the cases the user may
see, grouped by case id — no case is loaded to be scored, so 100 000 cases cost what their
matching postings cost. Two small reads come first: the index totals (IndexStat: number of cases,
average field lengths) and the document frequency of each query term; a page of results then
loads just its cases (Ranked).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Case as SqlCase  # "Case" is the library's model
from django.db.models import Count, FloatField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast

from apps.knowledge import policies, search
from apps.knowledge.choices import IndexField
from apps.knowledge.models import Case, CaseTerm, IndexStat
from apps.knowledge.services import is_editor


def case_scope_q(user) -> Q:
    if is_editor(user):
        return Q()
    return Q(published=True, is_active=True) | Q(author_id=user.pk)


def case_list(*, user) -> QuerySet[Case]:
    return (
        Case.objects.filter(case_scope_q(user))
        .select_related("instrument_model", "item", "lot", "author")
        .order_by("-updated_at", "-id")
    )


def library(*, user) -> QuerySet[Case]:
    """What suggestions draw on: published, active cases only (drafts are not vetted yet)."""
    return case_list(user=user).filter(published=True, is_active=True)


@dataclass(frozen=True)
class Boost:
    """The instrument model, reagent and lot a case is wanted for: matching cases rank higher."""

    model: int | None = None
    item: int | None = None
    lot: int | None = None


def corpus() -> tuple[int, dict[str, float]]:
    """Number of indexed cases and the average number of terms of each field."""
    stats = list(IndexStat.objects.values_list("field", "documents", "tokens"))
    documents = max((d for _f, d, _t in stats), default=0)
    averages = {field: (tokens / documents if documents and tokens else 1.0) for field, _d, tokens in stats}
    return documents, averages


def idf(documents: int, frequency: int) -> float:
    """BM25's inverse document frequency (always positive)."""
    documents = max(documents, frequency)
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))


def term_weights(wanted: dict[str, float], documents: int) -> dict[str, float]:
    """term → weight × idf for the query's terms that occur in the index (one query)."""
    frequencies = (
        CaseTerm.objects.filter(term__in=list(wanted))
        .values("term")
        .annotate(df=Count("case_id", distinct=True))
        .values_list("term", "df")
    )
    return {term: wanted[term] * idf(documents, df) for term, df in frequencies if df}


def _score(weights: dict[str, float], averages: dict[str, float]):
    """Σ over the matched postings: weight(term) · idf(term) · weight(field) · BM25 tf part.
    Every factor is a double (PostgreSQL would otherwise compute the literals as numeric)."""
    k1, b = policies.BM25_K1, policies.BM25_B
    real = FloatField()

    def choose(column, values: dict) -> Cast:
        whens = [When(**{column: key}, then=Value(value)) for key, value in values.items()]
        return Cast(SqlCase(*whens, default=Value(0.0), output_field=real), real)

    term = choose("terms__term", weights)
    field = choose("terms__field", {f: w * (k1 + 1) for f, w in policies.FIELD_WEIGHTS.items()})
    per_length = choose("terms__field", {f: k1 * b / averages.get(f, 1.0) for f in IndexField.values})
    tf, length = Cast("terms__tf", real), Cast("terms__length", real)
    return Sum(term * field * tf / (tf + Cast(Value(k1 * (1 - b)), real) + per_length * length), output_field=real)


def _boost(boost: Boost | None):
    factors = []
    if boost is not None:
        for column, value, factor in (
            ("instrument_model_id", boost.model, policies.MODEL_BOOST),
            ("item_id", boost.item, policies.ITEM_BOOST),
            ("lot_id", boost.lot, policies.LOT_BOOST),
        ):
            if value:
                choice = SqlCase(
                    When(**{column: value}, then=Value(factor)), default=Value(1.0), output_field=FloatField()
                )
                factors.append(Cast(choice, FloatField()))
    return factors


class Ranked:
    """Search results, best first, that a paginator (the pages' and the API's) can page through.

    The ranking is ONE aggregate query over the postings of the query's terms, grouped by case id
    only (narrow rows: no case text is carried through the grouping and sorting). `count()` counts
    the matching cases with a semi-join; a slice runs the ranking with LIMIT / OFFSET and then
    loads just the cases of that slice (one more query, with their model, item, lot and author),
    each with its `score`.
    """

    ordered = True

    def __init__(self, ranking: QuerySet, cases: QuerySet[Case], matching: QuerySet[Case]):
        self.ranking = ranking
        self.cases = cases
        self.matching = matching
        self.model = Case

    def count(self) -> int:
        """How many cases match (a semi-join; cheaper than counting the grouped ranking)."""
        if not hasattr(self, "_count"):
            self._count = self.matching.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if isinstance(key, int):
            return self[key : key + 1][0]
        rows = list(self.ranking[key])
        loaded = self.cases.in_bulk([row["pk"] for row in rows])
        page = []
        for row in rows:
            case = loaded[row["pk"]]
            case.score = row["score"]
            page.append(case)
        return page

    def __iter__(self):
        return iter(self[:])

    def order_by(self, *fields) -> Ranked:
        """The ranking decides the order (the API's ?ordering= does not apply to a search)."""
        return self


def case_search(queryset: QuerySet[Case], text: str, *, boost: Boost | None = None) -> Ranked | QuerySet[Case]:
    """The cases of `queryset` that share a term with `text`, best first, each with its `score`
    (a Ranked sequence; an empty queryset when no term of the text is in the index)."""
    wanted = search.weighted_query(text)
    if not wanted:
        return queryset.none()
    documents, averages = corpus()
    weights = term_weights(wanted, documents)
    if not weights:
        return queryset.none()
    score = _score(weights, averages)
    for factor in _boost(boost):
        score = score * factor
    ranking = (
        queryset.filter(terms__term__in=list(weights))
        .values("pk")
        .annotate(score=score)
        .order_by("-score", "-updated_at", "-pk")
    )
    matching = queryset.filter(pk__in=CaseTerm.objects.filter(term__in=list(weights)).values("case_id"))
    return Ranked(ranking, queryset, matching)


def similar_cases(*, user, text: str, boost: Boost | None = None, exclude_work_order=None, limit=None) -> list[Case]:
    """The library's cases most like a problem description (the hotline's suggestions, WO-2)."""
    cases = library(user=user)
    if exclude_work_order is not None:
        cases = cases.exclude(work_order=exclude_work_order)
    return list(case_search(cases, text, boost=boost)[: limit or policies.SUGGESTIONS_SHOWN])


def matched_terms(text: str) -> set[str]:
    """The terms a result is highlighted with: the query's and their synonyms."""
    return set(search.weighted_query(text))


# --- a new case from a complaint or a job ---------------------------------------------------------


def _title_from(text: str) -> str:
    line = next((line.strip() for line in (text or "").splitlines() if line.strip()), "")
    limit = policies.TITLE_FROM_TEXT_CHARS
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _joined(*texts: str) -> str:
    return "\n".join(t.strip() for t in texts if t and t.strip())


def draft_from_complaint(complaint) -> dict:
    """What a case written from a complaint starts with (CP-3: the case shared to the library):
    the complaint's words as the symptom, its product, the investigation as the cause and the
    correction as the fix."""
    return {
        "complaint": complaint.pk,
        "title": _title_from(complaint.summary),
        "symptom": _joined(complaint.summary if complaint.summary not in complaint.details else "", complaint.details),
        "instrument_model": complaint.instrument_model_id,
        "item": complaint.item_id or (complaint.lot.item_id if complaint.lot_id else None),
        "lot": complaint.lot_id,
        "lot_no": complaint.lot.lot_no if complaint.lot_id else complaint.lot_no,
        "cause": _joined(complaint.root_cause, complaint.investigation_findings),
        "fix": complaint.correction,
    }


def draft_from_work_order(order) -> dict:
    """What a case written from a hard job starts with: the reported problem as the symptom, the
    engineers' findings as the cause and the work done (or what was tried by phone) as the fix."""
    visits = list(order.visits.order_by("checked_in_at"))
    cause = _joined(*(v.findings for v in visits))
    if not cause and order.fault_cause:
        cause = str(order.get_fault_cause_display())
    model = order.instrument_model_id or (order.instrument.model_id if order.instrument_id else None)
    return {
        "work_order": order.pk,
        "title": _title_from(order.description),
        "symptom": order.description,
        "instrument_model": model,
        "item": order.lot.item_id if order.lot_id else None,
        "lot": order.lot_id,
        "lot_no": order.lot.lot_no if order.lot_id else "",
        "cause": cause,
        "fix": _joined(*(v.work_done for v in visits)) or order.remote_actions,
    }

"""Pages of trending (SPEC CP-7): the monthly report (counts per model, lot, part or cause, cells
at or over the threshold highlighted, a small bar chart per row, Excel export), the thresholds
(generic record pages) and the signals with the quality department's review.

Views parse, check (apps.core.access.can) and call one selector or service."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from apps.core import views as generic
from apps.core.access import can
from apps.core.exceptions import ConflictError
from apps.core.history import history_for
from apps.core.ids import parse_id
from apps.trending import exports, filters, forms, policies, selectors, services, tables
from apps.trending.choices import Dimension, SignalState, Source
from apps.trending.models import TrendSignal, TrendThreshold

# --- thresholds ------------------------------------------------------------------------------


class ThresholdMixin:
    resource = "trend"
    url_prefix = "trending:threshold"
    model = TrendThreshold
    selector = selectors.threshold_list


class ThresholdListView(ThresholdMixin, generic.RecordListView):
    filterset_class = filters.ThresholdFilter
    table_class = tables.ThresholdTable
    search_placeholder = gettext_lazy("Name, model, lot or part")


class ThresholdDetailView(ThresholdMixin, generic.RecordDetailView):
    template_name = "trending/threshold_detail.html"
    detail_fields = ("name", "source", "dimension", "count", "note")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        threshold = self.object
        shown = {
            "name": threshold.label,
            "note": threshold.note_label or "—",
        }
        pairs = zip(ctx["facts"], self.detail_fields, strict=True)
        ctx["facts"] = [(label, shown.get(name, value)) for (label, value), name in pairs]
        ctx["facts"].insert(3, (_("value"), threshold.value_label))
        ctx["facts"].insert(0, (_("rule"), threshold.rule_text))
        ctx["signals"] = list(threshold.signals.select_related("capa").order_by("-month", "-id")[: self.related_limit])
        ctx["signals_url"] = f"{reverse('trending:signal_list')}?threshold={threshold.pk}"
        return ctx


class ThresholdCreateView(ThresholdMixin, generic.RecordCreateView):
    form_class = forms.ThresholdForm
    create_service = services.threshold_create


class ThresholdUpdateView(ThresholdMixin, generic.RecordUpdateView):
    form_class = forms.ThresholdForm
    update_service = services.threshold_update


class ThresholdDeactivateView(ThresholdMixin, generic.RecordSetActiveView):
    set_active_service = services.threshold_set_active


class ThresholdReactivateView(ThresholdDeactivateView):
    activate = True


# --- the report ------------------------------------------------------------------------------

QUERY_DEFAULTS = {"source": Source.COMPLAINTS, "dimension": Dimension.LOT}


def report_query(request):
    """(form, months) from ?source=&dimension=&from=YYYY-MM&to=YYYY-MM; months is None when the
    form has errors (they are shown on the form)."""
    data = QueryDict(mutable=True)
    data.update(QUERY_DEFAULTS)
    for key in ("source", "dimension", "from", "to"):
        value = request.GET.get(key)
        if value:
            data[key] = value.strip()
    form = forms.TrendQueryForm(data)
    if not form.is_valid():
        return form, None
    try:
        months = selectors.month_range(form.cleaned_data.get("from"), form.cleaned_data.get("to"))
    except selectors.RangeError as error:
        form.add_error(error.field, error.message)
        return form, None
    return form, months


class ReportView(ThresholdMixin, generic.ResourceMixin, TemplateView):
    """Counts per month and value; the cells that reach a threshold are highlighted."""

    template_name = "trending/report.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form, months = report_query(self.request)
        ctx["form"] = form
        ctx["open_signals"] = selectors.open_signal_count()
        if months is None:
            self.status = 400
            return ctx
        source, dimension = form.cleaned_data["source"], form.cleaned_data["dimension"]
        table = selectors.trend_table(source=source, dimension=dimension, months=months, user=self.request.user)
        page = Paginator(table.rows, policies.PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = QueryDict(mutable=True)
        query.update(
            {"source": source, "dimension": dimension, "from": f"{months[0]:%Y-%m}", "to": f"{months[-1]:%Y-%m}"}
        )
        ctx.update(
            table=table,
            rows=[(row, table.bars(row), table.limit_y(row)) for row in page.object_list],
            page_obj=page,
            query=query.urlencode(),
            source_label=Source(source).label,
            dimension_label=Dimension(dimension).label,
        )
        return ctx

    def render_to_response(self, context, **kwargs):
        kwargs.setdefault("status", getattr(self, "status", 200))
        return super().render_to_response(context, **kwargs)


class ReportExportView(ThresholdMixin, generic.ResourceMixin, View):
    """GET: the report (every value of the query) as .xlsx."""

    http_method_names = ["get"]

    def get(self, request):
        form, months = report_query(request)
        if months is None:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
            return HttpResponseRedirect(reverse("trending:report"))
        source, dimension = form.cleaned_data["source"], form.cleaned_data["dimension"]
        table = selectors.trend_table(source=source, dimension=dimension, months=months, user=request.user)
        buffer = exports.trend_workbook(table)
        filename = f"trend-{source}-{dimension}-{months[0]:%Y%m}-{months[-1]:%Y%m}.xlsx"
        return FileResponse(buffer, as_attachment=True, filename=filename, content_type=exports.XLSX_CONTENT_TYPE)


# --- signals ---------------------------------------------------------------------------------


class SignalMixin:
    resource = "trend"
    url_prefix = "trending:signal"
    model = TrendSignal
    selector = selectors.signal_list


class SignalListView(SignalMixin, generic.RecordListView):
    """Open signals first, newest month first."""

    filterset_class = filters.SignalFilter
    table_class = tables.SignalTable
    paginate_by = policies.SIGNAL_PAGE_SIZE
    search_placeholder = gettext_lazy("Model, lot, part, cause or threshold")


def _capa_url(capa) -> str:
    # The CAPA pages belong to the complaints app; until they exist the number is shown unlinked.
    if capa is None:
        return ""
    try:
        return capa.get_absolute_url()
    except NoReverseMatch:
        return ""


def render_signal(request, pk: int, *, form=None, status: int = 200, current=None):
    user = request.user
    try:
        signal = selectors.signal_detail(user=user, pk=pk)
    except TrendSignal.DoesNotExist:
        raise Http404 from None
    may_review = can(user, "trend", "change") and signal.state == SignalState.OPEN
    if form is None and may_review:
        title = _("Trend: %(signal)s") % {"signal": signal}
        form = forms.ReviewForm(initial={"expected_version": signal.version, "capa_title": title[:200]})
    context = {
        "signal": signal,
        "object": signal,
        "threshold": signal.threshold,
        "records": selectors.signal_records(signal, user=user),
        "form": form if may_review else None,
        "current": current,
        "capa_url": _capa_url(signal.capa),
        "history": history_for([signal], user=user),
        "report_url": reverse("trending:report")
        + "?"
        + urlencode({"source": signal.source, "dimension": signal.dimension, "to": f"{signal.month:%Y-%m}"}),
    }
    return render(request, "trending/signal_detail.html", context, status=status)


class SignalDetailView(SignalMixin, generic.ResourceMixin, View):
    http_method_names = ["get"]

    def get(self, request, pk):
        return render_signal(request, pk)


class SignalReviewView(SignalMixin, generic.ResourceMixin, View):
    """POST: the decision on a signal (CAPA opened, or no action with the reason)."""

    action = "change"

    def get(self, request, pk):
        return HttpResponseNotAllowed(["POST"])

    def post(self, request, pk):
        signal = TrendSignal.objects.filter(pk=parse_id(pk)).first()
        if signal is None:
            raise Http404
        form = forms.ReviewForm(request.POST)
        if not form.is_valid():
            return render_signal(request, signal.pk, form=form, status=400)
        try:
            signal = services.signal_review(actor=request.user, signal=signal, **form.service_kwargs())
        except ConflictError as error:
            form.add_error(None, str(error.message))
            current = TrendSignal.objects.get(pk=signal.pk)
            return render_signal(request, signal.pk, form=form, status=409, current=current)
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return render_signal(request, signal.pk, form=form, status=400)
        if signal.capa_id:
            text = _("Reviewed: CAPA %(number)s linked.") % {"number": signal.capa.number}
        else:
            text = _("Reviewed: no action.")
        messages.success(request, text)
        return HttpResponseRedirect(signal.get_absolute_url())

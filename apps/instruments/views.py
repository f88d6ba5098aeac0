from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from apps.core import views as generic
from apps.core.imports import RecordExportView, RecordImportView
from apps.customers.selectors import customer_list
from apps.instruments import filters, forms, selectors, services, tables
from apps.instruments.models import Instrument
from apps.instruments.qr import qr_svg, report_url
from apps.instruments.resources import InstrumentResource
from apps.instruments.tables import WARRANTY_BADGES


class InstrumentMixin:
    resource = "instrument"
    url_prefix = "instruments:instrument"
    model = Instrument
    selector = selectors.instrument_list


class InstrumentListView(InstrumentMixin, generic.RecordListView):
    filterset_class = filters.InstrumentFilter
    table_class = tables.InstrumentTable
    exportable = True
    search_placeholder = _("Serial number, model, hospital or contract number")


class InstrumentDetailView(InstrumentMixin, generic.RecordDetailView):
    template_name = "instruments/instrument_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        instrument = self.object
        state = instrument.warranty_state()
        ctx.update(
            warranty_state=state,
            warranty_badge=WARRANTY_BADGES[state],
            report_url=report_url(instrument, self.request),
            # A dealer sees the units it placed at customers it does not serve: no dead link then.
            customer_visible=customer_list(user=self.request.user).filter(pk=instrument.customer_id).exists(),
        )
        return ctx


class InstrumentCreateView(InstrumentMixin, generic.RecordCreateView):
    form_class = forms.InstrumentForm
    create_service = services.instrument_create

    # "Add instrument" on a customer's page; the form offers only customers the user serves.
    prefill_from_query = ("customer",)


class InstrumentUpdateView(InstrumentMixin, generic.RecordUpdateView):
    form_class = forms.InstrumentForm
    update_service = services.instrument_update


class InstrumentDeactivateView(InstrumentMixin, generic.RecordSetActiveView):
    set_active_service = services.set_active


class InstrumentReactivateView(InstrumentDeactivateView):
    activate = True


class InstrumentLookupView(InstrumentMixin, generic.RecordLookupView):
    search = selectors.instrument_search


class InstrumentQrView(InstrumentMixin, generic.ResourceMixin, View):
    """/instruments/<pk>/qr.svg — the sticker's QR code; ?download=1 saves it as a file for printing."""

    def get(self, request, pk):
        instrument = get_object_or_404(self.scoped_queryset(), pk=pk)
        svg = qr_svg(report_url(instrument, request), title=instrument.serial_no)
        response = HttpResponse(svg, content_type="image/svg+xml")
        response["Cache-Control"] = "private, max-age=3600"
        if request.GET.get("download"):
            response["Content-Disposition"] = f'attachment; filename="qr-{instrument.pk}.svg"'
        return response


class InstrumentReportView(TemplateView):
    """/r/<token>/ — public page behind the QR sticker (no login). For now it names the unit;
    the self-service fault report (SPEC WO-1, QR scan channel) comes with a later issue."""

    template_name = "instruments/instrument_report.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        instrument = selectors.instrument_for_qr(self.kwargs["token"])
        if instrument is None:
            raise Http404
        ctx["instrument"] = instrument
        ctx["hotline"] = settings.SERVICE_HOTLINE
        return ctx


# --- Excel export and import of the installed base (apps.core.imports) ------------------------


class InstrumentExportView(InstrumentMixin, RecordExportView):
    filterset_class = filters.InstrumentFilter
    resource_class = InstrumentResource
    filename_stem = "instruments"


class InstrumentImportView(InstrumentMixin, RecordImportView):
    resource_class = InstrumentResource

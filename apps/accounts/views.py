from django.shortcuts import render

from apps.accounts import filters, forms, selectors, services, tables
from apps.accounts.models import Qualification, Region, User
from apps.core import views as generic
from apps.core.access import can
from apps.core.ids import parse_id


class RegionMixin:
    resource = "region"
    url_prefix = "accounts:region"
    model = Region
    selector = selectors.region_list


class RegionListView(RegionMixin, generic.RecordListView):
    filterset_class = filters.RegionFilter
    table_class = tables.RegionTable


class RegionDetailView(RegionMixin, generic.RecordDetailView):
    template_name = "accounts/region_detail.html"
    detail_fields = ("name", "level", "parent", "code", "tier", "customer_manager")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["children"] = self.object.children.order_by("code", "name")
        # Only the staff this user may see anyway (an engineer sees no colleague list).
        ctx["staff"] = (
            selectors.staff_list(user=self.request.user).filter(regions=self.object, is_active=True).order_by("role")
        )
        return ctx


class CityOptionsView(RegionMixin, generic.RecordLookupView):
    """GET ?province=<id> → <option>s of its active cities (forms reload them when the province
    changes, so nobody scrolls through every city of the country)."""

    def get(self, request, *args, **kwargs):
        province = parse_id(request.GET.get("province"))
        cities = Region.objects.none()
        if province is not None:
            cities = Region.objects.filter(parent_id=province, is_active=True).order_by("code", "name")
        return render(request, "accounts/city_options.html", {"options": cities})


class RegionCreateView(RegionMixin, generic.RecordCreateView):
    form_class = forms.RegionForm
    create_service = services.region_create


class RegionUpdateView(RegionMixin, generic.RecordUpdateView):
    form_class = forms.RegionForm
    update_service = services.region_update


class RegionDeactivateView(RegionMixin, generic.RecordSetActiveView):
    set_active_service = services.set_active


class RegionReactivateView(RegionDeactivateView):
    activate = True


class StaffMixin:
    resource = "staff"
    url_prefix = "accounts:staff"
    model = User
    selector = selectors.staff_list


class StaffListView(StaffMixin, generic.RecordListView):
    filterset_class = filters.StaffFilter
    table_class = tables.StaffTable


class StaffDetailView(StaffMixin, generic.RecordDetailView):
    template_name = "accounts/staff_detail.html"
    detail_fields = ("username", "name", "role", "phone", "email", "regions", "skill_groups", "dealer", "last_login")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["qualifications"] = self.object.qualifications.select_related("instrument_model").order_by(
            "-is_active", "valid_until"
        )
        ctx["can_add_qualification"] = can(self.request.user, "qualification", "add")
        return ctx

    def history_objects(self):
        return [self.object, *self.object.qualifications.all()]


class StaffCreateView(StaffMixin, generic.RecordCreateView):
    form_class = forms.StaffForm
    create_service = services.staff_create


class StaffUpdateView(StaffMixin, generic.RecordUpdateView):
    form_class = forms.StaffForm
    update_service = services.staff_update


class StaffDeactivateView(StaffMixin, generic.RecordSetActiveView):
    set_active_service = services.set_active


class StaffReactivateView(StaffDeactivateView):
    activate = True


class QualificationMixin:
    resource = "qualification"
    url_prefix = "accounts:qualification"
    model = Qualification
    selector = selectors.qualification_list


class QualificationListView(QualificationMixin, generic.RecordListView):
    filterset_class = filters.QualificationFilter
    table_class = tables.QualificationTable


class QualificationDetailView(QualificationMixin, generic.RecordDetailView):
    detail_fields = ("engineer", "instrument_model", "certificate_no", "valid_from", "valid_until")


class QualificationCreateView(QualificationMixin, generic.RecordCreateView):
    form_class = forms.QualificationForm
    create_service = services.qualification_create

    prefill_from_query = ("engineer",)  # "Add qualification" on a staff page


class QualificationUpdateView(QualificationMixin, generic.RecordUpdateView):
    form_class = forms.QualificationForm
    update_service = services.qualification_update


class QualificationDeactivateView(QualificationMixin, generic.RecordSetActiveView):
    set_active_service = services.set_active


class QualificationReactivateView(QualificationDeactivateView):
    activate = True

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from apps.core import views as generic
from apps.core.access import can, personal_data_for, sees_internal_notes
from apps.core.ids import parse_id
from apps.core.imports import RecordExportView, RecordImportView
from apps.customers import filters, forms, selectors, services, tables
from apps.customers.models import Contact, Customer, Dealer, Department
from apps.customers.resources import CustomerResource


class CustomerMixin:
    resource = "customer"
    url_prefix = "customers:customer"
    model = Customer
    selector = selectors.customer_list


class CustomerListView(CustomerMixin, generic.RecordListView):
    search_placeholder = _("Name, pinyin initials, code or a contact's phone")
    filterset_class = filters.CustomerFilter
    table_class = tables.CustomerTable
    exportable = True


class CustomerDetailView(CustomerMixin, generic.RecordDetailView):
    template_name = "customers/customer_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        customer = self.object
        user = self.request.user
        contacts = list(customer.contacts.select_related("department").order_by("-is_active", "-is_primary", "name"))
        for contact in contacts:
            contact.mobile, contact.email = personal_data_for(user, phone=contact.mobile, email=contact.email)
        from apps.instruments.selectors import instrument_list

        ctx.update(
            contacts=contacts,
            departments=list(customer.departments.order_by("-is_active", "name")),
            instruments=list(instrument_list(user=user).filter(customer=customer)[: self.related_limit]),
            can_edit_contacts=can(user, "contact", "change"),
            can_edit_departments=can(user, "department", "change"),
            can_deactivate_contacts=can(user, "contact", "deactivate"),
            can_deactivate_departments=can(user, "department", "deactivate"),
            can_add_instrument=can(user, "instrument", "add"),
            arrears_note=customer.arrears_note if sees_internal_notes(user) else "",
        )
        return ctx

    def history_objects(self):
        return [self.object, *self.object.contacts.all(), *self.object.departments.all()]


class CustomerCreateView(CustomerMixin, generic.RecordCreateView):
    form_class = forms.CustomerForm
    create_service = services.customer_create


class CustomerUpdateView(CustomerMixin, generic.RecordUpdateView):
    form_class = forms.CustomerForm
    update_service = services.customer_update


class CustomerDeactivateView(CustomerMixin, generic.RecordSetActiveView):
    set_active_service = services.set_active


class CustomerReactivateView(CustomerDeactivateView):
    activate = True


class CustomerLookupView(CustomerMixin, generic.RecordLookupView):
    def run_search(self, queryset, text):
        return selectors.customer_search(queryset, text, user=self.request.user)


# --- contacts and departments live on the customer page -----------------------------------


class CustomerChildMixin:
    """Contacts and departments are added from their customer's page (/customers/<pk>/…/add/)."""

    def get_customer(self):
        return get_object_or_404(selectors.customer_list(user=self.request.user), pk=self.kwargs["customer_pk"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if "customer_pk" in self.kwargs:
            kwargs["customer"] = self.get_customer()
        return kwargs


class ContactMixin:
    resource = "contact"
    url_prefix = "customers:contact"
    model = Contact
    selector = selectors.contact_list


class ContactListView(ContactMixin, generic.RecordListView):
    filterset_class = filters.ContactFilter
    table_class = tables.ContactTable


class ContactCreateView(ContactMixin, CustomerChildMixin, generic.RecordCreateView):
    form_class = forms.ContactForm
    create_service = services.contact_create


class ContactUpdateView(ContactMixin, CustomerChildMixin, generic.RecordUpdateView):
    form_class = forms.ContactForm
    update_service = services.contact_update


class ContactDeactivateView(ContactMixin, generic.RecordSetActiveView):
    set_active_service = services.set_active


class ContactReactivateView(ContactDeactivateView):
    activate = True


class DepartmentMixin:
    resource = "department"
    url_prefix = "customers:department"
    model = Department
    selector = selectors.department_list


class DepartmentOptionsView(DepartmentMixin, generic.RecordLookupView):
    """GET ?customer=<id> → <option>s of that customer's active departments (forms reload them
    when the customer changes)."""

    limit = 200

    def get(self, request, *args, **kwargs):
        queryset = self.scoped_queryset().filter(is_active=True)
        customer_id = parse_id(request.GET.get("customer"))
        queryset = queryset.none() if customer_id is None else queryset.filter(customer_id=customer_id)
        return render(request, "customers/department_options.html", {"options": queryset[: self.limit]})


class DepartmentCreateView(DepartmentMixin, CustomerChildMixin, generic.RecordCreateView):
    form_class = forms.DepartmentForm
    create_service = services.department_create


class DepartmentUpdateView(DepartmentMixin, CustomerChildMixin, generic.RecordUpdateView):
    form_class = forms.DepartmentForm
    update_service = services.department_update


class DepartmentDeactivateView(DepartmentMixin, generic.RecordSetActiveView):
    set_active_service = services.set_active


class DepartmentReactivateView(DepartmentDeactivateView):
    activate = True


# --- dealers ---------------------------------------------------------------------------------


class DealerMixin:
    resource = "dealer"
    url_prefix = "customers:dealer"
    model = Dealer
    selector = selectors.dealer_list


class DealerListView(DealerMixin, generic.RecordListView):
    filterset_class = filters.DealerFilter
    table_class = tables.DealerTable


class DealerDetailView(DealerMixin, generic.RecordDetailView):
    template_name = "customers/dealer_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["customers"] = selectors.customer_list(user=self.request.user).filter(dealer=self.object)[
            : self.related_limit
        ]
        ctx["regions"] = self.object.regions.select_related("parent")
        return ctx


class DealerCreateView(DealerMixin, generic.RecordCreateView):
    form_class = forms.DealerForm
    create_service = services.dealer_create


class DealerUpdateView(DealerMixin, generic.RecordUpdateView):
    form_class = forms.DealerForm
    update_service = services.dealer_update


class DealerDeactivateView(DealerMixin, generic.RecordSetActiveView):
    set_active_service = services.set_active


class DealerReactivateView(DealerDeactivateView):
    activate = True


# --- Excel export and import (apps.core.imports) --------------------------------------------


class CustomerExportView(CustomerMixin, RecordExportView):
    filterset_class = filters.CustomerFilter
    resource_class = CustomerResource
    filename_stem = "customers"


class CustomerImportView(CustomerMixin, RecordImportView):
    resource_class = CustomerResource

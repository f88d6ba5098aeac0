import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.core.access import personal_data_for
from apps.core.tables import RecordTable
from apps.customers.models import Contact, Customer, Dealer, Department


class CustomerTable(RecordTable):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    in_arrears = tables.Column()

    def render_in_arrears(self, value):
        # Only the exception stands out: a red badge, blank otherwise.
        return format_html('<span class="badge danger">{}</span>', _("In arrears")) if value else ""

    class Meta(RecordTable.Meta):
        model = Customer
        fields = (
            "code", "name", "grade", "city", "tier", "product_line_usage", "in_arrears",
            "responsible_sales", "responsible_engineer", "dealer", "is_active",
        )
        order_by = ("code",)


class ContactTable(RecordTable):
    name = tables.Column(linkify=lambda record: record.customer.get_absolute_url())
    mobile = tables.Column(orderable=False)  # sorting would reveal masked numbers
    customer = tables.Column(linkify=True)

    class Meta(RecordTable.Meta):
        model = Contact
        fields = ("name", "customer", "department", "role", "title", "mobile", "is_primary", "is_active")

    def render_mobile(self, value):
        request = getattr(self, "request", None)
        return personal_data_for(request.user if request else None, phone=value)[0]


class DepartmentTable(RecordTable):
    name = tables.Column(linkify=lambda record: record.customer.get_absolute_url())
    customer = tables.Column(linkify=True)

    class Meta(RecordTable.Meta):
        model = Department
        fields = ("name", "customer", "phone", "is_active")


class DealerTable(RecordTable):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    customer_count = tables.Column(verbose_name=_("customers"), orderable=True)

    class Meta(RecordTable.Meta):
        model = Dealer
        fields = ("code", "name", "contact_person", "phone", "customer_count", "is_active")

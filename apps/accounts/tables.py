import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Qualification, Region, User
from apps.core.tables import RecordTable


class RegionTable(RecordTable):
    name = tables.Column(linkify=True)
    staff_count = tables.Column(verbose_name=_("staff"))

    class Meta(RecordTable.Meta):
        model = Region
        fields = ("code", "name", "level", "parent", "tier", "customer_manager", "staff_count", "is_active")


class StaffTable(RecordTable):
    username = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    regions = tables.ManyToManyColumn(verbose_name=_("regions"), transform=lambda r: r.name)
    skill_groups = tables.ManyToManyColumn(verbose_name=_("skill groups"))

    class Meta(RecordTable.Meta):
        model = User
        fields = ("username", "name", "role", "phone", "regions", "skill_groups", "dealer", "is_active")


class QualificationTable(RecordTable):
    engineer = tables.Column(linkify=True)
    instrument_model = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(RecordTable.Meta):
        model = Qualification
        fields = ("engineer", "instrument_model", "certificate_no", "valid_from", "valid_until", "is_active")

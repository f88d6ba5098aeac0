from django import forms
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import CatalogItem, InstrumentModel, Lot
from apps.complaints.models import Complaint
from apps.complaints.selectors import complaint_scope_q
from apps.core.forms import VersionedModelForm
from apps.core.widgets import SearchSelect
from apps.knowledge.models import Case
from apps.workorders.selectors import workorder_list

TEXT = {"rows": 4}


class CaseForm(VersionedModelForm):
    """A case, new or changed. The complaint or job it comes from rides along (hidden) on a new
    case only, from ?complaint= / ?work_order= and within the writer's scope."""

    class Meta:
        model = Case
        fields = [
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
        ]
        widgets = {
            "symptom": forms.Textarea(attrs=TEXT),
            "cause": forms.Textarea(attrs={"rows": 3}),
            "fix": forms.Textarea(attrs=TEXT),
            "lessons": forms.Textarea(attrs={"rows": 3}),
            "item": SearchSelect("catalog:item_lookup"),
            "lot": SearchSelect("catalog:lot_lookup"),
            "complaint": forms.HiddenInput,
            "work_order": forms.HiddenInput,
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument_model"].queryset = InstrumentModel.objects.order_by("code")
        self.fields["item"].queryset = CatalogItem.objects.all()
        self.fields["lot"].queryset = Lot.objects.select_related("item")
        self.limit_to_active("instrument_model", "item", "lot")
        self.fields["published"].help_text = _("Leave unticked to keep it a draft: only you and the heads see drafts.")
        if self.instance.pk:
            del self.fields["complaint"], self.fields["work_order"]
        else:
            # A sub-select: the scope's OR across joins could repeat a row (and break the lookup).
            scoped = Complaint.objects.filter(complaint_scope_q(user)).values("pk")
            self.fields["complaint"].queryset = Complaint.objects.filter(pk__in=scoped)
            self.fields["work_order"].queryset = workorder_list(user=user)

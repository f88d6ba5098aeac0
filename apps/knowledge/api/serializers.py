"""Cases in the API (SPEC KB-1): the same fields as the form; `score` only on a ranked search."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.catalog.models import CatalogItem, InstrumentModel, Lot
from apps.complaints.models import Complaint
from apps.core.api import VersionedSerializer
from apps.knowledge.models import Case
from apps.workorders.api.serializers import IdRelatedField
from apps.workorders.models import WorkOrder


def _optional(queryset, **kwargs):
    return IdRelatedField(queryset=queryset, required=False, allow_null=True, **kwargs)


class LibraryCaseSerializer(VersionedSerializer):
    instrument_model = _optional(InstrumentModel.objects.all())
    instrument_model_code = serializers.CharField(source="instrument_model.code", read_only=True, default=None)
    item = _optional(CatalogItem.objects.all())
    item_name = serializers.CharField(source="item.name", read_only=True, default=None)
    lot = _optional(Lot.objects.select_related("item"))
    complaint = _optional(
        Complaint.objects.all(), help_text=_("On creation only: the complaint the case is written from.")
    )
    work_order = _optional(
        WorkOrder.objects.all(), help_text=_("On creation only: the work order the case is written from.")
    )
    author_name = serializers.StringRelatedField(source="author", read_only=True)
    score = serializers.FloatField(
        read_only=True, allow_null=True, help_text=_("Relevance to ?q= (higher is closer); empty without a query.")
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "title",
            "symptom",
            "instrument_model",
            "instrument_model_code",
            "item",
            "item_name",
            "lot",
            "lot_no",
            "cause",
            "fix",
            "lessons",
            "tags",
            "complaint",
            "work_order",
            "author",
            "author_name",
            "published",
            "published_at",
            "score",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["author", "published_at", "is_active", "created_at", "updated_at"]

from rest_framework import serializers

from apps.catalog.models import CatalogItem, InstrumentModel, Lot, LotMatch
from apps.core.api import VersionedSerializer

RECORD_READ_ONLY = ["is_active", "created_at", "updated_at"]


class InstrumentModelSerializer(VersionedSerializer):
    class Meta:
        model = InstrumentModel
        fields = [
            "id", "code", "name", "family", "manufacturer", "registration_no", "is_third_party",
            "is_active", "version", "created_at", "updated_at",
        ]
        read_only_fields = RECORD_READ_ONLY


class CatalogItemSerializer(VersionedSerializer):
    class Meta:
        model = CatalogItem
        fields = [
            "id", "code", "name", "kind", "specification", "unit", "pack_size", "tests_per_ml", "storage",
            "shelf_life_months", "onboard_stability_days", "opened_stability_days", "registration_no",
            "serial_tracked", "compatible_models", "is_active", "version", "created_at", "updated_at",
        ]
        read_only_fields = RECORD_READ_ONLY


class LotSerializer(VersionedSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_kind = serializers.CharField(source="item.kind", read_only=True)
    is_expired = serializers.BooleanField(read_only=True)

    class Meta:
        model = Lot
        fields = [
            "id", "item", "item_code", "item_kind", "lot_no", "manufactured_on", "expires_on", "is_expired",
            "is_active", "version", "created_at", "updated_at",
        ]
        read_only_fields = RECORD_READ_ONLY
        # Uniqueness of (item, lot_no) is the model's to say (full_clean in the service), so the
        # message is the same in the UI and the API and a partial update need not resend both.
        validators = []


class LotMatchSerializer(VersionedSerializer):
    class Meta:
        model = LotMatch
        fields = [
            "id", "reagent_lot", "calibrator_lot", "qc_lot", "note", "is_active", "version", "created_at",
            "updated_at",
        ]
        read_only_fields = RECORD_READ_ONLY
        validators = []

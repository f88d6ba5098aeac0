from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api import VersionedSerializer
from apps.instruments.choices import WarrantyState
from apps.instruments.models import Instrument
from apps.instruments.qr import report_url


class InstrumentSerializer(VersionedSerializer):
    model_code = serializers.CharField(source="model.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    warranty_state = serializers.SerializerMethodField()
    qr_url = serializers.SerializerMethodField()

    class Meta:
        model = Instrument
        fields = [
            "id", "serial_no", "model", "model_code", "customer", "customer_name", "department", "ownership",
            "dealer", "install_date", "acceptance_date", "contract_no", "warranty_months", "warranty_end",
            "warranty_state", "status", "qr_token", "qr_url", "notes", "is_active", "version", "created_at",
            "updated_at",
        ]
        # warranty_end is computed on save (SPEC WO-10); the QR token is issued by the system.
        read_only_fields = ["warranty_end", "qr_token", "is_active", "created_at", "updated_at"]

    @extend_schema_field(serializers.ChoiceField(choices=WarrantyState.choices))
    def get_warranty_state(self, obj) -> str:
        return str(obj.warranty_state())

    def get_qr_url(self, obj) -> str:
        return report_url(obj, self.context.get("request"))

from apps.core.api import RecordViewSet
from apps.instruments import filters, selectors, services
from apps.instruments.api import serializers


class InstrumentViewSet(RecordViewSet):
    resource = "instrument"
    selector = selectors.instrument_list
    serializer_class = serializers.InstrumentSerializer
    filterset_class = filters.InstrumentFilter
    ordering_fields = ["serial_no", "install_date", "acceptance_date", "warranty_end", "created_at", "updated_at"]
    create_service = services.instrument_create
    update_service = services.instrument_update
    set_active_service = services.set_active

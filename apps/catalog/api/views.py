from apps.catalog import filters, selectors, services
from apps.catalog.api import serializers
from apps.core.api import RecordViewSet


class InstrumentModelViewSet(RecordViewSet):
    resource = "catalog"
    selector = selectors.instrument_model_list
    serializer_class = serializers.InstrumentModelSerializer
    filterset_class = filters.InstrumentModelFilter
    ordering_fields = ["code", "name", "family", "created_at", "updated_at"]
    create_service = services.instrument_model_create
    update_service = services.instrument_model_update
    set_active_service = services.set_active


class CatalogItemViewSet(RecordViewSet):
    resource = "catalog"
    selector = selectors.item_list
    serializer_class = serializers.CatalogItemSerializer
    filterset_class = filters.CatalogItemFilter
    ordering_fields = ["code", "name", "kind", "created_at", "updated_at"]
    create_service = services.item_create
    update_service = services.item_update
    set_active_service = services.set_active


class LotViewSet(RecordViewSet):
    resource = "catalog"
    selector = selectors.lot_list
    serializer_class = serializers.LotSerializer
    filterset_class = filters.LotFilter
    ordering_fields = ["lot_no", "expires_on", "manufactured_on", "created_at", "updated_at"]
    create_service = services.lot_create
    update_service = services.lot_update
    set_active_service = services.set_active


class LotMatchViewSet(RecordViewSet):
    resource = "catalog"
    selector = selectors.lot_match_list
    serializer_class = serializers.LotMatchSerializer
    filterset_class = filters.LotMatchFilter
    ordering_fields = ["id", "created_at", "updated_at"]
    create_service = services.lot_match_create
    update_service = services.lot_match_update
    set_active_service = services.set_active

from apps.accounts import filters, selectors, services
from apps.accounts.api import serializers
from apps.core.api import RecordViewSet


class RegionViewSet(RecordViewSet):
    resource = "region"
    selector = selectors.region_list
    serializer_class = serializers.RegionSerializer
    filterset_class = filters.RegionFilter
    ordering_fields = ["code", "name"]
    create_service = services.region_create
    update_service = services.region_update
    set_active_service = services.set_active


class StaffViewSet(RecordViewSet):
    resource = "staff"
    selector = selectors.staff_list
    serializer_class = serializers.StaffSerializer
    filterset_class = filters.StaffFilter
    ordering_fields = ["username", "name", "role"]
    create_service = services.staff_create
    update_service = services.staff_update
    set_active_service = services.set_active


class QualificationViewSet(RecordViewSet):
    resource = "qualification"
    selector = selectors.qualification_list
    serializer_class = serializers.QualificationSerializer
    filterset_class = filters.QualificationFilter
    ordering_fields = ["valid_until", "valid_from"]
    create_service = services.qualification_create
    update_service = services.qualification_update
    set_active_service = services.set_active

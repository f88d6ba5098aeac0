from apps.core.api import RecordViewSet
from apps.customers import filters, selectors, services
from apps.customers.api import serializers


class CustomerViewSet(RecordViewSet):
    resource = "customer"
    selector = selectors.customer_list
    serializer_class = serializers.CustomerSerializer
    filterset_class = filters.CustomerFilter
    ordering_fields = ["code", "name", "grade", "tier", "created_at", "updated_at"]
    create_service = services.customer_create
    update_service = services.customer_update
    set_active_service = services.set_active


class ContactViewSet(RecordViewSet):
    resource = "contact"
    selector = selectors.contact_list
    serializer_class = serializers.ContactSerializer
    filterset_class = filters.ContactFilter
    ordering_fields = ["name", "created_at"]
    create_service = services.contact_create
    update_service = services.contact_update
    set_active_service = services.set_active


class DepartmentViewSet(RecordViewSet):
    resource = "department"
    selector = selectors.department_list
    serializer_class = serializers.DepartmentSerializer
    filterset_class = filters.DepartmentFilter
    ordering_fields = ["name", "created_at"]
    create_service = services.department_create
    update_service = services.department_update
    set_active_service = services.set_active


class DealerViewSet(RecordViewSet):
    resource = "dealer"
    selector = selectors.dealer_list
    serializer_class = serializers.DealerSerializer
    filterset_class = filters.DealerFilter
    ordering_fields = ["code", "name", "created_at"]
    create_service = services.dealer_create
    update_service = services.dealer_update
    set_active_service = services.set_active

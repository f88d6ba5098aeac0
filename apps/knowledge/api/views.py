"""/api/v1/cases/ (SPEC KB-1): list (with `?q=` the ranked Chinese search, best first, each with
its `score`), filters, read, create, update with the version read (stale: 409), deactivate and
reactivate — the same selectors (drafts only for their author and the heads) and services as the
pages."""

from apps.core.api import RecordViewSet
from apps.knowledge import filters, selectors, services
from apps.knowledge.api import serializers


class CaseViewSet(RecordViewSet):
    resource = "case"
    selector = selectors.case_list
    serializer_class = serializers.LibraryCaseSerializer
    filterset_class = filters.CaseFilter
    ordering_fields = ["updated_at", "created_at", "title", "published_at"]
    create_service = services.case_create
    update_service = services.case_update
    set_active_service = services.case_set_active
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

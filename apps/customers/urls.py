from django.urls import include, path

from apps.core.views import record_urlpatterns
from apps.customers import views as v

app_name = "customers"

customer_patterns = record_urlpatterns(
    "customer",
    list_view=v.CustomerListView,
    detail_view=v.CustomerDetailView,
    create_view=v.CustomerCreateView,
    update_view=v.CustomerUpdateView,
    deactivate_view=v.CustomerDeactivateView,
    reactivate_view=v.CustomerReactivateView,
    extra=[
        path("lookup/", v.CustomerLookupView.as_view(), name="customer_lookup"),
        path("export/", v.CustomerExportView.as_view(), name="customer_export"),
        path("import/", v.CustomerImportView.as_view(), name="customer_import"),
        path("<int:customer_pk>/contacts/add/", v.ContactCreateView.as_view(), name="contact_add"),
        path("<int:customer_pk>/departments/add/", v.DepartmentCreateView.as_view(), name="department_add"),
    ],
)
contact_patterns = [
    path("", v.ContactListView.as_view(), name="contact_list"),
    path("<int:pk>/edit/", v.ContactUpdateView.as_view(), name="contact_edit"),
    path("<int:pk>/deactivate/", v.ContactDeactivateView.as_view(), name="contact_deactivate"),
    path("<int:pk>/reactivate/", v.ContactReactivateView.as_view(), name="contact_reactivate"),
]
department_patterns = [
    path("options/", v.DepartmentOptionsView.as_view(), name="department_options"),
    path("<int:pk>/edit/", v.DepartmentUpdateView.as_view(), name="department_edit"),
    path("<int:pk>/deactivate/", v.DepartmentDeactivateView.as_view(), name="department_deactivate"),
    path("<int:pk>/reactivate/", v.DepartmentReactivateView.as_view(), name="department_reactivate"),
]
dealer_patterns = record_urlpatterns(
    "dealer",
    list_view=v.DealerListView,
    detail_view=v.DealerDetailView,
    create_view=v.DealerCreateView,
    update_view=v.DealerUpdateView,
    deactivate_view=v.DealerDeactivateView,
    reactivate_view=v.DealerReactivateView,
)

urlpatterns = [
    path("customers/", include(customer_patterns)),
    path("contacts/", include(contact_patterns)),
    path("departments/", include(department_patterns)),
    path("dealers/", include(dealer_patterns)),
]

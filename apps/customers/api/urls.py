from rest_framework.routers import SimpleRouter

from apps.customers.api import views

router = SimpleRouter()
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("dealers", views.DealerViewSet, basename="dealer")
urlpatterns = router.urls

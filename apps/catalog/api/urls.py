from rest_framework.routers import SimpleRouter

from apps.catalog.api import views

router = SimpleRouter()
router.register("instrument-models", views.InstrumentModelViewSet, basename="instrumentmodel")
router.register("catalog-items", views.CatalogItemViewSet, basename="catalogitem")
router.register("lots", views.LotViewSet, basename="lot")
router.register("lot-matches", views.LotMatchViewSet, basename="lotmatch")
urlpatterns = router.urls

from rest_framework.routers import SimpleRouter

from apps.vip.api import views

router = SimpleRouter()
router.register("vip-tiers", views.VipTierViewSet, basename="viptier")
router.register("purchase-volumes", views.PurchaseVolumeViewSet, basename="purchasevolume")
router.register("vip-members", views.VipMemberViewSet, basename="vipmember")
router.register("vip-visits", views.VipVisitViewSet, basename="vipvisit")
urlpatterns = router.urls

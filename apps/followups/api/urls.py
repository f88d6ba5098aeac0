from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.followups.api import views

router = SimpleRouter()
router.register("follow-ups", views.FollowUpViewSet, basename="followup")
router.register("follow-up-rules", views.FollowUpRuleViewSet, basename="followuprule")
router.register("follow-up-sheets", views.FollowUpSheetViewSet, basename="followupsheet")
urlpatterns = [
    *router.urls,
    path("follow-up-loads/", views.PhoneLoadView.as_view(), name="followup-loads"),
]

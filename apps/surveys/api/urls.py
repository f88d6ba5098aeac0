from rest_framework.routers import SimpleRouter

from apps.surveys.api import views

router = SimpleRouter()
router.register("surveys", views.SurveyViewSet, basename="survey")
router.register("survey-cases", views.SurveyCaseViewSet, basename="survey-case")
router.register("engineer-ratings", views.EngineerRatingViewSet, basename="engineer-rating")
router.register("engineer-quality", views.EngineerQualityViewSet, basename="engineer-quality")
urlpatterns = router.urls

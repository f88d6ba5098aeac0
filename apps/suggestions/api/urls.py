from rest_framework.routers import SimpleRouter

from apps.suggestions.api import views

router = SimpleRouter()
router.register("suggestions", views.SuggestionViewSet, basename="suggestion")
urlpatterns = router.urls

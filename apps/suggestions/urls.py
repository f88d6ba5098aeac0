from apps.suggestions import views

app_name = "suggestions"

urlpatterns = views.urlpatterns

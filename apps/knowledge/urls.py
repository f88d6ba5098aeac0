from apps.knowledge import views

app_name = "knowledge"

urlpatterns = views.urlpatterns

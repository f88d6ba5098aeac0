from apps.survival import views

app_name = "survival"

urlpatterns = views.urlpatterns

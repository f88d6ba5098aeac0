from apps.returns import views

app_name = "returns"

urlpatterns = views.urlpatterns

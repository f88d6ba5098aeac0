"""Pages of complaints, regulatory reports, reporting rules, CAPAs and reassignment reviews."""

from apps.complaints import views

app_name = "complaints"

urlpatterns = views.urlpatterns

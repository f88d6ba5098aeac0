from django.http import HttpResponse
from django.urls import path

app_name = "complaints"


def _todo(request, pk):  # replaced by the complaint pages
    return HttpResponse(status=501)


urlpatterns = [path("complaints/<int:pk>/", _todo, name="detail")]

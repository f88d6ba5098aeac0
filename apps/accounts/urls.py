from django.urls import include, path

from apps.accounts import views as v
from apps.core.views import record_urlpatterns

app_name = "accounts"


def _crud(name, prefix):
    return record_urlpatterns(
        name,
        list_view=getattr(v, f"{prefix}ListView"),
        detail_view=getattr(v, f"{prefix}DetailView"),
        create_view=getattr(v, f"{prefix}CreateView"),
        update_view=getattr(v, f"{prefix}UpdateView"),
        deactivate_view=getattr(v, f"{prefix}DeactivateView"),
        reactivate_view=getattr(v, f"{prefix}ReactivateView"),
    )


urlpatterns = [
    path("regions/cities/", v.CityOptionsView.as_view(), name="city_options"),
    path("regions/", include(_crud("region", "Region"))),
    path("staff/", include(_crud("staff", "Staff"))),
    path("qualifications/", include(_crud("qualification", "Qualification"))),
]

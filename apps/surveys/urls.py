"""Pages of satisfaction surveys and service quality (SPEC §5). Each views module brings its
own patterns; the customer's page is /s/<token>/."""

from apps.surveys import views, views_cases, views_quality

app_name = "surveys"

urlpatterns = views.urlpatterns + views_cases.urlpatterns + views_quality.urlpatterns

"""Pages of the follow-up domain (SPEC §4). Each views module brings its own patterns."""

from apps.followups import views, views_rules, views_sheets

app_name = "followups"

urlpatterns = views.urlpatterns + views_sheets.urlpatterns + views_rules.urlpatterns

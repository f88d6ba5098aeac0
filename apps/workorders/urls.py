"""Pages of the work-order domain. Each views module brings its own patterns."""

from apps.workorders import views, views_actions, views_dispatch, views_report

app_name = "workorders"

urlpatterns = views.urlpatterns + views_actions.urlpatterns + views_dispatch.urlpatterns + views_report.urlpatterns

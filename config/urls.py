from django.conf import settings
from django.conf.urls.static import static
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.core import views_site

api_v1 = [
    path("", include("apps.accounts.api.urls")),
    path("", include("apps.customers.api.urls")),
    path("", include("apps.catalog.api.urls")),
    path("", include("apps.instruments.api.urls")),
    path("", include("apps.sla.api.urls")),
    path("", include("apps.notifications.api.urls")),
    path("", include("apps.workorders.api.urls")),
    path("", include("apps.surveys.api.urls")),
    path("", include("apps.followups.api.urls")),
    path("", include("apps.vip.api.urls")),
    path("", include("apps.survival.api.urls")),
    path("", include("apps.complaints.api.urls")),
    path("", include("apps.trace.api.urls")),
    path("", include("apps.knowledge.api.urls")),
    path("", include("apps.suggestions.api.urls")),
    path("", include("apps.returns.api.urls")),
    path("", include("apps.trending.api.urls")),
]

urlpatterns = [
    path("", views_site.HomeView.as_view(), name="home"),
    # Log in, log out and change one's own password; no e-mailed password resets (an admin
    # sets a new password on the staff page).
    path("accounts/login/", views_site.ThrottledLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", views_site.healthz, name="healthz"),
    path("", include("apps.accounts.urls")),
    path("", include("apps.customers.urls")),
    path("", include("apps.catalog.urls")),
    path("", include("apps.instruments.urls")),
    path("", include("apps.sla.urls")),
    path("", include("apps.notifications.urls")),
    path("", include("apps.workorders.urls")),
    path("", include("apps.surveys.urls")),
    path("", include("apps.followups.urls")),
    path("", include("apps.vip.urls")),
    path("", include("apps.survival.urls")),
    path("", include("apps.complaints.urls")),
    path("", include("apps.trace.urls")),
    path("", include("apps.knowledge.urls")),
    path("", include("apps.suggestions.urls")),
    path("", include("apps.returns.urls")),
    path("", include("apps.trending.urls")),
    path("api/v1/", include(api_v1)),
    path("api/v1/auth/token/", views_site.ObtainTokenView.as_view(), name="api_token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

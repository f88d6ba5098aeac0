from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrendingConfig(AppConfig):
    name = "apps.trending"
    verbose_name = _("Trending of complaints and faults")
    default_auto_field = "django.db.models.BigAutoField"

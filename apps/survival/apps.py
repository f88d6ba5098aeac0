from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurvivalConfig(AppConfig):
    name = "apps.survival"
    verbose_name = _("New-project survival")

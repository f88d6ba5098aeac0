from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    name = "apps.returns"
    verbose_name = _("Returns and exchanges")
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraceConfig(AppConfig):
    name = "apps.trace"
    verbose_name = _("Lot and serial trace, field safety notices")
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "apps.complaints"
    verbose_name = _("Complaints and regulatory reporting")
    default_auto_field = "django.db.models.BigAutoField"
